"""The JSON API for programs (``Authorization: Bearer <token>``): submit an agency's values, read a submission."""

from __future__ import annotations

import json

from fastapi import APIRouter, Header, HTTPException, Request
from fastapi.responses import JSONResponse

from egovindex.collection import intake, workflow
from egovindex.collection.access import AuthorisationError, get_user, require
from egovindex.domain.periods import Period
from egovindex.sources.files import SHOWN, InputError
from egovindex.store.collection import Submission
from egovindex.store.db import unit_of_work
from egovindex.web import routedoc
from egovindex.web.identity import bearer
from egovindex.web.params import RecordId
from egovindex.web.site import Site, SiteDep, period_of

router = APIRouter()


@router.post(
    "/api/submissions",
    status_code=201,
    tags=["api"],
    responses={
        201: {
            "model": routedoc.SubmissionReceipt,
            "description": "Stored",
            "links": {
                "GetSubmission": routedoc.link("/api/submissions/{submission_id}", submission_id="$response.body#/id"),
                "GetPeriod": routedoc.link("/collect/{period}.json", period="$response.body#/period"),
            },
        },
        413: {"description": "The request is larger than the upload size limit; nothing was read further"},
    },
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": routedoc.SUBMISSION_BODY}}}
    },
)
async def api_submit(site: SiteDep, request: Request, authorization: str | None = Header(default=None)) -> JSONResponse:
    """Submit an agency's values as a program (``Authorization: Bearer <token>``, see
    ``egovindex users token``). Problems come back all at once with their row and column; nothing is stored.
    The token is checked before a byte of the body is read; the body is read in chunks and refused (413) over
    the upload size limit, then parsed and stored in a worker thread, never in the server's event loop."""
    import asyncio

    from starlette.concurrency import run_in_threadpool

    from egovindex.collection import uploads

    limits = intake.Limits.from_settings()
    username = await run_in_threadpool(bearer, site.engine, authorization, "POST /api/submissions")
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
    return await loop.run_in_executor(uploads.READERS, submit_records, site, username, b"".join(chunks))


def submit_records(site: Site, username: str, data: bytes) -> JSONResponse:
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
        with unit_of_work(site.engine) as s:
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


@router.get("/api/submissions/{submission_id}", tags=["api"])
def api_get(site: SiteDep, submission_id: RecordId, authorization: str | None = Header(default=None)) -> JSONResponse:
    """A submission's state and values, for its own agency, the lead ministry and administrators."""
    from egovindex.collection.access import require_read

    username = bearer(site.engine, authorization, f"GET /api/submissions/{submission_id}")
    with unit_of_work(site.engine) as s:
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
