"""Uploads through the web page: the worker threads that read them, and the problems of a rejected file.

A page lists the first ``SHOWN`` problems with their total; all of them are kept as CSV for the user who uploaded
the file, for ``KEEP_SECONDS``, so that the page can link to them (at most ``PER_USER`` lists a user, ``IN_ALL`` in
all, ``MAX_BYTES`` each; the oldest go first). They are kept in the server's memory: a restart forgets them.
"""

from __future__ import annotations

import csv
import io
import secrets
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from egovindex.collection.intake import escape_text
from egovindex.sources.files import SHOWN, Problem

__all__ = ["SHOWN"]
KEEP_SECONDS = 3600
PER_USER = 5
IN_ALL = 200
MAX_BYTES = 2_000_000
FORM_OVERHEAD = 64 * 1024  # bytes of a multipart request besides the file: boundaries, headers, the form token

# Files are read and stored two at a time, in threads of their own: never in the server's event loop, and never
# in the thread pool that serves the other pages, however many uploads arrive at once.
READERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="egovindex-upload")


class TooLargeError(Exception):
    """The request is larger than an upload may be."""


@dataclass(frozen=True)
class _List:
    user: str
    created: float
    body: bytes


class ProblemLists:
    """Problem lists as CSV, each for one user, for a limited time."""

    def __init__(self) -> None:
        self._lists: OrderedDict[str, _List] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, user: str, problems: list[Problem]) -> str:
        """Keep a list for ``user``; the key to ask for it."""
        body = as_csv(problems)
        key = secrets.token_urlsafe(18)
        now = time.monotonic()
        with self._lock:
            self._expire(now)
            mine = [k for k, v in self._lists.items() if v.user == user]
            for k in mine[: max(0, len(mine) - PER_USER + 1)]:
                del self._lists[k]
            while len(self._lists) >= IN_ALL:
                self._lists.popitem(last=False)
            self._lists[key] = _List(user, now, body)
        return key

    def get(self, user: str, key: str) -> bytes | None:
        """The list kept under ``key`` if it is ``user``'s and has not expired."""
        with self._lock:
            self._expire(time.monotonic())
            kept = self._lists.get(key)
        return kept.body if kept is not None and secrets.compare_digest(kept.user, user) else None

    def _expire(self, now: float) -> None:
        while self._lists:
            key, oldest = next(iter(self._lists.items()))
            if now - oldest.created < KEEP_SECONDS:
                break
            del self._lists[key]


def as_csv(problems: list[Problem]) -> bytes:
    """Problems as CSV (file, row, column, message), cells escaped for spreadsheets, cut at ``MAX_BYTES``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["file", "row", "column", "message"])
    size = 0
    for i, p in enumerate(problems):
        line = io.StringIO()
        csv.writer(line, lineterminator="\n").writerow(
            [escape_text(p.file), "" if p.row is None else p.row, escape_text(p.column or ""), escape_text(p.message)]
        )
        size += len(line.getvalue().encode())
        if size > MAX_BYTES:
            writer.writerow(["", "", "", f"... and {len(problems) - i} more problems, not listed: the list is cut"])
            break
        out.write(line.getvalue())
    return out.getvalue().encode()


PROBLEM_LISTS = ProblemLists()
