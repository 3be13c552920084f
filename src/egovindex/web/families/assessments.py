"""Assessments of ministries, government agencies and provinces: the methods and their years; a method's ranking
for a year, within a level or a registry block, with a chart of the scores, its JSON twin and the rows as CSV; a
unit's profile (its history and what would raise it). For the lead ministry and
administrators: the ranking mixes values of record with agencies' claims and figures computed from unreleased
dossier records."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from egovindex.web import routedoc
from egovindex.web.identity import reader
from egovindex.web.site import SiteDep, csv_download

router = APIRouter()
YEARS = range(1990, 2101)


def ranking(site: Any, method: str, year: int, level: str | None, block: str | None) -> dict[str, Any]:
    """The page's data, through the service every face calls (``services.assessment``)."""
    from egovindex.assessments.values import AssessmentError
    from egovindex.services import assessment
    from egovindex.store.db import unit_of_work

    if year not in YEARS:
        raise HTTPException(status_code=404, detail=f"no assessment year {year}")
    try:
        with unit_of_work(site.engine.execution_options(readonly=True)) as session:
            found = assessment.rank(session, method, year, level=level or None, block=block or None)
    except AssessmentError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    return {
        "method": found.method,
        "version": found.version,
        "year": year,
        "level": found.level,
        "block": found.block,
        "columns": found.first_level,
        "rows": found.rows,
        "assumptions": found.assumptions,
    }


Level = Query(None, max_length=40, description="A level of the method (province, ministry, ...).")
Block = Query(None, max_length=40, description="A registry block (province, ministry, ...).")


@router.get("/assess/{method}/{year}.json", tags=["statistics"])
def ranking_json(
    site: SiteDep, request: Request, method: str, year: int, level: str | None = Level, block: str | None = Block
) -> JSONResponse:
    """A method's ranking for a year: each unit's score, rank, class and the points of each first-level node, with
    the method's version and the assumptions the scores depend on."""
    reader(request, "unreleased", agency=None)
    return JSONResponse(ranking(site, method, year, level, block))


@router.get(
    "/assess/{method}/{year}.csv",
    tags=["downloads"],
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "CSV"}},
)
def ranking_csv(
    site: SiteDep, request: Request, method: str, year: int, level: str | None = Level, block: str | None = Block
) -> Response:
    """The rows of the page (the columns of ``egovindex assess rank --format csv``)."""
    reader(request, "unreleased", agency=None)
    data = ranking(site, method, year, level, block)
    header = ("unit_code", "unit_name", "score", "rank", "class", *data["columns"])
    return csv_download(data["rows"], f"{method}_{year}.csv", header)


@router.get("/assess/{method}/{year}", **routedoc.SIGNED_IN_PAGE)
def ranking_page(
    site: SiteDep, request: Request, method: str, year: int, level: str | None = Level, block: str | None = Block
) -> Response:
    """A method's ranking for a year, with a chart of the scores."""
    from fastapi.responses import RedirectResponse

    from egovindex.web.identity import signed_in

    if not signed_in(request):
        return RedirectResponse(f"/login?next=/assess/{method}/{year}", status_code=303)
    reader(request, "unreleased", agency=None)
    lang = site.language(request)
    data = ranking(site, method, year, level, block)
    described = _method(method, lang)
    name = described["name_vi"] if lang == "vi" else described["name"]
    return site.html(request, "assessment.html", data, {"chart": _chart(data, name, lang), "method": described})


def _method(method_id: str, lang: str) -> dict[str, Any]:
    from egovindex import methodologies

    fw = methodologies.load(method_id)
    return {
        "name": fw.name,
        "name_vi": fw.name_vi,
        "nodes": {n.code: {"name": n.name, "name_vi": n.name_vi} for n in fw.nodes},
        "assumptions_vi": fw.assumptions_of(None, "vi"),
        "classes": {b.code: (b.name_vi or b.name) if lang == "vi" else b.name for b in fw.classes},
    }


def _chart(data: dict[str, Any], name: str, lang: str) -> Any:
    from egovindex import charts
    from egovindex.translations import gettext

    _ = gettext(lang)
    rows = [{"unit": r["unit_name"], "score": r["score"]} for r in data["rows"] if r["score"] is not None]
    return charts.unit_scores(
        rows,
        title=f"{name}, {data['year']}",
        label=_("Scores of the units assessed"),
        description="; ".join(f"{r['unit']}: {r['score']:.4f}" for r in rows) or _("No unit has a score."),
        source_text=_("Values of record, answers and figures computed by egovindex"),
        lang=lang,
    )


def _signed_in_reader(request: Request, next_url: str) -> Response | None:
    from fastapi.responses import RedirectResponse

    from egovindex.web.identity import signed_in

    if not signed_in(request):
        return RedirectResponse(f"/login?next={next_url}", status_code=303)
    reader(request, "unreleased", agency=None)
    return None


def methods(site: Any) -> dict[str, Any]:
    from egovindex.services import assessment
    from egovindex.store.db import unit_of_work

    with unit_of_work(site.engine.execution_options(readonly=True)) as session:
        return {"methods": assessment.overview(session)}


@router.get("/assess.json", tags=["statistics"])
def methods_json(site: SiteDep, request: Request) -> JSONResponse:
    """The assessment methods (id, version, levels, classes) with the years they have values for."""
    reader(request, "unreleased", agency=None)
    return JSONResponse(methods(site))


@router.get("/assess", **routedoc.SIGNED_IN_PAGE)
def methods_page(site: SiteDep, request: Request) -> Response:
    """The assessment methods and their years."""
    refused = _signed_in_reader(request, "/assess")
    if refused is not None:
        return refused
    return site.html(request, "assessments.html", methods(site), {})


def profile(site: Any, method: str, unit: str) -> dict[str, Any]:
    from egovindex.assessments.values import AssessmentError
    from egovindex.services import assessment
    from egovindex.store.db import unit_of_work

    try:
        with unit_of_work(site.engine.execution_options(readonly=True)) as session:
            return assessment.profile(session, method, unit)
    except AssessmentError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None


UnitCode = Annotated[str, Path(pattern=r"^[A-Za-z][A-Za-z0-9]{0,19}$")]


@router.get("/assess/{method}/units/{unit}.json", tags=["statistics"])
def profile_json(site: SiteDep, request: Request, method: str, unit: UnitCode) -> JSONResponse:
    """A unit's history in a method (score, rank among its block, class, each year) and the explanation of its
    latest year: points lost per criterion, the gap to the next rank and to the top, the least change gaining a
    place."""
    reader(request, "unreleased", agency=None)
    return JSONResponse(profile(site, method, unit))


@router.get("/assess/{method}/units/{unit}", **routedoc.SIGNED_IN_PAGE)
def profile_page(site: SiteDep, request: Request, method: str, unit: UnitCode) -> Response:
    """A unit's profile in a method."""
    refused = _signed_in_reader(request, f"/assess/{method}/units/{unit}")
    if refused is not None:
        return refused
    from egovindex import charts
    from egovindex.translations import gettext

    lang = site.language(request)
    _ = gettext(lang)
    data = profile(site, method, unit)
    described = _method(method, lang)
    name = described["name_vi"] if lang == "vi" else described["name"]
    chart = charts.rank_trend(
        [{"edition": h["year"], "rank": h["rank"], "country": data["unit_name"]} for h in data["history"]],
        title=f"{data['unit_name']}: {name}",
        rank_label=_("Rank in its block"),
        edition_label=_("Year"),
        description=", ".join(f"{h['year']}: {h['rank']}" for h in data["history"]),
        lang=lang,
    )
    return site.html(request, "assessment_unit.html", data, {"chart": chart, "method": described})
