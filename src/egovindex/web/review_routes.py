"""Signed-in pages for reviewing and administering: a discrepancy with its comment thread (comment; resolve by
the owner agency's approver), the audit log with its chain check (lead ministry, administrators), and users and
agencies (administrators). Each page has a JSON twin built from the same context; every write checks the CSRF
token and is authorised by ``collection.auth``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import func, select

from egovindex import registry
from egovindex.collection.auth import ROLES, AuthorisationError, get_user, require
from egovindex.collection.models import Discrepancy, User
from egovindex.collection.periods import Period
from egovindex.collection.registry_store import ensure_registry
from egovindex.store.db import unit_of_work
from egovindex.web import routedoc
from egovindex.web.auth import check_csrf, csrf_token, require_signed_in, signed_in
from egovindex.web.params import (
    AgencyCode,
    Code,
    FreeText,
    LockVersion,
    Name,
    NewPassword,
    NewUserName,
    NumberText,
    OlderThan,
    Password,
    RecordId,
    UserName,
    YesNo,
)

AUDIT_PAGE = 100


def router(engine: Any, render: Callable[..., HTMLResponse]) -> APIRouter:
    r = APIRouter()

    def guarded(request: Request, build: Callable[[str], dict[str, Any]], template: str) -> Response:
        """The HTML page: sign in first, then the same context as the JSON twin."""
        user = signed_in(request)
        if not user:
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return render(request, template, build(user), {"csrf": csrf_token(request), "roles": ROLES})

    def act(request: Request, csrf: str, action: Callable[[Any, User], None], back: str) -> RedirectResponse:
        """One write for the signed-in user, in one transaction, then back to the page it came from."""
        from egovindex.collection.workflow import ConflictError, WorkflowError

        check_csrf(request, csrf)
        username = require_signed_in(request)
        try:
            with unit_of_work(engine) as s:
                action(s, get_user(s, username))
        except AuthorisationError as exc:
            raise HTTPException(status_code=403, detail=str(exc)) from None
        except ConflictError as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from None
        except (WorkflowError, ValueError, KeyError) as exc:
            raise HTTPException(status_code=422, detail=str(exc).strip("'\"")) from None
        return RedirectResponse(back, status_code=303)

    # ------------------------------------------------------------------------------------- discrepancies
    def discrepancy_data(username: str, discrepancy_id: int) -> dict[str, Any]:
        with unit_of_work(engine) as s:
            ensure_registry(s)
            user = get_user(s, username)
            d = s.get(Discrepancy, discrepancy_id)
            if d is None:
                raise HTTPException(status_code=404, detail=f"no discrepancy {discrepancy_id}")
            day = Period.parse(d.period).end
            reg = registry.load()
            involved = {*reg.successor_at(d.owner_code, day), *reg.successor_at(d.other_code, day), reg.lead_at(day)}
            if user.agency_code not in involved and user.role != "administrator":
                raise HTTPException(
                    status_code=403,
                    detail=f"only users of {d.owner_code}, {d.other_code} or the lead ministry see this discrepancy",
                )
            owner_side = user.agency_code in reg.successor_at(d.owner_code, day)
            return {
                "id": d.id,
                "indicator": d.indicator_code,
                "indicator_name": reg.indicator(d.indicator_code).name,
                "indicator_name_vi": reg.indicator(d.indicator_code).name_vi,
                "period": d.period,
                "owner": d.owner_code,
                "owner_value": d.owner_value,
                "owner_submission": d.owner_submission_id,
                "other": d.other_code,
                "other_value": d.other_value,
                "other_submission": d.other_submission_id,
                "status": d.status,
                "opened_at": d.opened_at.isoformat(),
                "resolved_value": d.resolved_value,
                "resolved_by": d.resolved_by,
                "resolved_at": d.resolved_at.isoformat() if d.resolved_at else None,
                "reason": d.reason,
                "lock_version": d.lock_version,
                "comments": [{"author": c.author, "at": c.at.isoformat(), "text": c.text} for c in d.comments],
                "may_comment": user.role != "viewer",
                "may_resolve": d.status == "open" and user.role == "approver" and owner_side,
            }

    @r.get("/discrepancy/{discrepancy_id}.json", tags=["statistics"])
    def discrepancy_json(request: Request, discrepancy_id: RecordId) -> JSONResponse:
        """A discrepancy between two agencies' values, with its comment thread and resolution; for the agencies
        involved and the lead ministry."""
        return JSONResponse(discrepancy_data(require_signed_in(request), discrepancy_id))

    @r.get("/discrepancy/{discrepancy_id}", **routedoc.SIGNED_IN_PAGE)
    def discrepancy_page(request: Request, discrepancy_id: RecordId) -> Response:
        return guarded(request, lambda u: discrepancy_data(u, discrepancy_id), "discrepancy.html")

    @r.post("/discrepancy/{discrepancy_id}/comment", **routedoc.FORM)
    def discrepancy_comment(
        request: Request, discrepancy_id: RecordId, text: FreeText, csrf: str = Form(...)
    ) -> RedirectResponse:
        from egovindex.collection import reconcile

        return act(
            request,
            csrf,
            lambda s, u: reconcile.comment(s, user=u, discrepancy_id=discrepancy_id, text=text),
            f"/discrepancy/{discrepancy_id}",
        )

    @r.post("/discrepancy/{discrepancy_id}/resolve", **routedoc.FORM)
    def discrepancy_resolve(
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

    # ------------------------------------------------------------------------------------------- audit
    def audit_data(username: str, before: int | None, snapshots: bool = False) -> dict[str, Any]:
        from egovindex.collection import audit
        from egovindex.collection.models import AuditEntry

        with unit_of_work(engine) as s:
            ensure_registry(s)
            user = get_user(s, username)
            lead = registry.load().lead_at(dt.date.today())
            if not (user.role == "administrator" or (user.role == "lead" and user.agency_code == lead)):
                raise HTTPException(status_code=403, detail="only the lead ministry and administrators read the log")
            query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(AUDIT_PAGE)
            if before is not None:
                query = query.where(AuditEntry.id < before)
            if not snapshots:  # the workflow's actions; the row snapshots that cover them on request
                query = query.where(AuditEntry.action.not_in(audit.SNAPSHOT_ACTIONS))
            entries = list(s.scalars(query))
            verification = audit.verify(s)
            total = s.scalar(select(func.count(AuditEntry.id))) or 0
            mark = audit.fingerprint(s)
            return {
                "fingerprint": {"entries": mark.entries, "head": mark.head, "code": mark.code},
                "verified": verification.ok,
                "problems": verification.problems,
                "entries_total": total,
                "entries": [
                    {
                        "id": e.id,
                        "at": e.at.isoformat(),
                        "actor": e.actor,
                        "action": e.action,
                        "entity": f"{e.entity} {e.entity_id}",
                        "before": e.before,
                        "after": e.after,
                        "reason": e.reason,
                        "hash": e.hash,
                    }
                    for e in entries
                ],
                "older": entries[-1].id if len(entries) == AUDIT_PAGE else None,
                "snapshots": snapshots,
            }

    @r.get("/audit.json", tags=["statistics"])
    def audit_json(request: Request, before: OlderThan = None, snapshots: bool = False) -> JSONResponse:
        """The newest 100 audit entries (before an entry id, to page back) and the check of the whole chain;
        with ``snapshots``, also the entries that hold the snapshots of the rows each transaction wrote."""
        return JSONResponse(audit_data(require_signed_in(request), before, snapshots))

    @r.get("/audit", **routedoc.SIGNED_IN_PAGE)
    def audit_page(request: Request, before: OlderThan = None, snapshots: bool = False) -> Response:
        return guarded(request, lambda u: audit_data(u, before, snapshots), "audit.html")

    # ------------------------------------------------------------------------------------------- admin
    def admin_data(username: str) -> dict[str, Any]:
        from egovindex.collection.auth import require

        with unit_of_work(engine) as s:
            ensure_registry(s)
            user = get_user(s, username)
            try:
                require(user, "users")
            except AuthorisationError as exc:
                raise HTTPException(status_code=403, detail=str(exc)) from None
            from egovindex.collection import sessions
            from egovindex.collection.models import AgencySetting

            today = dt.date.today()
            allowed = {a.agency_code for a in s.scalars(select(AgencySetting)) if a.allow_self_approval}
            return {
                "tokens": sessions.tokens(s, user=user),
                "self_approval": sorted(allowed),
                "users": [
                    {
                        "username": u.username,
                        "full_name": u.full_name,
                        "agency": u.agency_code,
                        "role": u.role,
                        "active": u.active,
                        "created_at": u.created_at.isoformat(),
                    }
                    for u in s.scalars(select(User).order_by(User.agency_code, User.username))
                ],
                "agencies": [
                    {
                        "code": a.code,
                        "name": a.name,
                        "name_vi": a.name_vi,
                        "block": a.block,
                        "valid_from": a.valid_from.isoformat() if a.valid_from else None,
                        "valid_to": a.valid_to.isoformat() if a.valid_to else None,
                        "current": a.valid_at(today),
                        "self_approval": a.code in allowed,
                        "successors": list(a.successors),
                    }
                    for a in registry.load().agencies
                ],
            }

    @r.get("/admin.json", tags=["administration"])
    def admin_json(request: Request) -> JSONResponse:
        """Users with their agency, role and state, and every agency with its validity (administrators)."""
        return JSONResponse(admin_data(require_signed_in(request)))

    @r.get("/admin", **routedoc.SIGNED_IN_PAGE)
    def admin_page(request: Request) -> Response:
        return guarded(request, admin_data, "admin.html")

    @r.post("/admin/users", **routedoc.FORM)
    def admin_add_user(
        request: Request,
        username: NewUserName,
        agency: Code,
        role: Code,
        password: NewPassword,
        full_name: Name = "",
        csrf: str = Form(...),
    ) -> RedirectResponse:
        from egovindex.collection.auth import add_user, require

        def add(s: Any, u: User) -> None:
            require(u, "users")
            add_user(
                s,
                actor=u.username,
                username=username,
                agency=agency,
                role=role,
                password=password,
                full_name=full_name,
            )

        return act(request, csrf, add, "/admin")

    @r.post("/admin/users/{username}", **routedoc.FORM)
    def admin_change_user(
        request: Request,
        username: UserName,
        csrf: str = Form(...),
        role: Code = "",
        agency: Code = "",
        active: Literal["", "yes", "no"] = Form(""),
    ) -> RedirectResponse:
        from egovindex.collection.auth import change_user

        return act(
            request,
            csrf,
            lambda s, u: change_user(
                s,
                user=u,
                username=username,
                role=role or None,
                agency=agency or None,
                active=None if not active else active == "yes",
            ),
            "/admin",
        )

    # ------------------------------------------------------------------------------------------- account
    def account_data(username: str) -> dict[str, Any]:
        from egovindex.collection import sessions

        with unit_of_work(engine) as s:
            user = get_user(s, username)
            return {
                "user": user.username,
                "agency": user.agency_code,
                "role": user.role,
                "sessions": sessions.sessions_of(s, username)[-20:],
                "tokens": sessions.tokens(s, user=user, username=username),
            }

    @r.get("/account.json", tags=["administration"])
    def account_json(request: Request) -> JSONResponse:
        """The signed-in user's sessions (the newest 20) and API tokens."""
        return JSONResponse(account_data(require_signed_in(request)))

    @r.get("/account", **routedoc.SIGNED_IN_PAGE)
    def account_page(request: Request) -> Response:
        return guarded(request, account_data, "account.html")

    @r.post("/account/tokens/{token_id}/revoke", **routedoc.FORM)
    def revoke_token(request: Request, token_id: RecordId, csrf: str = Form(...)) -> RedirectResponse:
        """Revoke one of one's own tokens (an administrator: anyone's)."""
        from egovindex.collection import sessions

        back = "/admin" if request.headers.get("referer", "").endswith("/admin") else "/account"
        return act(request, csrf, lambda s, u: sessions.revoke_token(s, user=u, token_id=token_id), back)

    @r.post("/account/sign-out-everywhere", **routedoc.FORM)
    def sign_out_everywhere(request: Request, csrf: str = Form(...)) -> RedirectResponse:
        from egovindex.collection import sessions

        return act(request, csrf, lambda s, u: sessions.sign_out_everywhere(s, user=u, username=u.username), "/login")

    @r.post("/account/password", **routedoc.FORM)
    def change_password(
        request: Request,
        current: Password,
        password: NewPassword,
        csrf: str = Form(...),
    ) -> RedirectResponse:
        from egovindex.collection.auth import authenticate, set_password
        from egovindex.web.auth import signed_in as request_user

        throttle = request.app.state.throttle
        keys = (f"user:{request_user(request)}", f"addr:{request.client.host if request.client else '-'}")

        def change(s: Any, u: User) -> None:
            # the current password is a sign-in: throttled with the same counts per user and per address
            if throttle.locked(*keys):
                raise HTTPException(status_code=429, detail="too many wrong passwords: try again in 15 minutes")
            if authenticate(s, u.username, current) is None:
                throttle.fail(*keys)
                raise ValueError("the current password is wrong")
            throttle.clear(*keys)
            set_password(s, user=u, username=u.username, password=password)

        return act(request, csrf, change, "/login")

    @r.post("/admin/users/{username}/sign-out-everywhere", **routedoc.FORM)
    def admin_sign_out(request: Request, username: UserName, csrf: str = Form(...)) -> RedirectResponse:
        """An administrator ends every session and token of a user."""
        from egovindex.collection import sessions

        def end(s: Any, u: User) -> None:
            require(u, "users")
            sessions.sign_out_everywhere(s, user=u, username=username)

        return act(request, csrf, end, "/admin")

    @r.post("/admin/agencies/{agency}/self-approval", **routedoc.FORM)
    def admin_self_approval(
        request: Request, agency: AgencyCode, allow: YesNo = Form(...), csrf: str = Form(...)
    ) -> RedirectResponse:
        """An administrator allows (or forbids) an agency's approvers to approve their own submissions."""
        from egovindex.collection.auth import set_self_approval

        return act(
            request, csrf, lambda s, u: set_self_approval(s, user=u, agency=agency, allow=allow == "yes"), "/admin"
        )

    return r
