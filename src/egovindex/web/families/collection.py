"""An agency's statistics for a period: the page and its JSON twin, the Excel template, the upload (every
problem shown by row and column), and the actions on a submission (justify a warning, approve, withdraw an
approval)."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from egovindex.collection import intake, views, workflow
from egovindex.collection.access import AuthorisationError, get_user, require
from egovindex.domain.periods import Period
from egovindex.sources.files import InputError, Problem
from egovindex.store.db import unit_of_work
from egovindex.web import routedoc
from egovindex.web.families.entry import form_view
from egovindex.web.identity import check_csrf, csrf_token, require_signed_in, signed_in
from egovindex.web.params import FreeText, LockVersion, PeriodText, RecordId, RuleCode
from egovindex.web.site import Site, SiteDep, period_of

router = APIRouter()


@router.get(
    "/collect/{period}.json",
    tags=["statistics"],
    responses={
        200: {
            "description": "The period's statistics of the user's agency",
            "links": {
                "GetSubmission": routedoc.link(
                    "/api/submissions/{submission_id}", submission_id="$response.body#/submission/id"
                ),
                "GetDiscrepancy": routedoc.link(
                    "/discrepancy/{discrepancy_id}.json", discrepancy_id="$response.body#/discrepancies/0/id"
                ),
            },
        }
    },
)
def collect_json(site: SiteDep, request: Request, period: PeriodText) -> JSONResponse:
    """The signed-in user's agency: its statistics for the period, its latest submission, what locks it."""
    return JSONResponse(views.agency_period(site.engine, require_signed_in(request), period_of(period)))


@router.get(
    "/collect/{period}/template.xlsx",
    tags=["statistics"],
    response_class=Response,
    responses={
        200: {
            "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}},
            "description": "Excel template",
        }
    },
)
def template(site: SiteDep, request: Request, period: PeriodText) -> Response:
    """The Excel template of the signed-in user's agency for the period."""
    p = period_of(period)
    with unit_of_work(site.engine) as s:
        agency = get_user(s, require_signed_in(request)).agency_code
    return Response(
        intake.template(agency, p),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{agency}_{p}.xlsx"'},
    )


@router.get("/collect/{period}", **routedoc.SIGNED_IN_PAGE)
def collect_page(site: SiteDep, request: Request, period: PeriodText) -> HTMLResponse:
    """The signed-in user's agency: its statistics for the period, the form to type them in (with the draft),
    the template, the upload form."""
    user = signed_in(request)
    if not user:
        return RedirectResponse(f"/login?next=/collect/{period}", status_code=303)  # type: ignore[return-value]
    data = views.agency_period(site.engine, user, period_of(period))
    view = {"csrf": csrf_token(request), "problems": [], "message": None}
    return site.html(request, "collect.html", data, view | form_view(site, request, data))


@router.post("/collect/{period}/upload", response_class=HTMLResponse, include_in_schema=False)
async def upload(site: SiteDep, request: Request, period: str) -> HTMLResponse:
    """Submit a file (template, CSV or JSON records). The request is read here in chunks and refused once over
    the size limit; the file is read and stored in a worker thread (``uploads.READERS``), never in the event
    loop. The page lists the first problems with their total and links to all of them as CSV."""
    import asyncio

    from starlette.concurrency import run_in_threadpool
    from starlette.datastructures import UploadFile
    from starlette.formparsers import MultiPartException, MultiPartParser

    from egovindex.collection import uploads

    limits = intake.Limits.from_settings()
    loop = asyncio.get_running_loop()

    def authorise() -> tuple[str, Period]:  # before the file is read: 401, 404, or 403 for who may not submit
        username, p = require_signed_in(request), period_of(period)
        with unit_of_work(site.engine) as s:
            user = get_user(s, username)
            require(user, "submit", agency=user.agency_code, day=p.end)
        return username, p

    def page(problems: list[Problem], message: str | None, status: int, failures: list[str]) -> HTMLResponse:
        return _upload_page(site, request, username, p, problems, message, status, failures)

    def store(name: str, data: bytes) -> HTMLResponse:
        return _store_upload(site, request, username, p, limits, name, data)

    def refuse(problem: Problem) -> Any:
        return loop.run_in_executor(uploads.READERS, page, [problem], None, 413, [])

    username, p = await run_in_threadpool(authorise)  # the store is not read in the event loop
    cap = limits.max_bytes + uploads.FORM_OVERHEAD
    over = f"the limit is {limits.max_bytes} bytes"
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        return await refuse(Problem("upload", None, None, f"{declared} bytes sent; {over}"))

    async def body() -> Any:
        seen = 0
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > cap:
                raise uploads.TooLargeError
            yield chunk

    try:
        form = await MultiPartParser(request.headers, body(), max_files=1, max_fields=4).parse()
    except uploads.TooLargeError:
        return await refuse(Problem("upload", None, None, f"more than {cap} bytes sent; {over}"))
    except (MultiPartException, KeyError):
        raise HTTPException(status_code=400, detail="send the file as multipart/form-data") from None
    try:
        token, file = form.get("csrf"), form.get("file")
        check_csrf(request, token if isinstance(token, str) else None)
        if not isinstance(file, UploadFile):
            raise HTTPException(status_code=422, detail="choose a file to upload")
        name = file.filename or "upload"
        data = await file.read(limits.max_bytes + 1)
    finally:
        await form.close()
    if len(data) > limits.max_bytes:
        return await refuse(Problem(name, None, None, f"more than {limits.max_bytes} bytes; {over}"))
    return await loop.run_in_executor(uploads.READERS, store, name, data)


def _upload_page(
    site: Site,
    request: Request,
    username: str,
    p: Period,
    problems: list[Problem],
    message: str | None,
    status: int,
    failures: list[str],
) -> HTMLResponse:
    """The statistics page after an upload: the first problems with their total and a link to all of them."""
    from egovindex.collection import uploads

    shown = [str(pr) for pr in problems[: uploads.SHOWN]] + failures[: uploads.SHOWN]
    total = len(problems) + len(failures)
    link = None
    if len(problems) > uploads.SHOWN:
        link = f"/collect/problems/{uploads.PROBLEM_LISTS.keep(username, problems)}.csv"
    data = views.agency_period(site.engine, username, p)
    view = {
        "csrf": csrf_token(request),
        "problems": shown,
        "problem_total": total,
        "problems_url": link,
        "message": message,
        "json_url": f"/collect/{p}.json",
        "refused": status if status >= 400 else None,
    }
    response = site.html(request, "collect.html", data, view | form_view(site, request, data))
    response.status_code = status
    return response


def _store_upload(
    site: Site, request: Request, username: str, p: Period, limits: intake.Limits, name: str, data: bytes
) -> HTMLResponse:
    """Read an uploaded file and submit its values (in a worker thread); the page with the result."""
    try:
        with unit_of_work(site.engine) as s:
            user = get_user(s, username)
            rows = intake.read(name, data, agency=user.agency_code, period=p, limits=limits)
            sub, failures = workflow.submit(
                s,
                user=user,
                agency=user.agency_code,
                period=p,
                rows=rows,
                channel=name.rsplit(".", 1)[-1].lower(),
                name=name,
                source_uri=name,
                source_sha256=hashlib.sha256(data).hexdigest(),
            )
            message = f"version {sub.version}: {len(rows)} values, {sub.status}"
            warnings = [str(f) for f in failures]
    except InputError as exc:
        return _upload_page(site, request, username, p, exc.problems, None, 422, [])
    except (workflow.WorkflowError, AuthorisationError) as exc:
        return _upload_page(site, request, username, p, [], None, 422, [str(exc)])
    return _upload_page(site, request, username, p, [], message, 200, warnings)


@router.get("/collect/problems/{key}.csv", include_in_schema=False)
def problems_download(site: SiteDep, request: Request, key: str) -> Response:
    """Every problem of a rejected upload, for the user who uploaded it, for an hour."""
    from egovindex.collection import uploads

    body = uploads.PROBLEM_LISTS.get(require_signed_in(request), key)
    if body is None:
        raise HTTPException(status_code=404, detail="no such list of problems: lists are kept for an hour")
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="problems.csv"', "Cache-Control": "no-store"},
    )


def _act(site: Site, request: Request, submission_id: int, action: Any) -> RedirectResponse:
    """Run one workflow action on a submission for the signed-in user and go back to its period's page."""
    username = require_signed_in(request)
    try:
        with unit_of_work(site.engine) as s:
            sub = action(s, get_user(s, username))
            period = sub.period
    except AuthorisationError as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None
    except workflow.WorkflowError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    return RedirectResponse(f"/collect/{period}", status_code=303)


@router.post("/collect/submission/{submission_id}/justify", **routedoc.FORM)
def justify(
    site: SiteDep,
    request: Request,
    submission_id: RecordId,
    rule: RuleCode,
    text: FreeText,
    indicator: RuleCode = "",
    csrf: str = Form(...),
) -> RedirectResponse:
    check_csrf(request, csrf)
    return _act(
        site,
        request,
        submission_id,
        lambda s, u: workflow.justify(
            s, user=u, submission_id=submission_id, rule=rule, text=text, indicator=indicator or None
        ),
    )


@router.post("/collect/submission/{submission_id}/unapprove", **routedoc.FORM)
def unapprove(
    site: SiteDep,
    request: Request,
    submission_id: RecordId,
    reason: FreeText,
    lock_version: LockVersion,
    csrf: str = Form(...),
) -> RedirectResponse:
    check_csrf(request, csrf)
    return _act(
        site,
        request,
        submission_id,
        lambda s, u: workflow.unapprove(
            s, user=u, submission_id=submission_id, reason=reason, expected_version=lock_version
        ),
    )


@router.post("/collect/submission/{submission_id}/approve", **routedoc.FORM)
def approve(
    site: SiteDep, request: Request, submission_id: RecordId, lock_version: LockVersion, csrf: str = Form(...)
) -> RedirectResponse:
    check_csrf(request, csrf)
    return _act(
        site,
        request,
        submission_id,
        lambda s, u: workflow.approve(s, user=u, submission_id=submission_id, expected_version=lock_version),
    )
