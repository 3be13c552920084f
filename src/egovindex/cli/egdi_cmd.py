"""``egovindex egdi``: recompute, check, rank, profile and compare the UN EGDI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from egovindex.cli.common import edition_of, iso3_of
from egovindex.cli.output import Format, console, emit, err_console, fail, fail_input, writable, write_file
from egovindex.sources.files import InputError

app = typer.Typer(
    help="The UN E-Government Development Index, recomputed with each edition's method.", no_args_is_help=True
)

FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table, csv or json")]
EditionOpt = Annotated[int | None, typer.Option("--edition", "-e", help="Edition year within the file.")]


@app.command("rank")
def rank(
    file_or_edition: Annotated[str, typer.Argument(help="A UN export file, or an edition year in the store.")],
    region: Annotated[str | None, typer.Option(help="'asean' or a UN M49 region / sub-region code.")] = None,
    edition: EditionOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """The published EGDI and ranks, beside the EGDI and ranks recomputed from the published components with
    that edition's methodology."""
    from egovindex.survey.egdi import ranking

    ed = edition_of(file_or_edition, edition=edition)
    try:
        rows = ranking(ed, region=region)
    except KeyError as exc:
        raise fail(str(exc.args[0])) from None
    columns = ["iso3", "country", "egdi", "rank", "group", "egdi_recomputed", "rank_recomputed"]
    columns += ["region_rank"] if region else []
    title = f"EGDI {ed.year} as published, and recomputed" + (f", {region.upper()}" if region else "")
    emit(rows, fmt, title=title, columns=columns)


@app.command("check")
def check(
    file_or_edition: Annotated[str, typer.Argument(help="A UN export file, or an edition year in the store.")],
    edition: EditionOpt = None,
    fmt: FormatOpt = Format.table,
    strict: Annotated[bool, typer.Option(help="Exit 1 when a row is outside tolerance.")] = False,
) -> None:
    """Compare recomputed EGDI and ranks with the published ones and report every difference."""
    import json

    from egovindex.survey.egdi import check as run

    report = run(edition_of(file_or_edition, edition=edition))
    if fmt is Format.json:
        from egovindex.cells import rounded

        # recomputed values and their differences from the published ones, to 7 decimals: a difference of the
        # published rounding (5e-6) stays visible
        typer.echo(json.dumps(rounded(report.to_dict(), 7), ensure_ascii=False, indent=2))
    elif fmt is Format.csv:
        emit(
            [
                {
                    "edition": report.year,
                    "kind": "outside_tolerance",
                    "iso3": d.iso3,
                    "country": d.country,
                    "published": d.published,
                    "computed": round(d.computed, 7),
                    "diff": round(d.diff, 7),
                }
                for d in report.outside
            ]
            + [
                {
                    "edition": report.year,
                    "kind": f"rank_{m.reason}",
                    "iso3": m.iso3,
                    "country": m.country,
                    "published": m.published,
                    "computed": m.computed,
                    "diff": None,
                }
                for m in report.rank_mismatches
            ],
            Format.csv,
            columns=["edition", "kind", "iso3", "country", "published", "computed", "diff"],
        )
        _print_check(report, err_console())  # the summary beside the rows, on standard error
    else:
        _print_check(report, console())
    if strict and not report.ok:
        raise typer.Exit(1)


def _print_check(report, out) -> None:  # type: ignore[no-untyped-def]
    from rich.text import Text

    verdict = ("matches", "green") if report.ok else ("differs from", "yellow")
    out.print(Text.assemble(f"EGDI {report.year} ({report.methodology}): ", verdict, " the published values"))
    out.print(f"  compared {report.compared} assessed countries; {len(report.not_assessed)} not assessed")
    out.print(f"  published precision {report.decimals} decimals, tolerance {report.tolerance:.0e}")
    out.print(f"  largest |recomputed - published| = {report.max_abs_diff:.2e}")
    out.print(f"  rows outside tolerance: {len(report.outside)}")
    for d in report.outside:
        out.print(
            f"    row {d.row} {d.iso3} {d.country}: published {d.published:.5f}, "
            f"recomputed {d.computed:.5f} (diff {d.diff:+.5f})"
        )
    out.print(f"  rank differences: {len(report.rank_mismatches)}")
    for m in report.rank_mismatches:
        out.print(f"    {m.iso3} {m.country}: published {m.published}, recomputed {m.computed} ({m.reason})")
    out.print(f"  pairs equal at the published precision but ranked apart by the UN: {len(report.ties)}")
    for a, b, v, ra, rb in report.ties:
        out.print(f"    {a} ({ra}) and {b} ({rb}) at {v}")


@app.command("profile")
def profile(
    country: Annotated[str, typer.Argument(help="ISO3 code or country name.")],
    fmt: FormatOpt = Format.table,
) -> None:
    """A country's history over all loaded editions."""
    from egovindex.cli.common import stored_editions
    from egovindex.survey.egdi import profile as build

    iso3 = iso3_of(country)
    editions = stored_editions()
    if not editions:
        raise fail("no edition is loaded: run 'egovindex sources load' first")
    rows = build(editions, iso3)
    emit(
        rows,
        fmt,
        title=f"{iso3}: EGDI by edition, as published",
        columns=["edition", "rank", "egdi", "osi", "tii", "hci", "epi", "group", "subregion_rank", "asean_rank"],
    )


@app.command("compare")
def compare(
    countries: Annotated[list[str], typer.Argument(help="ISO3 codes or names.")],
    edition: Annotated[int, typer.Option("--edition", "-e", help="Edition year.")],
    fmt: FormatOpt = Format.table,
) -> None:
    """Countries side by side in one edition."""
    from egovindex.cli.common import stored_editions
    from egovindex.survey.egdi import compare as build

    found = stored_editions([edition])
    if not found:
        raise fail(f"edition {edition} is not loaded")
    try:
        rows = build(found[0], [iso3_of(c) for c in countries])
    except KeyError as exc:
        raise fail(str(exc.args[0])) from None
    emit(rows, fmt, title=f"EGDI {edition}, as published")


@app.command("recompute")
def recompute(
    indicators: Annotated[list[Path], typer.Option("--indicators", "-i", help="Raw indicator series (CSV); repeat.")],
    edition: Annotated[int, typer.Option("--edition", "-e", help="Edition year.")],
    published: Annotated[Path | None, typer.Option(help="UN export to compare with (default: the store).")] = None,
    lookback: Annotated[int, typer.Option(help="Use the latest value within this many years.")] = 5,
    fmt: FormatOpt = Format.table,
) -> None:
    """TII and HCI from raw indicators, compared with the published components."""
    from egovindex.survey import recompute as rc

    ed = edition_of(str(published), edition=edition) if published else edition_of(str(edition))
    from egovindex.sources.indicators import read_many

    try:
        raw, files = read_many(indicators)
    except InputError as exc:
        raise fail_input(exc, stores=False) from None
    result = rc.recompute_components(raw, ed, rule=rc.Rule(lookback=lookback))
    if fmt is not Format.json:  # in JSON the agreement is in "meta"; beside CSV rows it goes to standard error
        for comp in result.agreement:
            a = result.agreement[comp]
            (console() if fmt is Format.table else err_console()).print(
                f"{comp.upper()} {edition}: {a.n} countries, Spearman {a.spearman:.3f}, "
                f"mean |diff| {a.mad:.3f}; used {', '.join(result.used[comp])}"
                + (f"; dropped {', '.join(result.dropped[comp])}" if result.dropped[comp] else "")
            )
    emit(
        sorted(result.rows, key=lambda r: r["iso3"]),
        fmt,
        title=f"Recomputed TII and HCI, {edition}",
        columns=["iso3", "country", "tii", "tii_published", "hci", "hci_published"],
        meta={
            "edition": edition,
            "rule": result.rule.describe(),
            "agreement": {k: v.__dict__ for k, v in result.agreement.items()},
            "sources": [{"uri": f.uri, "sha256": f.sha256, "retrieved_at": f.retrieved_at.isoformat()} for f in files],
        },
    )


@app.command("fidelity")
def fidelity(
    out: Annotated[Path, typer.Option(help="Markdown file to write.")] = Path("docs/fidelity.md"),
    editions: Annotated[list[int] | None, typer.Option("--edition", "-e")] = None,
) -> None:
    """Regenerate docs/fidelity.md: agreement of recomputed TII and HCI with the published ones."""
    from egovindex.settings import get_settings
    from egovindex.survey import fidelity as fid

    ref = get_settings().reference_data
    if ref is None:
        raise fail("no reference data: set EGOVINDEX_REFERENCE_DATA")
    writable(out)
    try:
        text = fid.report(ref, editions or list(fid.EDITIONS))
    except InputError as exc:
        raise fail_input(exc, stores=False) from None
    write_file(out, text)
    console().print(f"wrote {out}")
