"""What moves the rank: ``simulate``, ``target``, ``explain``, ``sensitivity``, ``nowcast``."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from egovindex.cli.common import edition_of, iso3_of, record_number, stored_editions
from egovindex.cli.output import Format, console, emit, err_console, fail, fail_input

if TYPE_CHECKING:
    from egovindex.engine import Panel

FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table, csv or json")]
EditionOpt = Annotated[int, typer.Option("--edition", "-e", help="Edition year (loaded in the store).")]
MAX_DRAWS = 200_000  # memory is bounded by the chunk, time is not: 200,000 draws take about a minute
IndicatorsOpt = Annotated[
    list[Path] | None,
    typer.Option("--indicators", "-i", help="Raw indicator series (default: the reference data's)."),
]
TargetIndicatorsOpt = Annotated[
    list[Path] | None,
    typer.Option("--indicators", "-i", help="Raw indicator series: also propose the cheapest raw-indicator change."),
]


def _raw(paths: list[Path] | None) -> Panel | None:
    if not paths:
        return None
    from egovindex.sources.files import InputError
    from egovindex.survey.recompute import read_series

    try:
        return read_series(paths)
    except InputError as exc:
        raise fail_input(exc, stores=False) from None


def _reference_series() -> list[Path] | None:
    """The raw series named by the reference-data manifest, when that folder is there."""
    from egovindex.settings import get_settings
    from egovindex.sources.load import reference_manifest

    ref = get_settings().reference_data
    if ref is None or not ref.is_dir():
        return None
    paths = [ref / rel for rel in reference_manifest()["indicators"]]  # type: ignore[union-attr]
    return [p for p in paths if p.is_file()] or None


def _release_changes(release_id: int, edition: Any, indicators: list[Path] | None) -> list[Any]:
    """The raw-indicator changes a release's values make for Viet Nam, limited to what the edition can use."""
    from egovindex.analysis.simulate import changes_from_values, raw_leaves
    from egovindex.analysis.state import AnalysisError
    from egovindex.cli.common import engine
    from egovindex.store.collection import Release
    from egovindex.store.db import unit_of_work

    with unit_of_work(engine()) as session:
        rel = session.get(Release, release_id)
        if rel is None:
            raise AnalysisError(f"no release {release_id}")
        values = {v.indicator_code: v.value for v in rel.values}
    raw = _raw(indicators or _reference_series())
    if raw is None:
        raise AnalysisError("a release's values are raw indicators: give the series (--indicators FILE)")
    usable = raw_leaves(edition, raw)
    changes = changes_from_values(values)
    skipped = [c.target for c in changes if c.target not in usable]
    if skipped:
        err_console().print(f"release {release_id}: not used by the {edition.year} recomputation: {', '.join(skipped)}")
    return [c for c in changes if c.target in usable]


def _json(payload: dict[str, Any]) -> None:
    """JSON of an analysis, its numbers at the UN's precision (``cells.rounded``)."""
    from egovindex.cells import rounded

    typer.echo(json.dumps(rounded(payload), ensure_ascii=False, indent=2))


def simulate(
    edition: EditionOpt,
    country: Annotated[
        list[str] | None, typer.Option("--country", "-c", help="Country of --set/--shift; repeat.")
    ] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="name=value, e.g. hci=0.80; repeat.")] = None,
    shift: Annotated[list[str] | None, typer.Option("--shift", help="name=+0.05 or name=+10%; repeat.")] = None,
    scenario: Annotated[
        list[Path] | None, typer.Option("--scenario", help="Scenario file (YAML/JSON); repeat.")
    ] = None,
    region: Annotated[str, typer.Option(help="Region for region_rank: 'asean' or an M49 code.")] = "asean",
    release: Annotated[
        int | None,
        typer.Option(help="Put a release's national values in the scenario.", callback=record_number("release")),
    ] = None,
    indicators: IndicatorsOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """What-if: change components (or raw indicators) of some countries; EGDI, ranks and groups before and after."""
    from egovindex.analysis.simulate import load_scenario, parse_change
    from egovindex.analysis.simulate import simulate as run
    from egovindex.analysis.state import AnalysisError

    ed = edition_of(str(edition))
    try:
        changes = [c for path in scenario or [] for c in load_scenario(path).changes]
        if release is not None:
            changes += _release_changes(release, ed, indicators)
        countries = [iso3_of(c) for c in country or []]
        if (set_ or shift) and not countries:
            raise AnalysisError("--set and --shift need --country")
        for iso3 in countries:
            changes += [parse_change(t, iso3, op="set") for t in set_ or []]
            changes += [parse_change(t, iso3, op="shift") for t in shift or []]
        raw_needed = release is not None or any(c.target not in ("osi", "tii", "hci") for c in changes)
        sim = run(
            ed,
            changes,
            region=region,
            raw=_raw(indicators or (_reference_series() if raw_needed else None)),
            report=countries,
        )
    except AnalysisError as exc:
        raise fail(str(exc)) from None
    if fmt is Format.json:
        _json(sim.to_dict())
        return
    rows = []
    for iso3 in sim.before:
        for when, table in (("published", sim.before), ("simulated", sim.after)):
            rows.append({"iso3": iso3, "when": when, **table[iso3]})
    keep = set(countries) | set(sim.changed[:20])
    rows = [r for r in rows if r["iso3"] in keep] if fmt is Format.table else rows
    title = f"What-if, EGDI {sim.year}: " + "; ".join(c.describe() for c in sim.changes)
    emit(rows, fmt, title=title, columns=["iso3", "when", "osi", "tii", "hci", "egdi", "rank", "region_rank", "group"])
    if fmt is Format.table and len(sim.changed) > len(keep):
        console().print(f"{len(sim.changed)} countries change (raw-level changes move every country's component)")


def target(
    edition: EditionOpt,
    country: Annotated[str, typer.Option("--country", "-c", help="ISO3 code or name.")],
    rank: Annotated[int | None, typer.Option(help="World rank to reach (or better).")] = None,
    region: Annotated[str | None, typer.Option(help="'asean' or an M49 code, for --region-rank.")] = None,
    region_rank: Annotated[int | None, typer.Option(help="Rank to reach within --region.")] = None,
    costs: Annotated[Path | None, typer.Option(help="YAML/JSON: cost per unit of each component or indicator.")] = None,
    limits: Annotated[Path | None, typer.Option(help="YAML/JSON: {name: {max: x} or {max_increase: x}}.")] = None,
    others: Annotated[str, typer.Option(help="hold: others as in the edition; trend: projected (nowcast).")] = "hold",
    indicators: TargetIndicatorsOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """The least-cost change of components (and raw indicators) that reaches a rank target."""
    from egovindex.analysis.state import AnalysisError
    from egovindex.analysis.target import Target, read_numbers, seek

    if others not in ("hold", "trend"):
        raise fail("--others is 'hold' or 'trend'")
    ed = edition_of(str(edition))
    iso3 = iso3_of(country)
    try:
        history = stored_editions() if others == "trend" else None
        result = seek(
            ed,
            iso3,
            Target(rank, region, region_rank, others),  # type: ignore[arg-type]
            costs=read_numbers(costs, "costs"),
            limits=read_numbers(limits, "limits"),
            history=history,
            raw=_raw(indicators),
        )
    except AnalysisError as exc:
        raise fail(str(exc)) from None
    if fmt is Format.json:
        _json(result.to_dict())
        return
    out = console() if fmt is Format.table else err_console()  # CSV on stdout is a header and rows only
    out.print(
        f"{iso3}, EGDI {result.edition}: target rank {rank or '-'}"
        + (f", {region.upper()} rank {region_rank}" if region_rank and region else "")
        + f" (others: {others}) -> reaches rank {result.reached_rank}"
        + (f", region rank {result.reached_region_rank}" if result.reached_region_rank else "")
        + f"; cost {result.cost:.4f}"
    )
    emit(
        [
            {
                "indicator": c["indicator"],
                "from": c["from"],
                "to": c["to"],
                "increase": c["to"] - c["from"],
                "owner": c["owner"],
            }
            for c in result.changes
        ],
        fmt,
        title="Component changes",
    )
    if result.raw and fmt is Format.csv:
        out.print("the single raw-indicator changes are in the JSON form (-f json)")
    elif result.raw:
        if result.raw["feasible"]:
            emit(
                result.raw["candidates"],
                fmt,
                title="Single raw-indicator changes that reach the target",
                columns=["indicator", "component", "from", "to", "cost", "reached_rank", "owner"],
                digits=3,
            )
        else:
            out.print(f"raw indicators: {result.raw['reason']}")


def explain(
    country: Annotated[str, typer.Argument(help="ISO3 code or name.")],
    from_: Annotated[int, typer.Option("--from", help="Earlier edition.")],
    to: Annotated[int, typer.Option("--to", help="Later edition.")],
    fmt: FormatOpt = Format.table,
) -> None:
    """Why the rank changed: places from the country's own components, from other countries, from the method."""
    from egovindex.analysis.explain import explain as run
    from egovindex.analysis.state import AnalysisError

    iso3 = iso3_of(country)
    editions = {e.year: e for e in stored_editions([from_, to])}
    missing = [y for y in (from_, to) if y not in editions]
    if missing:
        raise fail(f"edition(s) {missing} not loaded: run 'egovindex sources load' first")
    try:
        result = run(editions[from_], editions[to], iso3)
    except AnalysisError as exc:
        raise fail(str(exc)) from None
    payload = result.to_dict()
    if fmt is Format.json:
        _json(payload)
        return
    change = result.rank_to - result.rank_from
    (console() if fmt is Format.table else err_console()).print(
        f"{iso3}: rank {result.rank_from} in {from_} -> {result.rank_to} in {to} "
        f"({change:+d} places; negative is better)"
    )
    emit([{"part": k, "places": v} for k, v in payload["parts"].items()], fmt, digits=2, title="Parts of the change")
    if fmt is Format.table:
        for label, key in (
            ("overtaken by", "overtaken_by"),
            ("overtook", "overtook"),
            ("entered above", "entered_above"),
            ("left from above", "left_from_above"),
        ):
            if payload[key]:
                console().print(f"{label}: {', '.join(payload[key])}")


def sensitivity(
    edition: EditionOpt,
    country: Annotated[str | None, typer.Option("--country", "-c", help="Country for Sobol' indices.")] = None,
    draws: Annotated[int, typer.Option(help="Monte Carlo draws.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same output).")] = 0,
    concentration: Annotated[float, typer.Option(help="Dirichlet concentration around the weights.")] = 50.0,
    error: Annotated[float, typer.Option(help="Relative standard error of every component value.")] = 0.02,
    fmt: FormatOpt = Format.table,
) -> None:
    """Median rank and 5-95% interval of every country under uncertain weights, method and data."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from egovindex.analysis import sensitivity as sa
    from egovindex.analysis.state import AnalysisError

    if not 1 <= draws <= MAX_DRAWS:
        raise fail(f"--draws must be between 1 and {MAX_DRAWS}")
    if seed < 0:
        raise fail("--seed must be 0 or more")
    if not (math.isfinite(concentration) and concentration > 0):
        raise fail("--concentration must be a number above 0")
    if not (math.isfinite(error) and error >= 0):
        raise fail("--error must be a number of 0 or more")
    ed = edition_of(str(edition))
    iso3 = iso3_of(country) if country else None
    settings = sa.DrawOptions(draws=draws, seed=seed, concentration=concentration, error=error)
    with Progress(
        TextColumn("Monte Carlo"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console(),
        transient=True,
        disable=fmt is not Format.table,
    ) as bar:
        task = bar.add_task("draws", total=draws)
        try:
            result = sa.run(ed, settings, country=iso3, progress=lambda k: bar.advance(task, k))
        except AnalysisError as exc:
            raise fail(str(exc)) from None
    names = {r.iso3: r.country_name for r in ed.rows}
    if fmt is Format.json:
        payload = result.to_dict()
        payload["rows"] = result.rows(names)
        _json(payload)
        return
    rows = result.rows(names)
    if iso3 and fmt is Format.table:
        rows = [r for r in rows if r["iso3"] == iso3 or r["iso3"] in _asean(ed.year)]
    emit(rows, fmt, title=f"Rank uncertainty, EGDI {ed.year} ({draws} draws, seed {seed})", digits=1)
    if result.sobol and fmt is Format.table:
        emit(
            [{"input": k, **v} for k, v in result.sobol.items()],
            fmt,
            digits=3,
            title=f"Sobol' indices of {iso3}'s rank",
        )


def _asean(year: int) -> set[str]:
    from egovindex.sources.countries import group_members

    return set(group_members("asean", at=year))


def nowcast(
    country: Annotated[str, typer.Option("--country", "-c", help="Country to summarise.")] = "VNM",
    fmt: FormatOpt = Format.table,
) -> None:
    """Project the next edition from the loaded ones, with rank intervals and an honest back-test."""
    from egovindex.analysis import nowcast as nc
    from egovindex.analysis.state import AnalysisError

    iso3 = iso3_of(country)
    editions = stored_editions()
    try:
        projection = nc.project(editions)
        tests = [nc.backtest(editions, y) for y in (2022, 2024) if any(e.year == y for e in editions)]
    except AnalysisError as exc:
        raise fail(str(exc)) from None
    names = {r.iso3: r.country_name for e in editions for r in e.rows}
    rows = projection.rows(names)
    backtests = [
        {
            "predicted": t.predicted,
            "from": t.from_editions,
            "countries": t.countries,
            "mae_nowcast": t.mae_nowcast,
            "mae_naive": t.mae_naive,
            "within_interval": t.within_interval,
            "better": t.winner,
        }
        for t in tests
    ]
    if fmt is Format.json:
        _json(
            {
                "edition": projection.year,
                "based_on": projection.based_on,
                "damping": nc.DAMPING,
                "country": iso3,
                "rows": rows,
                "backtest": backtests,
            }
        )
        return
    mine = next((r for r in rows if r["iso3"] == iso3), None)
    if mine and fmt is Format.table:
        console().print(
            f"{iso3} in {projection.year}: rank {mine['rank']} projected, "
            f"5-95% range {mine['rank_p05']}-{mine['rank_p95']}"
        )
    shown = [r for r in rows if r["iso3"] in _asean(projection.year - 2) or r["iso3"] == iso3]
    emit(shown if fmt is Format.table else rows, fmt, title=f"Nowcast of EGDI {projection.year}", digits=4)
    if fmt is Format.table:
        emit(backtests, fmt, title="Back-test: mean absolute rank error", digits=2)
