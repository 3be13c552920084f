"""``egovindex report``: the quarterly or annual thematic report for the Government Office, as PDF or HTML."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from egovindex.cli.output import console, fail, writable, write_file


class ReportFormat(StrEnum):
    pdf = "pdf"
    html = "html"
    json = "json"


class Lang(StrEnum):
    vi = "vi"
    en = "en"


def report(
    period: Annotated[str | None, typer.Option("--period", "-p", help="A quarter, e.g. 2026Q4.")] = None,
    year: Annotated[int | None, typer.Option("--year", "-y", help="A year, for the annual report.")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the report.")] = Lang.vi,
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f", help="pdf, html, or json (every figure).")] = (
        ReportFormat.pdf
    ),
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write (default: report_<period>_<lang>).")
    ] = (None),
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date the data are read as of (YYYY-MM-DD; default today).")
    ] = None,
) -> None:
    """Build the thematic report: Viet Nam's EGDI position against ASEAN and the targets, what moved the rank,
    what the period's approved national data would do, the nowcast, data supply per agency, recommendations and
    annexes with provenance. The same inputs give a byte-identical HTML report."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from egovindex.cli.analysis_cmd import _raw, _reference_series
    from egovindex.cli.common import engine, stored_editions
    from egovindex.domain.periods import Period, PeriodError
    from egovindex.reports import build as rb

    if (period is None) == (year is None):
        raise fail("give either --period (a quarter, e.g. 2026Q4) or --year (e.g. 2026)")
    try:
        p = Period.parse(period if period else str(year))
        if period and p.quarter is None:
            raise PeriodError(f"--period takes a quarter such as {p.year}Q4; use --year {p.year} for the year")
    except PeriodError as exc:
        raise fail(str(exc)) from None
    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        raise fail(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from None
    target = writable(out or Path(f"report_{p}_{lang.value}.{fmt.value}"))
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console(), transient=True
    ) as progress:
        task = progress.add_task("figures, charts and HTML", total=2)
        raw = _raw(_reference_series())
        try:
            editions = {e.year: e for e in stored_editions()}
            report = rb.produce(engine(), editions, p, lang=lang.value, as_of=day, raw=raw)
            progress.update(task, advance=1, description=fmt.value.upper())
            body = report.body(fmt.value)
        except rb.ReportError as exc:
            raise fail(str(exc)) from None
        progress.update(task, completed=2)
    ctx = report.context
    write_file(target, body)  # never a half-written report
    missing = ctx["supply"]["missing"]
    console().print(
        f"{target}: {p} ({lang.value}), EGDI {ctx['position']['edition']} rank {ctx['position']['rank']}"
        + (f"; missing submissions: {', '.join(missing)}" if missing else "")
    )
