"""The home page: Viet Nam's position (rank, EGDI, components, group, ASEAN table, trend, targets, deadlines)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from egovindex.analysis import standing
from egovindex.web import routedoc
from egovindex.web.site import Site, SiteDep

router = APIRouter()


@router.get("/overview.json", tags=["pages"])
def overview_json(site: SiteDep, request: Request) -> JSONResponse:
    """Viet Nam's position: rank, EGDI, components, group, ASEAN table, trend, targets, next deadlines."""
    return site.json(_context(site, request)[0])


@router.get("/", **routedoc.PAGE)
def overview(site: SiteDep, request: Request) -> HTMLResponse:
    """Viet Nam's position (the JSON twin: /overview.json)."""
    return site.html(request, "overview.html", *_context(site, request))


def _context(site: Site, request: Request) -> tuple[dict, dict]:  # type: ignore[type-arg]
    from egovindex.collection.views import latest_released

    released = latest_released(site.engine)
    return site.context(standing.overview, site.language(request), released=released)  # type: ignore[no-any-return]
