"""The lead ministry's board for a period (completeness, timeliness, discrepancies, releases, the audit check),
the release of the period's values to a recipient, and the downloads of a release (SDMX-CSV, SDMX-ML, Excel)."""

from __future__ import annotations

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from egovindex.collection import views, workflow
from egovindex.collection.access import AuthorisationError, get_user
from egovindex.store.db import unit_of_work
from egovindex.web import routedoc
from egovindex.web.identity import check_csrf, csrf_token, reader, require_signed_in, signed_in
from egovindex.web.params import Code, FreeText, PeriodText, RecordId
from egovindex.web.site import SiteDep, period_of

router = APIRouter()


@router.get(
    "/board/{period}.json",
    tags=["statistics"],
    responses={
        200: {
            "description": "The lead ministry's board for the period",
            "links": {
                "GetRelease": routedoc.link(
                    "/releases/{release_id}.{fmt}", release_id="$response.body#/releases/0/id", fmt="csv"
                ),
                "GetDiscrepancy": routedoc.link(
                    "/discrepancy/{discrepancy_id}.json", discrepancy_id="$response.body#/discrepancies/0/id"
                ),
            },
        }
    },
)
def board_json(site: SiteDep, request: Request, period: PeriodText) -> JSONResponse:
    """The lead ministry's board: completeness and timeliness per agency, discrepancies, releases, audit."""
    return JSONResponse(views.board(site.engine, require_signed_in(request), period_of(period)))


@router.get("/board/{period}", **routedoc.SIGNED_IN_PAGE)
def board(site: SiteDep, request: Request, period: PeriodText) -> HTMLResponse:
    """The lead ministry's board for the period, with the release form."""
    user = signed_in(request)
    if not user:
        return RedirectResponse(f"/login?next=/board/{period}", status_code=303)  # type: ignore[return-value]
    return site.html(
        request, "board.html", views.board(site.engine, user, period_of(period)), {"csrf": csrf_token(request)}
    )


@router.post("/board/{period}/release", **routedoc.FORM)
def release(
    site: SiteDep, request: Request, period: PeriodText, recipient: Code, csrf: str = Form(...), reason: FreeText = ""
) -> RedirectResponse:
    check_csrf(request, csrf)
    username, p = require_signed_in(request), period_of(period)
    try:
        with unit_of_work(site.engine) as s:
            workflow.release(s, user=get_user(s, username), recipient=recipient, period=p, reason=reason or None)
    except AuthorisationError as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None
    except workflow.WorkflowError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    return RedirectResponse(f"/board/{p}", status_code=303)


@router.get(
    "/releases/{release_id}.{fmt}",
    tags=["statistics"],
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/csv": {},
                "application/xml": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            },
            "description": "SDMX-CSV, SDMX-ML or Excel",
        }
    },
)
def release_download(site: SiteDep, request: Request, release_id: RecordId, fmt: str) -> Response:
    """A release as SDMX-CSV (csv), SDMX-ML (xml) or Excel (xlsx); for signed-in users."""
    from egovindex.collection import export
    from egovindex.store.collection import Release

    reader(request, "released")
    formats = {
        "csv": ("sdmx-csv", "text/csv"),
        "xml": ("sdmx-ml", "application/xml"),
        "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    }
    if fmt not in formats:
        raise HTTPException(status_code=404, detail="formats: csv (SDMX-CSV), xml (SDMX-ML), xlsx")
    with unit_of_work(site.engine) as s:
        rel = s.get(Release, release_id)
        if rel is None:
            raise HTTPException(status_code=404, detail=f"no release {release_id}")
        kind, media = formats[fmt]
        body = export.to_xlsx(rel) if kind == "xlsx" else export.to_sdmx(rel, kind).encode()
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="release_{release_id}.{fmt}"'},
    )
