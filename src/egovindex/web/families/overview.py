"""The home page: Viet Nam's position (rank, EGDI, components, group, ASEAN table, trend, targets, deadlines)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from egovindex.analysis import standing
from egovindex.web import routedoc
from egovindex.web.site import SiteDep

router = APIRouter()


@router.get("/overview.json", tags=["pages"])
def overview_json(site: SiteDep, request: Request) -> JSONResponse:
    """Viet Nam's position: rank, EGDI, components, group, ASEAN table, trend, targets, next deadlines."""
    return site.json(site.context(standing.overview, site.language(request))[0])


@router.get("/", **routedoc.PAGE)
def overview(site: SiteDep, request: Request) -> HTMLResponse:
    """Viet Nam's position (the JSON twin: /overview.json)."""
    return site.html(request, "overview.html", *site.context(standing.overview, site.language(request)))
