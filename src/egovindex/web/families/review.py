"""Reviewing: a discrepancy between two agencies with its comment thread (comment; resolve, by the owner
agency's approver), and the audit log with the check of its chain (lead ministry, administrators)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from egovindex.collection import views
from egovindex.web import routedoc
from egovindex.web.identity import require_signed_in
from egovindex.web.params import Code, FreeText, LockVersion, NumberText, OlderThan, RecordId
from egovindex.web.site import SiteDep, act, guarded

router = APIRouter()


@router.get("/discrepancy/{discrepancy_id}.json", tags=["statistics"])
def discrepancy_json(site: SiteDep, request: Request, discrepancy_id: RecordId) -> JSONResponse:
    """A discrepancy between two agencies' values, with its comment thread and resolution; for the agencies
    involved and the lead ministry."""
    return JSONResponse(views.discrepancy(site.engine, require_signed_in(request), discrepancy_id))


@router.get("/discrepancy/{discrepancy_id}", **routedoc.SIGNED_IN_PAGE)
def discrepancy_page(site: SiteDep, request: Request, discrepancy_id: RecordId) -> Response:
    return guarded(site, request, lambda u: views.discrepancy(site.engine, u, discrepancy_id), "discrepancy.html")


@router.post("/discrepancy/{discrepancy_id}/comment", **routedoc.FORM)
def discrepancy_comment(
    site: SiteDep, request: Request, discrepancy_id: RecordId, text: FreeText, csrf: str = Form(...)
) -> RedirectResponse:
    from egovindex.collection import reconcile

    return act(
        site,
        request,
        csrf,
        lambda s, u: reconcile.comment(s, user=u, discrepancy_id=discrepancy_id, text=text),
        f"/discrepancy/{discrepancy_id}",
    )


@router.post("/discrepancy/{discrepancy_id}/resolve", **routedoc.FORM)
def discrepancy_resolve(
    site: SiteDep,
    request: Request,
    discrepancy_id: RecordId,
    reason: FreeText,
    lock_version: LockVersion,
    csrf: str = Form(...),
    choose: Code = "",
    value: NumberText = "",
) -> RedirectResponse:
    from egovindex.collection import reconcile

    return act(  # the value as typed: read by the number rule once the user is authorised
        site,
        request,
        csrf,
        lambda s, u: reconcile.resolve(
            s,
            user=u,
            discrepancy_id=discrepancy_id,
            reason=reason,
            value=value if value.strip() else None,
            choose=choose or None,
            expected_version=lock_version,
        ),
        f"/discrepancy/{discrepancy_id}",
    )


@router.get("/audit.json", tags=["statistics"])
def audit_json(site: SiteDep, request: Request, before: OlderThan = None, snapshots: bool = False) -> JSONResponse:
    """The newest 100 audit entries (before an entry id, to page back) and the check of the whole chain;
    with ``snapshots``, also the entries that hold the snapshots of the rows each transaction wrote."""
    return JSONResponse(views.audit_log(site.engine, require_signed_in(request), before, snapshots))


@router.get("/audit", **routedoc.SIGNED_IN_PAGE)
def audit_page(site: SiteDep, request: Request, before: OlderThan = None, snapshots: bool = False) -> Response:
    return guarded(site, request, lambda u: views.audit_log(site.engine, u, before, snapshots), "audit.html")
