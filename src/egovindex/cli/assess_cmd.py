"""``egovindex assess``: assessments of ministries, government agencies and provinces (ICT application 2016, DTI
2022 and 2025, the service index 766): the methods, values of record, ranks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from egovindex.cli.output import Format, emit, err_console, fail

app = typer.Typer(help="Assessments of ministries, government agencies and provinces.", no_args_is_help=True)
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table, csv or json")]
MethodOpt = Annotated[str, typer.Option("--method", "-m", help="A method's id (egovindex assess methods).")]
YearOpt = Annotated[int, typer.Option("--year", "-y", min=1990, max=2100, help="The year assessed.")]
LevelOpt = Annotated[str | None, typer.Option("--level", help="A level of the method (province, ministry, ...).")]


@app.command("methods")
def methods(fmt: FormatOpt = Format.table) -> None:
    """The packaged assessment methods: id, version, levels (and the registry blocks in each), classes."""
    from egovindex.assessments.values import methods as listed

    emit(listed(), fmt, title="Assessment methods")


@app.command("import")
def import_values(
    file: Annotated[Path, typer.Argument(help="CSV with the columns unit,node,value, or a filled template (.xlsx).")],
    method: MethodOpt,
    year: YearOpt,
    level: LevelOpt = None,
    source: Annotated[str | None, typer.Option(help="Where the values come from (default: the file's name).")] = None,
) -> None:
    """Store published or external values of record at any node of the method's tree, from a long CSV
    ``unit,node,value`` (a unit by registry code or by its name as published tables spell it) or from a unit's
    filled template (.xlsx, ``assess template``: its criteria with their evidence), in one transaction.
    A value already in force changes nothing; another supersedes it (the old one is kept)."""
    import getpass

    from egovindex.assessments import values as av
    from egovindex.cli.common import engine
    from egovindex.store.db import unit_of_work

    evidence: dict[tuple[str, str], str] = {}
    try:
        fw = av.method(method)
        if file.suffix.lower() == ".xlsx":
            from egovindex.assessments import template

            try:
                data = file.read_bytes()
            except OSError as exc:
                raise av.AssessmentError(f"{file}: cannot be read: {exc}") from None
            unit, answers = template.read(str(file), data, fw, year)
            rows = [(unit, a.node, a.value) for a in answers]
            evidence = {(unit, a.node): a.evidence for a in answers if a.evidence}
        else:
            rows = av.read_csv(file, fw, year, level=level)
        with unit_of_work(engine()) as session:
            done = av.record(
                session, rows, fw=fw, year=year, source=source or file.name, actor=f"cli:{getpass.getuser()}",
                evidence=evidence,
            )  # fmt: skip
    except av.AssessmentError as exc:
        raise fail(str(exc)) from None
    err_console().print(
        f"{fw.id} {fw.version}, {year}: {done.stored} values stored, {done.unchanged} unchanged, "
        f"{len(done.units)} units: {', '.join(done.units)}"
    )


@app.command("template")
def make_template(
    method: MethodOpt,
    year: YearOpt,
    unit: Annotated[str, typer.Option(help="The unit: registry code or name.")],
    out: Annotated[Path, typer.Option(help="The workbook to write (.xlsx).")],
) -> None:
    """An Excel workbook generated from the method's tree for one unit and year: one row per scored criterion with
    its maximum, the value and its evidence to fill in (read back by ``assess import FILE.xlsx``)."""
    import datetime as dt

    from egovindex.assessments import template
    from egovindex.assessments.units import UnitError, resolve
    from egovindex.assessments.values import AssessmentError
    from egovindex.assessments.values import method as load
    from egovindex.cli.output import write_file

    try:
        fw = load(method)
        code = resolve(unit, dt.date(year, 12, 31))
    except (AssessmentError, UnitError) as exc:
        raise fail(str(exc)) from None
    write_file(out, template.template(fw, year, code))
    err_console().print(f"wrote {out}: {fw.id} {fw.version}, {year}, {code}")


@app.command("rank")
def rank(
    method: MethodOpt,
    year: YearOpt,
    level: LevelOpt = None,
    block: Annotated[str | None, typer.Option(help="A registry block (province, ministry, ...).")] = None,
    fmt: FormatOpt = Format.table,
    comparable: Annotated[
        str | None,
        typer.Option(help="Map the year's units onto those after the 2025 mergers: population or largest."),
    ] = None,
    weights: Annotated[Path | None, typer.Option(help="CSV unit,weight (population) for --comparable.")] = None,
) -> None:
    """The units ranked on the method's index (competition ranks) with their class. CSV columns: unit_code,
    unit_name, score, rank, class, then one column per first-level node (its points). The service index 766 takes
    the indicators that the year's dossier records determine (egovindex services) where no value is recorded."""
    from egovindex.assessments.values import AssessmentError
    from egovindex.cli.common import engine
    from egovindex.services import assessment
    from egovindex.store.db import unit_of_work

    if comparable is not None:
        _comparable(method, year, comparable, weights, block, fmt)
        return
    try:
        with unit_of_work(engine()) as session:
            ranking = assessment.rank(session, method, year, level=level, block=block)
    except AssessmentError as exc:
        raise fail(str(exc)) from None
    columns = ["unit_code", "unit_name", "score", "rank", "class", *ranking.first_level]
    meta = {"method": ranking.method, "version": ranking.version, "year": year, "assumptions": ranking.assumptions}
    emit(ranking.rows, fmt, title=f"{ranking.method} {ranking.version}, {year}", columns=columns, meta=meta)
    if fmt is not Format.json and ranking.assumptions:
        err_console().print(f"{ranking.method} {ranking.version} depends on: {', '.join(ranking.assumptions)}")


@app.command("explain")
def explain(
    method: MethodOpt,
    year: YearOpt,
    unit: Annotated[str, typer.Option(help="The unit: registry code or name.")],
    places: Annotated[int, typer.Option(min=0, max=1000, help="Places to gain.")] = 1,
    level: LevelOpt = None,
    block: Annotated[str | None, typer.Option(help="A registry block (province, ministry, ...).")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Why the unit stands where it does: the points it loses per criterion, the gap to the next rank and to the
    top, and the least change of its criteria (each up to its maximum) that gains ``--places`` places."""
    import datetime as dt

    from egovindex.assessments.units import UnitError, resolve
    from egovindex.assessments.values import AssessmentError
    from egovindex.cli.common import engine
    from egovindex.services import assessment
    from egovindex.store.db import unit_of_work

    try:
        code = resolve(unit, dt.date(year, 12, 31))
        with unit_of_work(engine()) as session:
            found = assessment.explain(session, method, year, code, places=places, level=level, block=block)
    except (AssessmentError, UnitError) as exc:
        raise fail(str(exc)) from None
    if fmt is Format.json:
        emit([found.to_dict()], fmt)
        return
    title = f"{found.unit} in {found.method} {found.version}, {year}: rank {found.rank} of {found.ranked}"
    emit(found.criteria, fmt, title=title + ", points lost per criterion")
    if fmt is Format.table:
        if found.next_rank:
            err_console().print(
                f"next rank {found.next_rank['rank']} ({found.next_rank['unit']}): {found.next_rank['gap']:.5f} more; "
                f"the top ({found.top['unit']}): {found.top['gap']:.5f} more"  # type: ignore[index]
            )
        for c in found.changes:
            err_console().print(f"raise {c['node']} from {c['from']:.5f} to {c['to']:.5f}")
        if found.changes:
            err_console().print(f"reaches rank {found.reached_rank}")


def _comparable(method: str, year: int, rule: str, weights: Path | None, block: str | None, fmt: Format) -> None:
    """``assess rank --comparable``: the year's scores on the units after the 2025 mergers."""
    from egovindex.assessments.comparable import read_weights
    from egovindex.assessments.values import AssessmentError
    from egovindex.cli.common import engine
    from egovindex.services import assessment
    from egovindex.store.db import unit_of_work

    if weights is None:
        raise fail("--comparable needs --weights FILE (a CSV unit,weight: the units' population)")
    try:
        sizes = read_weights(weights, year)
        with unit_of_work(engine()) as session:
            found = assessment.comparable(session, method, year, rule=rule, weights=sizes, block=block)
    except AssessmentError as exc:
        raise fail(str(exc)) from None
    title = f"{found.method} {found.version}, {year}, on the units of {found.day.isoformat()} ({found.rule})"
    emit(found.rows, fmt, title=title, columns=["unit_code", "unit_name", "score", "rank", "predecessors"])
    for text in found.left_out:
        err_console().print(f"left out: {text}")
