"""Signing in: argon2-checked passwords, signed session cookies, CSRF tokens on every form, login rate limiting
with lockout, and bearer tokens for programs. Every write is still authorised by ``collection.auth.require``."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import HTTPException, Request

MAX_FAILURES = 5
WINDOW = 15 * 60  # seconds: 5 failures within 15 minutes lock the account for 15 minutes


def secret_key(data_dir: Path, configured: str) -> str:
    """The configured key, or one generated once and kept (mode 0600) in the data folder; never in the repo."""
    if configured:
        return configured
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


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


def signed_in(request: Request) -> str | None:
    return request.session.get("user")


def require_signed_in(request: Request) -> str:
    """The signed-in user's name, or 401 for the JSON routes and downloads."""
    user = signed_in(request)
    if not user:
        raise HTTPException(status_code=401, detail="sign in first")
    return user
