"""``egovindex services``: dossier records of online public services: generate, ingest, statistics."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from egovindex.cli.output import Format, console, emit, err_console, fail, write_file

app = typer.Typer(help="Online public services measured from dossier records.", no_args_is_help=True)


class StatsFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


def _bar(description: str, total: int | None):  # type: ignore[no-untyped-def]
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console(),
        transient=True,
    )
    return progress, progress.add_task(description, total=total)


@app.command("generate")
def generate(
    rows: Annotated[int, typer.Option(min=1, max=2_000_000_000, help="Number of dossiers.")],
    year: Annotated[int, typer.Option(min=2018, max=2100, help="Year the dossiers are received in.")],
    out: Annotated[Path, typer.Option(help="Folder: catalogue.parquet and dossiers/*.parquet.")],
    seed: Annotated[int, typer.Option(min=0, help="The same seed gives the same files.")] = 0,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Processes writing chunks at once.")] = 1,
) -> None:
    """Write realistic dossier records and their service catalogue (agency codes from the registry)."""
    from egovindex.services import generate as gen

    progress, task = _bar("dossiers", rows)
    with progress:
        gen.generate(rows, year, seed, out, workers=workers, progress=lambda n: progress.advance(task, n))
    console().print(f"{out}: catalogue.parquet and {rows:,} dossiers received in {year} (seed {seed})")


@app.command("ingest")
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files, or folders (their catalogue, then their dossiers).")],
    mapping: Annotated[Path | None, typer.Option(help="YAML: {column of the records: its name in the files}.")] = None,
    rejects: Annotated[Path, typer.Option(help="CSV of the rows not stored: file, row, field, reason.")] = Path(
        "rejects.csv"
    ),
) -> None:
    """Check every row and store the valid ones in the services warehouse, all files in one transaction; a file
    ingested before changes nothing; accepted + rejected = read, per file."""
    from egovindex.services import ingest as ing

    progress, task = _bar("rows", None)
    try:
        with progress:
            result = ing.ingest(
                paths,
                mapping=ing.read_mapping(mapping),
                rejects=rejects,
                progress=lambda name, n, total: progress.update(task, advance=n, description=Path(name).name),
            )
    except ing.IngestError as exc:
        raise fail(f"{exc}; nothing was stored") from None
    rows = [
        {
            "file": f.uri,
            "kind": f.kind,
            "status": f.status,
            "read": f.read,
            "accepted": f.accepted,
            "rejected": f.rejected,
        }
        for f in result.files
    ]
    emit(rows, Format.table, title="Ingested")
    console().print(
        f"accepted {result.accepted:,} + rejected {result.rejected:,} = read {result.read:,}"
        + (f"; the rejected rows, with their reasons, are in {result.rejects}" if result.rejects else "")
    )


@app.command("stats")
def stats(
    period: Annotated[str, typer.Option(help="A month (2026-07), a quarter (2026Q3) or a year (2026).")],
    by: Annotated[str, typer.Option(help="agency, level or national.")] = "national",
    fmt: Annotated[StatsFormat, typer.Option("--format", "-f", help="table, csv, json or parquet")] = (
        StatsFormat.table
    ),
    out: Annotated[Path | None, typer.Option(help="File for --format parquet.")] = None,
    engine: Annotated[str, typer.Option(help="duckdb (embedded, the default) or spark.")] = "duckdb",
    spark_master: Annotated[str, typer.Option(help="Spark master URL, with --engine spark.")] = "local[2]",
) -> None:
    """The statistics of the period (docs/services.md): counts, and shares with 6 decimals (empty when nothing
    is counted below them). CSV columns: period, the grouping column, then the statistics."""
    from egovindex.services import stats as st

    if by not in st.GROUP:
        raise fail(f"--by is agency, level or national, not {by!r}")
    try:
        span = st.Span.parse(period)
    except st.PeriodError as exc:
        raise fail(str(exc)) from None
    if engine not in ("duckdb", "spark"):
        raise fail(f"--engine is duckdb or spark, not {engine!r}")
    rows = _spark_statistics(span, by, spark_master) if engine == "spark" else st.statistics(span, by)  # type: ignore[arg-type]
    if fmt is StatsFormat.parquet:
        import io

        import pyarrow as pa
        import pyarrow.parquet as pq

        if out is None:
            raise fail("--format parquet writes a file: give --out FILE")
        buffer = io.BytesIO()
        pq.write_table(pa.Table.from_pylist(rows), buffer)
        write_file(out, buffer.getvalue())
        console().print(f"wrote {out}: {len(rows)} rows")
        return
    title = f"Online public services, {span.label}"
    if fmt is StatsFormat.table and by == "national":  # one row: shown as statistic and value, to fit a screen
        emit([{"statistic": k, "value": v} for k, v in rows[0].items() if k != "period"], Format.table, title=title,
             digits=st.DECIMALS)  # fmt: skip
        return
    emit(rows, Format(fmt.value), title=title, digits=st.DECIMALS)


FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table, csv or json")]


def _spark_statistics(span, by: str, master: str):  # type: ignore[no-untyped-def]
    """The statistics on Spark; its start-up time is reported apart, on standard error."""
    import time

    from egovindex.services import stats as st
    from egovindex.services.spark import Engine

    engine = Engine.start(master)
    try:
        began = time.perf_counter()
        rows = st.statistics(span, by, connection=engine)  # type: ignore[arg-type]
        err_console().print(
            f"spark ({master}): started in {engine.startup_seconds:.1f} s; partials and statistics in "
            f"{time.perf_counter() - began:.1f} s"
        )
        return rows
    finally:
        engine.stop()


def _span(period: str):  # type: ignore[no-untyped-def]
    from egovindex.services import stats as st

    try:
        return st.Span.parse(period)
    except st.PeriodError as exc:
        raise fail(str(exc)) from None


@app.command("gaps")
def gaps(
    period: Annotated[str, typer.Option(help="A month (2026-07), a quarter (2026Q3) or a year (2026).")],
    agency: Annotated[str | None, typer.Option(help="Only this agency (registry code).")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """The online services that received no online dossier in the period, per agency."""
    from egovindex.services import stats as st

    rows = st.gaps(_span(period), agency.upper() if agency else None)
    emit(rows, fmt, title=f"Online services without an online dossier, {period}")


@app.command("index")
def index(
    period: Annotated[str, typer.Option(help="A month (2026-07), a quarter (2026Q3) or a year (2026).")],
    by: Annotated[str, typer.Option(help="agency, level or national.")] = "agency",
    fmt: FormatOpt = Format.table,
) -> None:
    """The service index 766 as far as dossier records determine it: each indicator's ratio and points, the
    groups whose every scored indicator is determined, and the assumptions the values depend on (methodology
    service-index-766)."""
    from egovindex.services import index766
    from egovindex.services import stats as st

    if by not in st.GROUP:
        raise fail(f"--by is agency, level or national, not {by!r}")
    scored = index766.score(_span(period), by)  # type: ignore[arg-type]
    meta = {"method": scored.method, "version": scored.version, "assumptions": scored.assumptions}
    rows = scored.rows
    if fmt is Format.table:
        rows = [{k: v for k, v in r.items() if k not in ("name_vi", "scored")} for r in rows]
    emit(rows, fmt, title=f"Service index 766 ({scored.method} {scored.version}), {scored.period}",
         digits=index766.DECIMALS, meta=meta)  # fmt: skip
    if fmt is not Format.json:
        err_console().print(f"{scored.method} version {scored.version}; the values depend on these assumptions:")
        for name, text in scored.assumptions.items():
            err_console().print(f"  {name}: {' '.join(text.split())}")


@app.command("integrity")
def integrity(
    period: Annotated[str, typer.Option(help="A month (2026-07), a quarter (2026Q3) or a year (2026).")],
    dossiers: Annotated[Path | None, typer.Option(help="CSV of the flagged dossiers: id, agency, flags.")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """What a reviewer should look at, per agency: dossiers completed within minutes, online dossiers of offline
    services, bursts in the period's last days, identical timestamps in bulk, ratings of open dossiers."""
    import csv
    import io

    from egovindex.services import stats as st

    span = _span(period)
    emit(st.integrity(span), fmt, title=f"Flags, {span.label}")
    if dossiers is not None:
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=["dossier_id", "agency_code", "flags"], lineterminator="\n")
        writer.writeheader()
        flagged = st.flagged(span)
        writer.writerows(flagged)
        write_file(dossiers, text.getvalue())
        err_console().print(f"{dossiers}: {len(flagged)} flagged dossiers")
