"""Signing in and out (the sign-in page; failures throttled per user name and per address)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from egovindex import translations
from egovindex.web import routedoc
from egovindex.web.identity import check_csrf, csrf_token, sign_in, sign_out
from egovindex.web.params import LocalPath, LoginName, NextPage, Password
from egovindex.web.site import Site, SiteDep, local

router = APIRouter()


@router.get("/login", **routedoc.PAGE)
def login_page(site: SiteDep, request: Request, next: NextPage = "/") -> HTMLResponse:
    """The sign-in page; ``next``: the page of this site to go on to."""
    return site.html(request, "login.html", {}, {"csrf": csrf_token(request), "next": local(next), "error": None})


def signed_in_as(site: Site, username: str, password: str) -> Any:
    """The active user with this name and password, or None (one password check either way)."""
    from egovindex.collection.accounts import authenticate
    from egovindex.store.db import unit_of_work

    with unit_of_work(site.engine) as s:
        return authenticate(s, username, password)


@router.post(
    "/login",
    **routedoc.extended(
        routedoc.FORM,
        {
            code: {"description": text, "content": {"text/html": {"schema": {"type": "string"}}}}
            for code, text in (
                (401, "Wrong user name or password: the sign-in page again"),
                (429, "Too many failed sign-ins: the sign-in page again"),
            )
        },
    ),
)
def login(
    site: SiteDep,
    request: Request,
    username: LoginName,
    password: Password,
    csrf: str = Form(...),
    next: LocalPath = "/",
) -> Response:
    """Sign in (5 failures within 15 minutes lock the user name and the address for 15 minutes)."""
    check_csrf(request, csrf)
    address = request.client.host if request.client else "-"
    keys = (f"user:{username}", f"addr:{address}")
    _ = translations.gettext(site.language(request))
    if site.throttle.locked(*keys):
        error, status = _("Too many failed sign-ins: try again in 15 minutes."), 429
    elif (user := signed_in_as(site, username, password)) is None:
        site.throttle.fail(*keys)
        error, status = _("Wrong user name or password."), 401
    else:
        site.throttle.clear(*keys)
        sign_in(request, user)
        return RedirectResponse(local(next), status_code=303)
    response = site.html(request, "login.html", {}, {"csrf": csrf_token(request), "next": local(next), "error": error})
    response.status_code = status
    return response


@router.post("/logout", **routedoc.FORM)
def logout(site: SiteDep, request: Request, csrf: str = Form(...)) -> RedirectResponse:
    """Sign out (this session)."""
    check_csrf(request, csrf)
    sign_out(request)
    return RedirectResponse("/", status_code=303)
