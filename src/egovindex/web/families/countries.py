"""A country's history over every loaded edition, and countries side by side in one edition."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from egovindex.analysis import standing
from egovindex.web import routedoc
from egovindex.web.params import Countries, Iso3
from egovindex.web.site import SiteDep

router = APIRouter()


@router.get("/country/{iso3}.json", tags=["pages"])
def country_json(site: SiteDep, request: Request, iso3: Iso3) -> JSONResponse:
    """A country's history over all loaded editions."""
    return site.json(site.context(standing.country, iso3, site.language(request))[0])


@router.get("/country/{iso3}", **routedoc.PAGE)
def country_page(site: SiteDep, request: Request, iso3: Iso3) -> HTMLResponse:
    return site.html(request, "country.html", *site.context(standing.country, iso3, site.language(request)))


@router.get("/compare.json", tags=["pages"])
def compare_json(
    site: SiteDep,
    request: Request,
    c: Countries = ["VNM", "THA", "MYS"],  # noqa: B006 - FastAPI copies defaults
    edition: int = 2024,
) -> JSONResponse:
    """Countries side by side in one edition."""
    return site.json(site.context(standing.compare, c, edition, site.language(request))[0])


@router.get("/compare", **routedoc.PAGE)
def compare_page(
    site: SiteDep,
    request: Request,
    c: Countries = ["VNM", "THA", "MYS"],  # noqa: B006 - FastAPI copies defaults
    edition: int = 2024,
) -> HTMLResponse:
    return site.html(request, "compare.html", *site.context(standing.compare, c, edition, site.language(request)))
