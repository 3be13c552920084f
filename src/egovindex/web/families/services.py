"""Online public services measured from dossier records, per period: the national figures, the monthly trend,
the agencies ranked by their online share with the flags a reviewer should look at beside them, the service index
766 as far as records determine it, and the services without an online dossier; the JSON twin, and every table
shown as CSV (``?table=``), the dossiers behind the flags included. For the lead ministry and administrators (the
figures are not released)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse

from egovindex.web import routedoc
from egovindex.web.identity import reader
from egovindex.web.params import PeriodText
from egovindex.web.site import SiteDep, csv_download

router = APIRouter()
Table = Literal["agencies", "levels", "trend", "flags", "flagged", "gaps", "index"]


@contextmanager
def _warehouse(period: str) -> Iterator[tuple[Any, Any]]:
    """The period and a read-only connection to the warehouse (409 while an ingestion holds it)."""
    from egovindex.services import stats, warehouse

    try:
        span = stats.Span.parse(period)
    except stats.PeriodError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    try:
        with warehouse.reading() as con:
            yield span, con
    except warehouse.BusyError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None


def dashboard(period: str) -> dict[str, Any]:
    from egovindex.services.dashboard import dashboard as build

    with _warehouse(period) as (span, con):
        return build(span, connection=con)


@router.get("/services/{period}.json", tags=["statistics"])
def services_json(request: Request, period: PeriodText) -> JSONResponse:
    """A period's statistics of online public services (a month 2026-07, a quarter 2026Q3 or a year 2026):
    national, per level and per agency with their flags, the monthly trend, the service index 766 as far as
    records determine it, and the services without an online dossier."""
    reader(request, "unreleased", agency=None)
    return JSONResponse(dashboard(period))


@router.get(
    "/services/{period}.csv",
    tags=["downloads"],
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "CSV"}},
)
def services_csv(
    request: Request, period: PeriodText, table: Table = Query("agencies", description="The table of the page.")
) -> Response:
    """A table of the page as CSV: ``agencies`` (the columns of ``egovindex services stats --by agency``),
    ``levels``, ``trend``, ``flags``, ``flagged`` (the dossiers behind the flags), ``gaps`` (every service without
    an online dossier, not only those shown) or ``index`` (the rows of ``egovindex services index``)."""
    reader(request, "unreleased", agency=None)
    from egovindex.services import index766, stats

    name = f"services_{period}_{table}.csv"
    if table == "flagged":
        with _warehouse(period) as (span, con):
            return csv_download(stats.flagged(span, connection=con), name, ("dossier_id", "agency_code", "flags"))
    if table == "gaps":
        with _warehouse(period) as (span, con):
            return csv_download(stats.gaps(span, connection=con), name, ("period", "agency_code", "procedure_code"))
    if table == "index":
        with _warehouse(period) as (span, con):
            return csv_download(index766.score(span, "agency", connection=con).rows, name, ("period", "agency_code"))
    data = dashboard(period)
    if table == "agencies":
        rows = [{k: v for k, v in r.items() if k != "flags"} for r in data["agencies"]]
        return csv_download(rows, name, ("period", "agency_code", *stats.COLUMNS))
    if table == "levels":
        return csv_download(data["levels"], name, ("period", "unit_level", *stats.COLUMNS))
    if table == "trend":
        return csv_download(data["trend"], name, ("month", "received"))
    return csv_download(data["flags"], name, ("period", "agency_code", "flag", "dossiers", "share", "meaning"))


@router.get("/services/{period}", **routedoc.SIGNED_IN_PAGE)
def services_page(site: SiteDep, request: Request, period: PeriodText) -> Response:
    """The dashboard of online public services for a period."""
    from fastapi.responses import RedirectResponse

    from egovindex.services.dashboard import trend_chart
    from egovindex.web.identity import signed_in

    if not signed_in(request):
        return RedirectResponse(f"/login?next=/services/{period}", status_code=303)
    reader(request, "unreleased", agency=None)
    lang = site.language(request)
    data = dashboard(period)
    return site.html(request, "services.html", data, {"names": _names(lang), "trend_chart": trend_chart(data, lang)})


def _names(lang: str) -> dict[str, str]:
    from egovindex import registry

    return {a.code: (a.name_vi if lang == "vi" else a.name) for a in registry.load().agencies}
