"""Administering and one's own account: users and agencies (administrators: add and change users, allow
self-approval, end a user's sessions), and one's sessions, tokens and password."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from egovindex.collection import views
from egovindex.collection.access import require
from egovindex.store.collection import User
from egovindex.web import routedoc
from egovindex.web.identity import require_signed_in
from egovindex.web.params import AgencyCode, Code, Name, NewPassword, NewUserName, Password, RecordId, UserName, YesNo
from egovindex.web.site import SiteDep, act, guarded

router = APIRouter()


@router.get("/admin.json", tags=["administration"])
def admin_json(site: SiteDep, request: Request) -> JSONResponse:
    """Users with their agency, role and state, and every agency with its validity (administrators)."""
    return JSONResponse(views.administration(site.engine, require_signed_in(request)))


@router.get("/admin", **routedoc.SIGNED_IN_PAGE)
def admin_page(site: SiteDep, request: Request) -> Response:
    return guarded(site, request, lambda u: views.administration(site.engine, u), "admin.html")


@router.post("/admin/users", **routedoc.FORM)
def admin_add_user(
    site: SiteDep,
    request: Request,
    username: NewUserName,
    agency: Code,
    role: Code,
    password: NewPassword,
    full_name: Name = "",
    csrf: str = Form(...),
) -> RedirectResponse:
    from egovindex.collection.access import require
    from egovindex.collection.accounts import add_user

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

    return act(site, request, csrf, add, "/admin")


@router.post("/admin/users/{username}", **routedoc.FORM)
def admin_change_user(
    site: SiteDep,
    request: Request,
    username: UserName,
    csrf: str = Form(...),
    role: Code = "",
    agency: Code = "",
    active: Literal["", "yes", "no"] = Form(""),
) -> RedirectResponse:
    from egovindex.collection.accounts import change_user

    return act(
        site,
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


@router.get("/account.json", tags=["administration"])
def account_json(site: SiteDep, request: Request) -> JSONResponse:
    """The signed-in user's sessions (the newest 20) and API tokens."""
    return JSONResponse(views.account(site.engine, require_signed_in(request)))


@router.get("/account", **routedoc.SIGNED_IN_PAGE)
def account_page(site: SiteDep, request: Request) -> Response:
    return guarded(site, request, lambda u: views.account(site.engine, u), "account.html")


@router.post("/account/tokens/{token_id}/revoke", **routedoc.FORM)
def revoke_token(site: SiteDep, request: Request, token_id: RecordId, csrf: str = Form(...)) -> RedirectResponse:
    """Revoke one of one's own tokens (an administrator: anyone's)."""
    from egovindex.collection import sessions

    back = "/admin" if request.headers.get("referer", "").endswith("/admin") else "/account"
    return act(site, request, csrf, lambda s, u: sessions.revoke_token(s, user=u, token_id=token_id), back)


@router.post("/account/sign-out-everywhere", **routedoc.FORM)
def sign_out_everywhere(site: SiteDep, request: Request, csrf: str = Form(...)) -> RedirectResponse:
    from egovindex.collection import sessions

    return act(site, request, csrf, lambda s, u: sessions.sign_out_everywhere(s, user=u, username=u.username), "/login")


@router.post("/account/password", **routedoc.FORM)
def change_password(
    site: SiteDep,
    request: Request,
    current: Password,
    password: NewPassword,
    csrf: str = Form(...),
) -> RedirectResponse:
    from egovindex.collection.accounts import authenticate, set_password
    from egovindex.web.identity import signed_in as request_user

    keys = (f"user:{request_user(request)}", f"addr:{request.client.host if request.client else '-'}")

    def change(s: Any, u: User) -> None:
        # the current password is a sign-in: throttled with the same counts per user and per address
        if site.throttle.locked(*keys):
            raise HTTPException(status_code=429, detail="too many wrong passwords: try again in 15 minutes")
        if authenticate(s, u.username, current) is None:
            site.throttle.fail(*keys)
            raise ValueError("the current password is wrong")
        site.throttle.clear(*keys)
        set_password(s, user=u, username=u.username, password=password)

    return act(site, request, csrf, change, "/login")


@router.post("/admin/users/{username}/sign-out-everywhere", **routedoc.FORM)
def admin_sign_out(site: SiteDep, request: Request, username: UserName, csrf: str = Form(...)) -> RedirectResponse:
    """An administrator ends every session and token of a user."""
    from egovindex.collection import sessions

    def end(s: Any, u: User) -> None:
        require(u, "users")
        sessions.sign_out_everywhere(s, user=u, username=username)

    return act(site, request, csrf, end, "/admin")


@router.post("/admin/agencies/{agency}/self-approval", **routedoc.FORM)
def admin_self_approval(
    site: SiteDep, request: Request, agency: AgencyCode, allow: YesNo = Form(...), csrf: str = Form(...)
) -> RedirectResponse:
    """An administrator allows (or forbids) an agency's approvers to approve their own submissions."""
    from egovindex.collection.accounts import set_self_approval

    return act(
        site, request, csrf, lambda s, u: set_self_approval(s, user=u, agency=agency, allow=allow == "yes"), "/admin"
    )
