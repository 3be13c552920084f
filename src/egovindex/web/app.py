"""The web application: server-rendered pages with a JSON twin for each, downloads of what a page shows, SVG
charts, Vietnamese by default with English available, security headers on every response.

``create_app()`` only assembles: the store, the ``Site`` that every page family is given, the middleware, the
error answers and the routers of the page families (``web.families``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.middleware.sessions import SessionMiddleware

from egovindex import translations
from egovindex.web import errors, routedoc
from egovindex.web.cache import Conditional
from egovindex.web.families import FAMILIES
from egovindex.web.identity import secret_key
from egovindex.web.limits import BodyLimit
from egovindex.web.site import HERE, Site

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class ProblemItem(BaseModel):
    """One problem of a rejected submission: its row and column, and what is wrong."""

    row: int | None = None
    column: str | None = None
    message: str


class ErrorBody(BaseModel):
    """Every error: a message in ``detail`` (FastAPI's own validation errors give a list there); a rejected
    submission adds every ``problem`` with its row and column."""

    detail: Any
    problems: list[ProblemItem] | None = None


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (401, "Not signed in, or no token"),
        (403, "Not allowed for this user's agency and role"),
        (404, "No such edition, country, period or record"),
        (409, "The state of the data does not allow it, or someone else changed it"),
        (422, "Invalid input; nothing was stored"),
    )
}


def create_app(database_url: str | None = None) -> FastAPI:
    import datetime as dt

    from egovindex.collection.registry_store import ensure_registry
    from egovindex.settings import get_settings
    from egovindex.store.db import make_engine, unit_of_work, upgrade

    settings = get_settings()
    url = database_url or settings.database_url
    upgrade(url)
    engine = make_engine(url)
    with unit_of_work(engine) as s:  # the packaged registry, stored once in a transaction of its own
        ensure_registry(s)
    app = FastAPI(
        responses=ERRORS,
        title="egovindex",
        openapi_tags=routedoc.TAGS,
        version="0.1.0",
        description="Viet Nam's standing in the UN E-Government Development Index, and the national "
        "statistics behind it. Every page has a JSON twin (the same path with .json).",
    )
    site = Site.build(engine, settings)
    app.state.site = site
    app.state.engine = engine
    app.state.throttle = site.throttle  # every check of a password is throttled alike
    app.state.session_limits = (
        dt.timedelta(minutes=settings.session_idle_minutes),
        dt.timedelta(hours=settings.session_lifetime_hours),
    )
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key(settings.data_dir, settings.secret_key),
        session_cookie="egovindex_session",
        same_site="lax",
        https_only=settings.secure_cookies,
        max_age=settings.session_lifetime_hours * 3600,
    )
    app.middleware("http")(security_headers)
    app.add_middleware(Conditional)
    app.add_middleware(BodyLimit)
    app.add_middleware(errors.HeadAsGet)
    for family in FAMILIES:
        app.include_router(routedoc.documented(family.router))
    errors.install(app)
    return app


async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    response = await call_next(request)
    for k, v in SECURITY_HEADERS.items():
        response.headers.setdefault(k, v)
    if request.url.scheme == "https":
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    lang = request.query_params.get("lang")
    if lang in translations.LANGUAGES:
        response.set_cookie(
            "lang", lang, max_age=365 * 86400, httponly=True, samesite="lax", secure=request.url.scheme == "https"
        )
    return response
