"""Signed-in pages and the JSON API for agencies' statistics: a period's statistics, template download, upload
with every problem shown by row and column, approval, and ``POST /api/submissions`` for programs."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import APIRouter, Form, Header, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select

from egovindex.collection import intake, reconcile, workflow
from egovindex.collection.auth import AuthorisationError, get_user, require
from egovindex.collection.models import Submission
from egovindex.collection.periods import Period, PeriodError
from egovindex.collection.registry_store import ensure_registry
from egovindex.sources.files import SHOWN, InputError
from egovindex.store.db import unit_of_work
from egovindex.web import routedoc
from egovindex.web.auth import check_csrf, csrf_token, require_signed_in, signed_in
from egovindex.web.params import Code, FreeText, LockVersion, PeriodText, RecordId, RuleCode


def period_of(text: str) -> Period:
    """A period from a URL, or 404."""
    try:
        return Period.parse(text)
    except PeriodError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None


def reader(request: Request, what: str, *, agency: str | None = None, day: Any = None) -> Any:
    """The signed-in reader of this request, if the one reading rule (``collection.auth.require_read``) lets them
    read ``what`` ("released", or "unreleased" values of ``agency``; None: of every agency)."""
    from egovindex.collection.auth import require_read
    from egovindex.web.auth import current

    return require_read(current(request), what, agency=agency, day=day)


def bearer(engine: Any, authorization: str | None, use: str) -> str:
    """The user name of an API request's bearer token; 401 with ``WWW-Authenticate`` when it is missing, unknown,
    revoked or expired. The use is audited in its own transaction, so it stays in the log whatever the request
    then does."""
    from egovindex.collection.sessions import TokenError
    from egovindex.collection.sessions import user_for_token as token_user

    if not authorization or not authorization.lower().startswith("bearer ") or not authorization[7:].strip():
        raise HTTPException(
            status_code=401, detail="send Authorization: Bearer <token>", headers={"WWW-Authenticate": "Bearer"}
        )
    try:
        with unit_of_work(engine) as session:
            return token_user(session, authorization[7:].strip()[:200], use=use).username
    except TokenError as exc:
        raise HTTPException(
            status_code=401,
            detail=str(exc),
            headers={"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{exc}"'},
        ) from None


def router(engine: Any, render: Any) -> APIRouter:
    r = APIRouter()

    def page_data(username: str, period: Period) -> dict[str, Any]:
        with unit_of_work(engine) as s:
            ensure_registry(s)
            user = get_user(s, username)
            agency = user.agency_code
            sub = workflow.latest(s, agency, period)
            return {
                "user": username,
                "role": user.role,
                "agency": agency,
                "period": str(period),
                "deadline": period.deadline.isoformat(),
                "indicators": [
                    {
                        "code": i.code,
                        "name": i.name,
                        "name_vi": i.name_vi,
                        "unit": i.unit,
                        "range": list(i.range),
                        "owner": i.owner,
                    }
                    for i in intake.indicators_for(agency, period)
                ],
                "submission": None
                if sub is None
                else {
                    "id": sub.id,
                    "version": sub.version,
                    "status": sub.status,
                    "lock_version": sub.lock_version,
                    "values": {v.indicator_code: v.value for v in sub.values},
                    "warnings": [
                        {
                            "rule": i.rule,
                            "indicator": i.indicator_code,
                            "message": i.message,
                            "justified": i.justification is not None,
                        }
                        for i in sub.issues
                    ],
                },
                "locked": workflow.why_locked(s, agency, period),
                "discrepancies": [d for d in reconcile.listing(s, period=period) if agency in (d["owner"], d["other"])],
            }

    @r.get(
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
    def collect_json(request: Request, period: PeriodText) -> JSONResponse:
        """The signed-in user's agency: its statistics for the period, its latest submission, what locks it."""
        return JSONResponse(page_data(require_signed_in(request), period_of(period)))

    @r.get(
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
    def template(request: Request, period: PeriodText) -> Response:
        """The Excel template of the signed-in user's agency for the period."""
        p = period_of(period)
        with unit_of_work(engine) as s:
            agency = get_user(s, require_signed_in(request)).agency_code
        return Response(
            intake.template(agency, p),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{agency}_{p}.xlsx"'},
        )

    @r.get("/collect/{period}", **routedoc.SIGNED_IN_PAGE)
    def collect_page(request: Request, period: PeriodText) -> HTMLResponse:
        """The signed-in user's agency: its statistics for the period, the template, the upload form."""
        user = signed_in(request)
        if not user:
            return RedirectResponse(f"/login?next=/collect/{period}", status_code=303)  # type: ignore[return-value]
        return render(
            request,
            "collect.html",
            page_data(user, period_of(period)),
            {"csrf": csrf_token(request), "problems": [], "message": None},
        )

    @r.post("/collect/{period}/upload", response_class=HTMLResponse, include_in_schema=False)
    async def upload(request: Request, period: str) -> HTMLResponse:
        """Submit a file (template, CSV or JSON records). The request is read here in chunks and refused once over
        the size limit; the file is read and stored in a worker thread (``uploads.READERS``), never in the event
        loop. The page lists the first problems with their total and links to all of them as CSV."""
        import asyncio

        from starlette.concurrency import run_in_threadpool
        from starlette.datastructures import UploadFile
        from starlette.formparsers import MultiPartException, MultiPartParser

        from egovindex.collection import uploads
        from egovindex.sources.files import Problem

        limits = intake.Limits.from_settings()
        loop = asyncio.get_running_loop()

        def authorise() -> tuple[str, Period]:  # before the file is read: 401, 404, or 403 for who may not submit
            username, p = require_signed_in(request), period_of(period)
            with unit_of_work(engine) as s:
                user = get_user(s, username)
                require(user, "submit", agency=user.agency_code, day=p.end)
            return username, p

        def page(problems: list[Problem], message: str | None, status: int, failures: list[str]) -> HTMLResponse:
            shown = [str(pr) for pr in problems[: uploads.SHOWN]] + failures[: uploads.SHOWN]
            total = len(problems) + len(failures)
            link = None
            if len(problems) > uploads.SHOWN:
                link = f"/collect/problems/{uploads.PROBLEM_LISTS.keep(username, problems)}.csv"
            response = render(
                request,
                "collect.html",
                page_data(username, p),
                {
                    "csrf": csrf_token(request),
                    "problems": shown,
                    "problem_total": total,
                    "problems_url": link,
                    "message": message,
                    "json_url": f"/collect/{p}.json",
                },
            )
            response.status_code = status
            return response

        def store(name: str, data: bytes) -> HTMLResponse:
            try:
                with unit_of_work(engine) as s:
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
                return page(exc.problems, None, 422, [])
            except (workflow.WorkflowError, AuthorisationError) as exc:
                return page([], None, 422, [str(exc)])
            return page([], message, 200, warnings)

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

    @r.get("/collect/problems/{key}.csv", include_in_schema=False)
    def problems_download(request: Request, key: str) -> Response:
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

    def _act(request: Request, submission_id: int, action: Any) -> RedirectResponse:
        """Run one workflow action on a submission for the signed-in user and go back to its period's page."""
        username = require_signed_in(request)
        try:
            with unit_of_work(engine) as s:
                sub = action(s, get_user(s, username))
                period = sub.period
        except AuthorisationError as exc:
            raise HTTPException(status_code=403, detail=str(exc)) from None
        except workflow.WorkflowError as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from None
        return RedirectResponse(f"/collect/{period}", status_code=303)

    @r.post("/collect/submission/{submission_id}/justify", **routedoc.FORM)
    def justify(
        request: Request,
        submission_id: RecordId,
        rule: RuleCode,
        text: FreeText,
        indicator: RuleCode = "",
        csrf: str = Form(...),
    ) -> RedirectResponse:
        check_csrf(request, csrf)
        return _act(
            request,
            submission_id,
            lambda s, u: workflow.justify(
                s, user=u, submission_id=submission_id, rule=rule, text=text, indicator=indicator or None
            ),
        )

    @r.post("/collect/submission/{submission_id}/unapprove", **routedoc.FORM)
    def unapprove(
        request: Request,
        submission_id: RecordId,
        reason: FreeText,
        lock_version: LockVersion,
        csrf: str = Form(...),
    ) -> RedirectResponse:
        check_csrf(request, csrf)
        return _act(
            request,
            submission_id,
            lambda s, u: workflow.unapprove(
                s, user=u, submission_id=submission_id, reason=reason, expected_version=lock_version
            ),
        )

    @r.post("/collect/submission/{submission_id}/approve", **routedoc.FORM)
    def approve(
        request: Request, submission_id: RecordId, lock_version: LockVersion, csrf: str = Form(...)
    ) -> RedirectResponse:
        check_csrf(request, csrf)
        return _act(
            request,
            submission_id,
            lambda s, u: workflow.approve(s, user=u, submission_id=submission_id, expected_version=lock_version),
        )

    # --------------------------------------------------------------------------------------- lead ministry
    def board_data(username: str, period: Period) -> dict[str, Any]:
        from egovindex.collection import audit
        from egovindex.collection.auth import require
        from egovindex.collection.models import Release

        with unit_of_work(engine) as s:
            ensure_registry(s)
            user = get_user(s, username)
            try:
                require(user, "release", day=period.end)
            except AuthorisationError as exc:
                raise HTTPException(status_code=403, detail=str(exc)) from None
            releases = s.scalars(select(Release).where(Release.period == str(period)).order_by(Release.id.desc()))
            verification = audit.verify(s)
            return {
                "period": str(period),
                "deadline": period.deadline.isoformat(),
                "agencies": workflow.status(s, period=period),
                "discrepancies": reconcile.listing(s, period=period),
                "recipients_disagree": reconcile.recipients_disagree(s, period=period),
                "releases": [
                    {
                        "id": r.id,
                        "recipient": r.recipient,
                        "values": len(r.values),
                        "released": [
                            {
                                "indicator": v.indicator_code,
                                "agency": v.agency_code,
                                "value": v.value,
                                "basis": v.basis,
                                "submission": v.submission_id,
                                "discrepancy": v.discrepancy_id,
                            }
                            for v in r.values
                        ],
                        "hash": r.content_hash,
                        "created_at": r.created_at.isoformat(),
                        "corrects": r.supersedes_id,
                        "reason": r.reason,
                    }
                    for r in releases
                ],
                "audit": {
                    "entries": verification.entries,
                    "ok": verification.ok,
                    "problems": verification.problems,
                    "fingerprint": audit.fingerprint(s).code,
                },
            }

    @r.get(
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
    def board_json(request: Request, period: PeriodText) -> JSONResponse:
        """The lead ministry's board: completeness and timeliness per agency, discrepancies, releases, audit."""
        return JSONResponse(board_data(require_signed_in(request), period_of(period)))

    @r.get("/board/{period}", **routedoc.SIGNED_IN_PAGE)
    def board(request: Request, period: PeriodText) -> HTMLResponse:
        """The lead ministry's board for the period, with the release form."""
        user = signed_in(request)
        if not user:
            return RedirectResponse(f"/login?next=/board/{period}", status_code=303)  # type: ignore[return-value]
        return render(request, "board.html", board_data(user, period_of(period)), {"csrf": csrf_token(request)})

    @r.post("/board/{period}/release", **routedoc.FORM)
    def release(
        request: Request, period: PeriodText, recipient: Code, csrf: str = Form(...), reason: FreeText = ""
    ) -> RedirectResponse:
        check_csrf(request, csrf)
        username, p = require_signed_in(request), period_of(period)
        try:
            with unit_of_work(engine) as s:
                workflow.release(s, user=get_user(s, username), recipient=recipient, period=p, reason=reason or None)
        except AuthorisationError as exc:
            raise HTTPException(status_code=403, detail=str(exc)) from None
        except workflow.WorkflowError as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from None
        return RedirectResponse(f"/board/{p}", status_code=303)

    @r.get(
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
    def release_download(request: Request, release_id: RecordId, fmt: str) -> Response:
        """A release as SDMX-CSV (csv), SDMX-ML (xml) or Excel (xlsx); for signed-in users."""
        from egovindex.collection import export
        from egovindex.collection.models import Release

        reader(request, "released")
        formats = {
            "csv": ("sdmx-csv", "text/csv"),
            "xml": ("sdmx-ml", "application/xml"),
            "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        }
        if fmt not in formats:
            raise HTTPException(status_code=404, detail="formats: csv (SDMX-CSV), xml (SDMX-ML), xlsx")
        with unit_of_work(engine) as s:
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

    # --------------------------------------------------------------------------------------- JSON API
    @r.post(
        "/api/submissions",
        status_code=201,
        tags=["api"],
        responses={
            201: {
                "model": routedoc.SubmissionReceipt,
                "description": "Stored",
                "links": {
                    "GetSubmission": routedoc.link(
                        "/api/submissions/{submission_id}", submission_id="$response.body#/id"
                    ),
                    "GetPeriod": routedoc.link("/collect/{period}.json", period="$response.body#/period"),
                },
            },
            413: {"description": "The request is larger than the upload size limit; nothing was read further"},
        },
        openapi_extra={
            "requestBody": {"required": True, "content": {"application/json": {"schema": routedoc.SUBMISSION_BODY}}}
        },
    )
    async def api_submit(request: Request, authorization: str | None = Header(default=None)) -> JSONResponse:
        """Submit an agency's values as a program (``Authorization: Bearer <token>``, see
        ``egovindex users token``). Problems come back all at once with their row and column; nothing is stored.
        The token is checked before a byte of the body is read; the body is read in chunks and refused (413) over
        the upload size limit, then parsed and stored in a worker thread, never in the server's event loop."""
        import asyncio

        from starlette.concurrency import run_in_threadpool

        from egovindex.collection import uploads

        limits = intake.Limits.from_settings()
        username = await run_in_threadpool(bearer, engine, authorization, "POST /api/submissions")
        too_large = f"the request is larger than the limit of {limits.max_bytes} bytes"
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limits.max_bytes:
            raise HTTPException(status_code=413, detail=too_large)
        chunks, seen = [], 0
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > limits.max_bytes:
                raise HTTPException(status_code=413, detail=too_large)
            chunks.append(chunk)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(uploads.READERS, submit_records, username, b"".join(chunks))

    def submit_records(username: str, data: bytes) -> JSONResponse:
        try:
            payload = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise HTTPException(status_code=422, detail="the body is not JSON in UTF-8") from None
        if not isinstance(payload, dict):
            raise HTTPException(status_code=422, detail="give agency, period and a list of values")
        agency, period, values = payload.get("agency"), payload.get("period"), payload.get("values")
        if (
            not isinstance(agency, str)
            or not isinstance(period, str)
            or not isinstance(values, list)
            or not all(isinstance(v, dict) for v in values)
        ):
            raise HTTPException(status_code=422, detail="give agency, period and a list of values")
        p = period_of(period)
        try:
            with unit_of_work(engine) as s:
                user = get_user(s, username)
                require(user, "submit", agency=agency, day=p.end)  # first: a stranger learns nothing of the rules
                rows = intake.read_records(values, agency=agency, period=p, name="request")
                sub, failures = workflow.submit(
                    s, user=user, agency=agency, period=p, rows=rows, channel="api", name="request"
                )
                body = {
                    "id": sub.id,
                    "agency": agency,
                    "period": str(p),
                    "version": sub.version,
                    "status": sub.status,
                    "warnings": [str(f) for f in failures],
                }
        except InputError as exc:
            return JSONResponse(
                {
                    "detail": f"the values were not stored: {len(exc.problems)} problem(s), the first {SHOWN} listed",
                    "total": len(exc.problems),
                    "problems": [
                        {"row": pr.row, "column": pr.column, "message": pr.message} for pr in exc.problems[:SHOWN]
                    ],
                },
                status_code=422,
            )
        except AuthorisationError as exc:
            raise HTTPException(status_code=403, detail=str(exc)) from None
        except workflow.ConflictError as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from None
        except workflow.WorkflowError as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from None
        return JSONResponse(body, status_code=201)

    @r.get("/api/submissions/{submission_id}", tags=["api"])
    def api_get(submission_id: RecordId, authorization: str | None = Header(default=None)) -> JSONResponse:
        """A submission's state and values, for its own agency, the lead ministry and administrators."""
        from egovindex.collection.auth import require_read

        username = bearer(engine, authorization, f"GET /api/submissions/{submission_id}")
        with unit_of_work(engine) as s:
            user = get_user(s, username)
            sub = s.get(Submission, submission_id)
            if sub is None:
                raise HTTPException(status_code=404, detail=f"no submission {submission_id}")
            try:
                require_read(user, "unreleased", agency=sub.agency_code, day=Period.parse(sub.period).end)
            except AuthorisationError:
                raise HTTPException(
                    status_code=403, detail="only the agency's own users, the lead ministry and administrators may"
                ) from None
            return JSONResponse(
                {
                    "id": sub.id,
                    "agency": sub.agency_code,
                    "period": sub.period,
                    "version": sub.version,
                    "status": sub.status,
                    "values": {v.indicator_code: v.value for v in sub.values},
                }
            )

    return r
