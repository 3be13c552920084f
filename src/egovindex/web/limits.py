"""Bodies of forms are small: every POST but the two that take files (the upload and the API's submissions, which
read in chunks under their own limit, ``EGOVINDEX_UPLOAD_MAX_BYTES``) is refused with 413 once its body passes
``FORM_LIMIT``, before anything parses it, whoever sends it."""

from __future__ import annotations

import re
from typing import Any

FORM_LIMIT = 256 * 1024  # bytes: a form of a hundred statistics with sources and notes is a few kilobytes
WITH_FILES = re.compile(r"^/collect/[^/]+/upload$|^/api/submissions$")


class BodyLimit:
    """ASGI middleware: 413 for a form body larger than ``FORM_LIMIT`` (declared, or counted as it arrives)."""

    def __init__(self, app: Any, limit: int = FORM_LIMIT) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS") or WITH_FILES.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        seen = 0
        started = over = False

        async def counted() -> Any:
            nonlocal seen, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:  # answered now; what the application makes of a cut body is not sent
                    over = True
                    if not started:
                        await self._refuse(scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def watched(message: Any) -> None:
            nonlocal started
            if over:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counted, watched)

    async def _refuse(self, scope: Any, receive: Any, send: Any) -> None:
        """413 as every refusal is answered: the error page for a browser, ``{"detail": ...}`` for programs."""
        from fastapi.responses import JSONResponse
        from starlette.requests import Request

        from egovindex.web import errors

        request = Request(scope, receive)
        detail = f"the form is larger than {self.limit} bytes"
        if errors.wants_html(request):
            response = errors.error_page(request, 413, detail)
        else:
            response = JSONResponse({"detail": detail}, status_code=413)
        await response(scope, receive, send)
