"""An edition's ranking with its filters (region, subregion, group, sort), its JSON twin and its downloads
(CSV and Excel hold exactly the rows the page shows)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from egovindex.analysis import standing
from egovindex.web import routedoc
from egovindex.web.site import Site, SiteDep, csv_download, safe

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class RankingFilter:
    """The ranking's filters, shared by the page, its JSON twin and its downloads."""

    region: str | None = None
    subregion: str | None = None
    group: str | None = None
    sort: str = "rank"


def _ranking(site: Site, request: Request, year: int, f: RankingFilter) -> tuple[dict, dict]:
    return site.context(
        standing.egdi_ranking,
        year,
        region=f.region or None,
        subregion=f.subregion or None,
        group=f.group or None,
        sort=f.sort,
        lang=site.language(request),
    )


@router.get("/egdi/{year}.json", tags=["pages"])
def ranking_json(
    site: SiteDep,
    request: Request,
    year: int,
    f: Annotated[RankingFilter, Depends()],
) -> JSONResponse:
    """One edition's ranking, with rows carrying at least iso3, country, egdi and rank."""
    return site.json(_ranking(site, request, year, f)[0])


@router.get(
    "/egdi/{year}.csv",
    tags=["downloads"],
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "CSV"}},
)
def ranking_csv(
    site: SiteDep,
    request: Request,
    year: int,
    f: Annotated[RankingFilter, Depends()],
) -> Response:
    """Exactly the rows the ranking page shows, as CSV."""
    return csv_download(_ranking(site, request, year, f)[0]["rows"], f"egdi_{year}.csv", ("iso3",))


@router.get(
    "/egdi/{year}.xlsx",
    tags=["downloads"],
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "Excel workbook"}},
)
def ranking_xlsx(
    site: SiteDep,
    request: Request,
    year: int,
    f: Annotated[RankingFilter, Depends()],
) -> Response:
    """Exactly the rows the ranking page shows, as Excel."""
    from openpyxl import Workbook

    rows = _ranking(site, request, year, f)[0]["rows"]
    book = Workbook()
    ws = book.active
    ws.title = f"EGDI {year}"
    if rows:
        ws.append(list(rows[0]))
        for r in rows:
            ws.append([safe(v) for v in r.values()])
    out = io.BytesIO()
    book.save(out)
    return Response(
        out.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="egdi_{year}.xlsx"'},
    )


@router.get("/egdi/{year}", **routedoc.PAGE)
def ranking_page(
    site: SiteDep,
    request: Request,
    year: int,
    f: Annotated[RankingFilter, Depends()],
) -> HTMLResponse:
    data, view = _ranking(site, request, year, f)
    return site.html(request, "ranking.html", data, {**view, "query": request.url.query})


@router.get(
    "/egdi",
    tags=[routedoc.PAGES],
    status_code=307,
    response_class=RedirectResponse,
    response_description="On to the latest edition's ranking",
)
def latest_ranking(site: SiteDep) -> RedirectResponse:
    """The latest edition's ranking."""
    latest = site.cache.latest()
    if latest is None:
        raise HTTPException(404, "no edition is loaded")
    return RedirectResponse(f"/egdi/{latest.year}")
