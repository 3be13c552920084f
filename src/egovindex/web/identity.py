"""Signing in: argon2-checked passwords, sessions kept on the server (``collection.sessions``: the cookie, signed,
carries only a random session id and the form token), CSRF tokens on every form, sign-in throttling per user and
per address, and bearer tokens for programs. Every read of unreleased data and every write is authorised by
``collection.access``, whichever door asks."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import HTTPException, Request

from egovindex.keys import secret_key  # noqa: F401 - the instance key, also used by the app

if TYPE_CHECKING:
    from egovindex.collection.access import Principal
    from egovindex.store.collection import User

MAX_FAILURES = 5
WINDOW = 15 * 60  # seconds: 5 failures within 15 minutes lock the account for 15 minutes


@dataclass
class Throttle:
    """Failed logins per account and per address; too many lock both for a while."""

    failures: dict[str, list[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def locked(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(len([t for t in self.failures.get(k, []) if now - t < WINDOW]) >= MAX_FAILURES for k in keys)

    def fail(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self.failures[k] = [t for t in self.failures.get(k, []) if now - t < WINDOW] + [now]

    def clear(self, *keys: str) -> None:
        with self._lock:
            for k in keys:
                self.failures.pop(k, None)


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.session.get("csrf")
    if not expected or not submitted or not secrets.compare_digest(expected, submitted):
        raise HTTPException(status_code=403, detail="invalid or missing form token (CSRF); reload the page")


_UNKNOWN = object()


def current(request: Request) -> Principal | None:
    """Who is signed in on this request, looked up once per request in the server's session table."""
    known = getattr(request.state, "principal", _UNKNOWN)
    if known is not _UNKNOWN:
        return known  # type: ignore[no-any-return]
    found: Principal | None = None
    token = request.session.get("sid")
    if isinstance(token, str) and token:
        from egovindex.collection.sessions import find_session, note_session
        from egovindex.store.db import unit_of_work

        engine, limits = request.app.state.engine, request.app.state.session_limits
        with unit_of_work(engine.execution_options(readonly=True)) as s:  # a snapshot: no write lock
            found, change = find_session(s, token, idle=limits[0], lifetime=limits[1])
        if change is not None:  # at most once a minute, or when the session ends
            with unit_of_work(engine) as s:
                note_session(s, token, change)
        if found is None:
            request.session.pop("sid", None)
    request.state.principal = found
    return found


def signed_in(request: Request) -> str | None:
    p = current(request)
    return p.username if p else None


def require_signed_in(request: Request) -> str:
    """The signed-in user's name, or 401 for the JSON routes and downloads."""
    user = signed_in(request)
    if not user:
        raise HTTPException(status_code=401, detail="sign in first")
    return user


def sign_in(request: Request, user: User) -> None:
    """Start a server-side session for a user whose password was just checked (a new id: no fixation)."""
    from egovindex.collection.access import principal
    from egovindex.collection.sessions import open_session
    from egovindex.store.db import unit_of_work

    request.session.clear()
    with unit_of_work(request.app.state.engine) as s:
        request.session["sid"] = open_session(s, user=user, address=request.client.host if request.client else "")
    request.state.principal = principal(user)
    csrf_token(request)


def sign_out(request: Request) -> None:
    from egovindex.collection.sessions import end_session
    from egovindex.store.db import unit_of_work

    token = request.session.get("sid")
    if isinstance(token, str) and token:
        with unit_of_work(request.app.state.engine) as s:
            end_session(s, token)
    request.session.clear()
    request.state.principal = None


def reader(request: Request, what: str, *, agency: str | None = None, day: Any = None) -> Any:
    """The signed-in reader of this request, if the one reading rule (``collection.access.require_read``) lets them
    read ``what`` ("released", or "unreleased" values of ``agency``; None: of every agency)."""
    from egovindex.collection.access import require_read

    return require_read(current(request), what, agency=agency, day=day)


def bearer(engine: Any, authorization: str | None, use: str) -> str:
    """The user name of an API request's bearer token; 401 with ``WWW-Authenticate`` when it is missing, unknown,
    revoked or expired. The use is audited in its own transaction, so it stays in the log whatever the request
    then does."""
    from egovindex.collection.sessions import TokenError
    from egovindex.collection.sessions import user_for_token as token_user

    if not authorization or not authorization.lower().startswith("bearer ") or not authorization[7:].strip():
        raise HTTPException(
            status_code=401, detail="send Authorization: Bearer <token>", headers={"WWW-Authenticate": "Bearer"}
        )
    from egovindex.store.db import unit_of_work

    try:
        with unit_of_work(engine) as session:
            return token_user(session, authorization[7:].strip()[:200], use=use).username
    except TokenError as exc:
        raise HTTPException(
            status_code=401,
            detail=str(exc),
            headers={"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{exc}"'},
        ) from None
