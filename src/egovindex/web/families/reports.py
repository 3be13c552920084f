"""The thematic report for the Government Office, as PDF, HTML or JSON (every figure), in the page's language."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, HTTPException, Request, Response

from egovindex.reports import build as rb
from egovindex.web.identity import reader
from egovindex.web.params import PeriodText
from egovindex.web.site import SiteDep, period_of

router = APIRouter()
MEDIA = {"pdf": "application/pdf", "html": "text/html; charset=utf-8", "json": "application/json"}


@router.get(
    "/reports/{period}.{fmt}",
    tags=["reports"],
    response_class=Response,
    responses={
        200: {
            "content": {"application/pdf": {}, "text/html": {}, "application/json": {}},
            "description": "The thematic report as PDF or HTML, or every figure in it as JSON",
        }
    },
)
def report_download(site: SiteDep, request: Request, period: PeriodText, fmt: str) -> Response:
    """The quarterly (2026Q4) or annual (2026) thematic report for the Government Office, in the page's
    language; for the lead ministry and administrators. Built by the same service as ``egovindex report``."""
    reader(request, "unreleased", agency=None)  # the report shows every agency's unreleased values
    if fmt not in MEDIA:
        raise HTTPException(status_code=404, detail="formats: pdf, html, json")
    p = period_of(period)
    lang = site.language(request)
    try:
        raw = site.raw_series()
    except HTTPException:
        raw = None  # the report says the raw-level what-if is unavailable
    try:
        report = rb.produce(site.engine, site.cache.editions(), p, lang=lang, as_of=dt.date.today(), raw=raw)
        body = report.body(fmt)
    except rb.ReportError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    return Response(
        body,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="report_{p}_{lang}.{fmt}"'},
    )
