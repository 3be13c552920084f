"""Online public services measured from dossier records, per period: the national figures, the agencies ranked by
their online share, the flags a reviewer should look at and the services without an online dossier, with the JSON
twin and the agencies' table as CSV. For the lead ministry and administrators (the figures are not released)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse

from egovindex.web import routedoc
from egovindex.web.identity import reader
from egovindex.web.params import PeriodText
from egovindex.web.site import SiteDep, csv_download

router = APIRouter()
GAPS_SHOWN = 200


def dashboard(period: str) -> dict[str, Any]:
    """The page's data: one read of the warehouse, through the statistics' one definition."""
    import duckdb

    from egovindex.services import stats, warehouse

    try:
        span = stats.Span.parse(period)
    except stats.PeriodError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    try:
        con = warehouse.connect(read_only=True)
    except duckdb.IOException:
        raise HTTPException(
            status_code=409, detail="the dossier records are being ingested now: try again in a moment"
        ) from None
    try:
        agencies = stats.statistics(span, "agency", connection=con)
        gaps = stats.gaps(span, connection=con)
        return {
            "period": span.label,
            "nation": stats.statistics(span, "national", connection=con)[0],
            "levels": stats.statistics(span, "level", connection=con),
            "agencies": sorted(agencies, key=lambda r: (-(r["online_share"] or 0), r["agency_code"])),
            "flags": stats.integrity(span, connection=con),
            "gaps_total": len(gaps),
            "gaps": gaps[:GAPS_SHOWN],
        }
    finally:
        con.close()


@router.get("/services/{period}.json", tags=["statistics"])
def services_json(request: Request, period: PeriodText) -> JSONResponse:
    """A period's statistics of online public services (a month 2026-07, a quarter 2026Q3 or a year 2026):
    national, per level and per agency, the flags and the services without an online dossier."""
    reader(request, "unreleased", agency=None)
    return JSONResponse(dashboard(period))


@router.get(
    "/services/{period}.csv",
    tags=["downloads"],
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "CSV"}},
)
def services_csv(request: Request, period: PeriodText) -> Response:
    """The agencies' table of the page, as CSV (the columns of ``egovindex services stats --by agency``)."""
    reader(request, "unreleased", agency=None)
    from egovindex.services.stats import COLUMNS

    header = ("period", "agency_code", *COLUMNS)
    return csv_download(dashboard(period)["agencies"], f"services_{period}.csv", header)


@router.get("/services/{period}", **routedoc.SIGNED_IN_PAGE)
def services_page(site: SiteDep, request: Request, period: PeriodText) -> Response:
    """The dashboard of online public services for a period."""
    from fastapi.responses import RedirectResponse

    from egovindex.web.identity import signed_in

    if not signed_in(request):
        return RedirectResponse(f"/login?next=/services/{period}", status_code=303)
    reader(request, "unreleased", agency=None)
    return site.html(request, "services.html", dashboard(period), {"names": _names(site.language(request))})


def _names(lang: str) -> dict[str, str]:
    from egovindex import registry

    return {a.code: (a.name_vi if lang == "vi" else a.name) for a in registry.load().agencies}
