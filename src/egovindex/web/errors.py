"""How the application answers what goes wrong, alike for every page family: the error page in the page's
language for a browser, ``{"detail": ...}`` for programs and the API; 401 for nobody signed in and 403 for a
refusal (``collection.access``), 404 for what is not there; and ``HEAD`` wherever ``GET`` works."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from egovindex import translations
from egovindex.collection.access import AuthorisationError, NotSignedInError
from egovindex.errors import NotFoundError


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "") and not request.url.path.startswith("/api")


VIETNAMESE = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯ\u0300-\u0323]|[\u00c0-\u1ef9]")


def error_page(request: Request, status: int, detail: Any, headers: dict[str, str] | None = None) -> Response:
    """The error page: the status said in the page's language, then the detail, one line per item. A detail line
    the catalogue translates is shown translated; one still in English on a Vietnamese page (the workflow's and the
    access rules' messages are English) is marked ``lang="en"``, for screen readers and for the reader."""
    site = request.app.state.site
    lang = site.language(request)
    _ = translations.gettext(lang)
    items = [detail] if isinstance(detail, str) else list(detail or [])
    lines = []
    for item in items:
        field, text = item if isinstance(item, tuple) else (None, str(item))
        if text == _phrase(status):
            continue  # the router's own detail ("Not Found") says no more than the status sentence
        text = _(text)
        english = lang != "en" and not VIETNAMESE.search(text) and bool(re.search(r"[A-Za-z]{2}", text))
        lines.append({"field": field, "text": text, "lang": "en" if english else None})
    return site.templates.TemplateResponse(
        request,
        "error.html",
        {"request": request, "lang": lang, "_": _, "status": status, "detail": detail, "lines": lines},
        status_code=status,
        headers=headers,
    )


def _phrase(status: int) -> str | None:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return None


async def refused(request: Request, exc: StarletteHTTPException) -> Response:
    """Every refusal, the application's and the router's (no such page, method not allowed)."""
    if not wants_html(request):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
    return error_page(request, exc.status_code, exc.detail, exc.headers)


async def not_allowed(request: Request, exc: Exception) -> Response:
    """One answer for every door: 401 when nobody (or an ended session) is signed in, 403 otherwise."""
    status = 401 if isinstance(exc, NotSignedInError) else 403
    headers = {"WWW-Authenticate": "Bearer"} if request.url.path.startswith("/api") and status == 401 else None
    return await refused(request, HTTPException(status_code=status, detail=str(exc), headers=headers))


async def not_found(request: Request, exc: Exception) -> Response:
    return await refused(request, HTTPException(status_code=404, detail=str(exc)))


async def invalid(request: Request, exc: Exception) -> Response:
    """A parameter out of its bounds: FastAPI's list of errors for programs; for a browser, the error page with
    one line per error (the parameter and why), without echoing the value sent."""
    assert isinstance(exc, RequestValidationError)
    if not wants_html(request):  # the errors without the values sent: an answer never echoes a request back
        errors = [{k: v for k, v in e.items() if k not in ("input", "ctx")} for e in exc.errors()]
        return JSONResponse({"detail": errors}, status_code=422)
    _ = translations.gettext(request.app.state.site.language(request))
    lines = []
    for e in exc.errors():
        names = [str(part) for part in e.get("loc", ()) if part not in ("path", "query", "body", "header", "cookie")]
        lines.append((" ".join(names) or "-", _why(e, _)))
    return error_page(request, 422, lines)


def _why(error: dict[str, Any], _: Any) -> str:
    """Why a parameter was refused, in the page's language (pydantic's message where the kind is not known)."""
    ctx = {k: v for k, v in (error.get("ctx") or {}).items() if isinstance(v, int | float | str)}
    said = {
        "missing": _("is required"),
        "int_parsing": _("must be a whole number"),
        "int_from_float": _("must be a whole number"),
        "float_parsing": _("must be a number"),
        "bool_parsing": _("must be true or false"),
        "greater_than": _("must be more than {gt}"),
        "greater_than_equal": _("must be at least {ge}"),
        "less_than": _("must be less than {lt}"),
        "less_than_equal": _("must be at most {le}"),
        "string_too_short": _("must have at least {min_length} characters"),
        "string_too_long": _("must have at most {max_length} characters"),
        "string_pattern_mismatch": _("is not in the expected form"),
        "too_long": _("has too many values (at most {max_length})"),
        "literal_error": _("must be one of {expected}"),
        "enum": _("must be one of {expected}"),
    }.get(error.get("type", ""))
    if said is None:
        return str(error.get("msg", ""))
    try:
        return said.format(**ctx)
    except (KeyError, IndexError):
        return str(error.get("msg", ""))


def install(app: FastAPI) -> None:
    app.add_exception_handler(AuthorisationError, not_allowed)
    app.add_exception_handler(NotFoundError, not_found)
    app.add_exception_handler(StarletteHTTPException, refused)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, invalid)


class HeadAsGet:
    """HEAD wherever GET works: the request is answered as a GET, and only the status and headers are sent."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Any) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
