"""Signed-in sessions and API tokens, kept on the server.

A browser session is a random id in the cookie; the store keeps only its SHA-256 with the user, when it was
created and last seen, and whether and why it was revoked. Every request looks the session up: a revoked session,
one idle longer than the idle timeout or older than its absolute lifetime, or one whose user was deactivated is no
session at all. Signing out revokes one session; deactivating a user, changing their password and an
administrator's "sign out everywhere" revoke all of the user's sessions (and, for the last two, their tokens).

API tokens are shown once; the store keeps their SHA-256, an expiry, when they were last used and who revoked
them. Every use of a token is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from egovindex.collection import audit
from egovindex.collection.access import AuthorisationError, Principal, get_user, require
from egovindex.store.collection import ApiToken, User, WebSession
from egovindex.store.models import _now

TOUCH_EVERY = dt.timedelta(seconds=60)  # last_seen is written at most once a minute per session


class TokenError(AuthorisationError):
    """An API token that is unknown, expired or revoked (HTTP 401)."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# ------------------------------------------------------------------------------------------- browser sessions
def open_session(session: Session, *, user: User, address: str = "") -> str:
    """A new session for a user who has just signed in; returns the id for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(WebSession(id=_digest(token), user_id=user.id, address=address[:64]))
    session.flush()
    return token


def find_session(
    session: Session, token: str, *, idle: dt.timedelta, lifetime: dt.timedelta, now: dt.datetime | None = None
) -> tuple[Principal | None, str | None]:
    """The signed-in user of a session id (None when the session is unknown, revoked, idle too long, too old, or
    its user is no longer active), and what ``note_session`` must write, if anything: "seen" (at most once a
    minute) or why the session ends. Reads only, so that most requests take no write lock."""
    now = now or _now()
    row = session.get(WebSession, _digest(token))
    if row is None or row.revoked_at is not None:
        return None, None
    user = session.get(User, row.user_id)
    if now - row.last_seen > idle:
        return None, "idle timeout"
    if now - row.created_at > lifetime:
        return None, "lifetime reached"
    if user is None or not user.active:
        return None, "user deactivated"
    return Principal(user.username, user.role, user.agency_code), "seen" if now - row.last_seen >= TOUCH_EVERY else None


def note_session(session: Session, token: str, what: str, now: dt.datetime | None = None) -> None:
    """Write what ``find_session`` found: the time the session was seen, or its end and why."""
    row = session.get(WebSession, _digest(token))
    if row is None or row.revoked_at is not None:
        return
    if what == "seen":
        row.last_seen = now or _now()
    else:
        row.revoked_at, row.revoked_reason = now or _now(), what


def end_session(session: Session, token: str, *, reason: str = "signed out") -> None:
    row = session.get(WebSession, _digest(token))
    if row is not None and row.revoked_at is None:
        row.revoked_at, row.revoked_reason = _now(), reason


def end_all(session: Session, *, user: User, reason: str, tokens: bool = False, actor: str | None = None) -> int:
    """Revoke every session of a user (and their API tokens with ``tokens``); returns how many were ended."""
    now = _now()
    ended = session.execute(
        update(WebSession)
        .where(WebSession.user_id == user.id, WebSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason[:200])
    ).rowcount
    revoked_tokens = 0
    if tokens:
        for t in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))):
            t.revoked, t.revoked_at, t.revoked_by = True, now, actor or user.username
            revoked_tokens += 1
    session.flush()
    if actor is not None:
        audit.record(
            session,
            actor=actor,
            action="user.sign_out_everywhere",
            entity="user",
            entity_id=user.username,
            after={"sessions": ended, "tokens": revoked_tokens},
            reason=reason,
        )
    return ended + revoked_tokens


def sign_out_everywhere(session: Session, *, user: User, username: str) -> int:
    """An administrator (or the user themselves) ends every session and token of ``username``."""
    if user.username != username:
        require(user, "users")
    target = session.scalars(select(User).where(User.username == username)).first()
    if target is None:
        raise ValueError(f"no user {username!r}")
    return end_all(
        session, user=target, reason=f"signed out everywhere by {user.username}", tokens=True, actor=user.username
    )


def sessions_of(session: Session, username: str) -> list[dict[str, object]]:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        return []
    rows = session.scalars(select(WebSession).where(WebSession.user_id == user.id).order_by(WebSession.created_at))
    return [
        {
            "created_at": r.created_at.isoformat(),
            "last_seen": r.last_seen.isoformat(),
            "address": r.address,
            "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None,
            "revoked_reason": r.revoked_reason,
        }
        for r in rows
    ]


# ------------------------------------------------------------------------------------------- API tokens
def issue_token(session: Session, *, actor: str, username: str, label: str = "", days: int = 90) -> str:
    """A new API token for a user, valid for ``days``; the token is shown once, only its hash is kept."""
    if not 1 <= days <= 366:
        raise ValueError("a token is valid for 1 to 366 days")
    user = get_user(session, username)
    token = secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id, token_hash=_digest(token), label=label[:100], expires_at=_now() + dt.timedelta(days=days)
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="token.issue",
        entity="token",
        entity_id=row.id,
        after={"user": username, "label": row.label, "expires_at": row.expires_at},
    )
    return token


def user_for_token(session: Session, token: str, *, use: str = "") -> User:
    """The user a token acts for; an unknown, revoked or expired token, or an inactive user, raises TokenError.
    Each use is written to the audit log (``use`` says what for)."""
    now = _now()
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == _digest(token))).first()
    user = session.get(User, row.user_id) if row else None
    if row is None or user is None:
        raise TokenError("unknown token")
    if row.revoked:
        raise TokenError("the token was revoked")
    if row.expires_at is not None and row.expires_at <= now:
        raise TokenError(f"the token expired on {row.expires_at:%d/%m/%Y}")
    if not user.active:
        raise TokenError("the token's user is deactivated")
    row.last_used_at = now
    audit.record(session, actor=user.username, action="token.use", entity="token", entity_id=row.id, after={"use": use})
    return user


def tokens(session: Session, *, user: User, username: str | None = None) -> list[dict[str, object]]:
    """Tokens of one user (one's own, or anyone's for an administrator), or of everyone (administrators)."""
    if username != user.username:
        require(user, "users")
    query = select(ApiToken, User).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
    if username is not None:
        query = query.where(User.username == username)
    now = _now()
    return [
        {
            "id": t.id,
            "user": u.username,
            "label": t.label,
            "created_at": t.created_at.isoformat(),
            "expires_at": t.expires_at.isoformat() if t.expires_at else None,
            "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
            "state": "revoked"
            if t.revoked
            else ("expired" if t.expires_at is not None and t.expires_at <= now else "active"),
            "revoked_by": t.revoked_by,
        }
        for t, u in session.execute(query)
    ]


def revoke_token(session: Session, *, user: User, token_id: int) -> None:
    """Revoke a token: its own user or an administrator."""
    row = session.get(ApiToken, token_id) if 1 <= token_id < 2**63 else None
    owner = session.get(User, row.user_id) if row else None
    if row is None or owner is None:
        raise ValueError(f"no token {token_id}")
    if owner.username != user.username:
        require(user, "users")
    if row.revoked:
        return
    row.revoked, row.revoked_at, row.revoked_by = True, _now(), user.username
    session.flush()
    audit.record(
        session,
        actor=user.username,
        action="token.revoke",
        entity="token",
        entity_id=row.id,
        before={"revoked": False},
        after={"revoked": True, "user": owner.username},
    )
