"""Responses that depend only on the state of the store: kept whole, answered without running the page again,
and validated with ETags.

The public pages (the UN's data: overview, rankings, countries, comparisons, simulator) are the same for every
visitor who is not signed in, so their rendered response is kept per URL, language and day, and dropped when the
editions in the store change (``EditionCache.stamp``). Signed-in visitors always get their page built (it names
them and their role), but every GET answered 200 carries an ETag, and a request whose ``If-None-Match`` matches is
answered 304 without a body.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from anyio import to_thread
from starlette.requests import HTTPConnection

from egovindex import translations

if TYPE_CHECKING:
    from egovindex.web.data import EditionCache

PUBLIC = ("/overview.json", "/egdi/", "/country/", "/compare", "/simulator", "/sensitivity.json")
SESSION_COOKIE = "egovindex_session"
MAX_BODY = 2 * 1024 * 1024  # larger responses are neither kept nor tagged
MAX_ENTRIES = 512


def public(path: str) -> bool:
    return path == "/" or path.startswith(PUBLIC)


@dataclass
class Kept:
    stamp: Any
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


@dataclass
class PageCache:
    editions: EditionCache
    entries: OrderedDict[tuple, Kept] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    hits: int = 0

    def get(self, key: tuple, stamp: Any) -> Kept | None:
        with self.lock:
            kept = self.entries.get(key)
            if kept is None or kept.stamp != stamp:
                return None
            self.entries.move_to_end(key)
            self.hits += 1
            return kept

    def put(self, key: tuple, kept: Kept) -> None:
        with self.lock:
            self.entries[key] = kept
            self.entries.move_to_end(key)
            while len(self.entries) > MAX_ENTRIES:
                self.entries.popitem(last=False)


def etag_of(body: bytes) -> bytes:
    return b'"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'


class Conditional:
    """ASGI middleware: answers GETs from the page cache, tags every GET answered 200 with an ETag, and answers
    304 to a matching ``If-None-Match``."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)  # headers and cookies read as the pages read them
        match = connection.headers.get("if-none-match")
        pages: PageCache | None = getattr(scope["app"].state, "site", None) and scope["app"].state.site.pages
        key, stamp = None, None
        if pages is not None and public(scope["path"]) and SESSION_COOKIE not in connection.cookies:
            lang = translations.choose(connection.query_params.get("lang"), connection.cookies.get("lang"))
            key = (scope.get("scheme"), scope["path"], scope["query_string"], lang, dt.date.today())
            stamp = await to_thread.run_sync(pages.editions.stamp)
            kept = pages.get(key, stamp)
            if kept is not None:
                await _answer(send, kept.status, kept.headers, kept.body, match)
                return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []
        passing = False

        async def capture(message: Any) -> None:
            nonlocal passing
            if passing:
                await send(message)
            elif message["type"] == "http.response.start":
                start.update(message)
                if message["status"] != 200 or _length(message["headers"]) > MAX_BODY:
                    passing = True
                    await send(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    body = b"".join(chunks)
                    response_headers = [(k, v) for k, v in start["headers"] if k.lower() != b"etag"]
                    response_headers.append((b"etag", etag_of(body)))
                    if key is not None and pages is not None and _keepable(response_headers):
                        pages.put(key, Kept(stamp, 200, response_headers, body))
                    await _answer(send, 200, response_headers, body, match)
            else:
                await send(message)

        await self.app(scope, receive, capture)


def _length(headers: list[tuple[bytes, bytes]]) -> int:
    for k, v in headers:
        if k.lower() == b"content-length" and v.isdigit():
            return int(v)
    return 0


def _keepable(headers: list[tuple[bytes, bytes]]) -> bool:
    """A response that sets a cookie, is private to its reader or asks not to be stored is not kept for others."""
    for k, v in headers:
        name = k.lower()
        if name == b"set-cookie" or (name == b"cache-control" and (b"no-store" in v or b"private" in v)):
            return False
    return True


async def _answer(send: Any, status: int, headers: list[tuple[bytes, bytes]], body: bytes, match: str | None) -> None:
    etag = next((v for k, v in headers if k == b"etag"), None)
    tokens = [m.strip().removeprefix("W/").encode() for m in match.split(",")] if match is not None else []
    if etag is not None and (etag in tokens or b"*" in tokens):
        kept = [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"content-type")]
        await send({"type": "http.response.start", "status": 304, "headers": kept})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
