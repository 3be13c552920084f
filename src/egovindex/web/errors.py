"""How the application answers what goes wrong, alike for every page family: the error page in the page's
language for a browser, ``{"detail": ...}`` for programs and the API; 401 for nobody signed in and 403 for a
refusal (``collection.auth``), 404 for what is not there; and ``HEAD`` wherever ``GET`` works."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from egovindex import translations
from egovindex.collection.auth import AuthorisationError, NotSignedInError
from egovindex.errors import NotFoundError


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "") and not request.url.path.startswith("/api")


def error_page(request: Request, status: int, detail: Any, headers: dict[str, str] | None = None) -> Response:
    site = request.app.state.site
    lang = site.language(request)
    return site.templates.TemplateResponse(
        request,
        "error.html",
        {"request": request, "lang": lang, "_": translations.gettext(lang), "status": status, "detail": detail},
        status_code=status,
        headers=headers,
    )


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
    if not wants_html(request):
        return await request_validation_exception_handler(request, exc)
    lines = [f"{' '.join(str(part) for part in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors()]
    return error_page(request, 422, lines)


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
