"""Assessments with the criteria the system computes instead of asking: the service index 766's indicators from
the dossier records of the year (``services.index766``), beside the values of record, claimed and adjusted. What
every face (command line, web) calls to rank or explain."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from egovindex.assessments import explain as explaining
from egovindex.assessments import scoring

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

COMPUTED_FROM_DOSSIERS = "service-index-766"


def computed(method_id: str, year: int) -> scoring.Computed:
    """``{unit: {indicator: ratio}}`` that the dossier records of the year determine, for the method that reads
    them; nothing for other methods or when no records are stored (or an ingestion holds them)."""
    if method_id != COMPUTED_FROM_DOSSIERS:
        return {}
    from egovindex.services import index766, stats, warehouse

    try:
        with warehouse.reading(missing_ok=True) as con:
            if con is None:
                return {}
            found = index766.score(stats.Span.parse(str(year)), "agency", connection=con)
    except warehouse.BusyError:
        return {}
    out: scoring.Computed = {}
    for row in found.rows:
        if row["node"] in index766.RATIOS and row["ratio"] is not None:
            out.setdefault(row["agency_code"], {})[row["node"]] = row["ratio"]
    return out


def rank(session: Session, method_id: str, year: int, **where: Any) -> scoring.Ranking:
    return scoring.rank(session, method_id, year, computed=computed(method_id, year), **where)


def comparable(session: Session, method_id: str, year: int, **options: Any) -> Any:
    """The year's scores mapped onto the units after the 2025 mergers (``assessments.comparable``)."""
    from egovindex.assessments.comparable import comparable as compare

    return compare(session, method_id, year, computed=computed(method_id, year), **options)


def explain(session: Session, method_id: str, year: int, unit: str, **options: Any) -> explaining.Explanation:
    return explaining.explain(session, method_id, year, unit, computed=computed(method_id, year), **options)


def overview(session: Session) -> list[dict[str, Any]]:
    """Every assessment method with the years it has values for."""
    from egovindex.assessments.values import methods, years

    return [{**m, "years": years(session, m["id"])} for m in methods()]


def profile(session: Session, method_id: str, unit: str) -> dict[str, Any]:
    """A unit's history in a method: its score, rank and class each year it was scored (ranked among the units
    of its registry block), and the explanation of its latest year."""
    from egovindex import registry
    from egovindex.assessments.values import AssessmentError, method, years

    fw = method(method_id)
    unit = unit.upper()
    agencies = {a.code: a for a in registry.load().agencies}
    if unit not in agencies:
        raise AssessmentError(f"{unit} is not an agency of the registry")
    block = agencies[unit].block
    history = []
    for year in years(session, method_id):
        rows = {r["unit_code"]: r for r in rank(session, method_id, year, block=block).rows}
        if unit in rows and rows[unit]["score"] is not None:
            r = rows[unit]
            ranked = sum(1 for x in rows.values() if x["score"] is not None)
            history.append(
                {"year": year, "score": r["score"], "rank": r["rank"], "ranked": ranked, "class": r["class"]}
            )
    if not history:
        raise AssessmentError(f"{unit} has no score in {fw.id}")
    try:
        latest = explain(session, method_id, history[-1]["year"], unit, block=block).to_dict()
    except AssessmentError as exc:  # the history stands without it
        latest = {"year": history[-1]["year"], "criteria": [], "next_rank": None, "changes": [], "error": str(exc)}
    return {
        "method": fw.id,
        "version": fw.version,
        "unit": unit,
        "unit_name": agencies[unit].name_vi,
        "block": block,
        "history": history,
        "explanation": latest,
    }
