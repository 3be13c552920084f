"""Users and their passwords and tokens: added, changed, deactivated by administrators (``access.require``),
passwords hashed with argon2, one password check whether the user exists or not; every change in the audit log."""

from __future__ import annotations

import datetime as dt
import functools
import secrets
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from egovindex import registry
from egovindex.collection import audit
from egovindex.collection.access import ROLES, USERNAME, require
from egovindex.store.collection import User

MAX_PASSWORD = 1000  # characters


def hash_password(password: str) -> str:
    from argon2 import PasswordHasher

    if len(password) < 12:
        raise ValueError("a password needs at least 12 characters")
    if len(password) > MAX_PASSWORD:
        raise ValueError(f"a password has at most {MAX_PASSWORD} characters")
    return PasswordHasher().hash(password)


@functools.cache
def _decoy_hash() -> str:
    """A hash to check a password against when the user does not exist, so that signing in takes the same time
    whether the name is known or not."""
    from argon2 import PasswordHasher

    return PasswordHasher().hash(secrets.token_urlsafe(16))


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, or None; one argon2 verification either way."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    user = session.scalars(select(User).where(User.username == username[:100])).first()
    stored = user.password_hash if user is not None and user.password_hash else _decoy_hash()
    try:
        ok = PasswordHasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        ok = False
    return user if ok and user is not None and user.active and user.password_hash else None


def add_user(
    session: Session,
    *,
    actor: str,
    username: str,
    agency: str,
    role: str,
    password: str | None = None,
    full_name: str = "",
) -> User:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    if not USERNAME.fullmatch(username):
        raise ValueError(
            f"user name {username[:100]!r}: 1 to 100 letters (a-z, A-Z), digits, '_', '.' or '-', nothing else"
        )
    if len(full_name) > 200 or any(unicodedata.category(c).startswith("C") for c in full_name):
        raise ValueError("a full name has at most 200 characters and no control characters")
    try:
        registry.load().agency(agency)
    except KeyError:
        raise ValueError(f"unknown agency {agency!r}") from None
    if session.scalars(select(User).where(User.username == username)).first():
        raise ValueError(f"user {username!r} exists already")
    user = User(
        username=username,
        agency_code=agency,
        role=role,
        full_name=full_name,
        password_hash=None if password is None else hash_password(password),
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.add",
        entity="user",
        entity_id=username,
        after={"agency": agency, "role": role},
    )
    return user


def change_user(
    session: Session,
    *,
    user: User,
    username: str,
    role: str | None = None,
    agency: str | None = None,
    active: bool | None = None,
) -> User:
    """An administrator changes another user's role, agency or whether the account may sign in. The change is
    audited with the values before and after; an administrator cannot lock themselves out."""
    require(user, "users")
    target = session.scalars(select(User).where(User.username == username)).first()
    if target is None:
        raise ValueError(f"no user {username!r}")
    if role is not None and role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    if agency is not None:
        registry.load().agency(agency)
    if target.username == user.username and (active is False or (role is not None and role != user.role)):
        raise ValueError("administrators cannot deactivate themselves or change their own role")
    before = {"role": target.role, "agency": target.agency_code, "active": target.active}
    if role is not None:
        target.role = role
    if agency is not None:
        target.agency_code = agency
    if active is not None:
        target.active = active
    after = {"role": target.role, "agency": target.agency_code, "active": target.active}
    if after == before:
        return target
    session.flush()
    if before["active"] and not target.active:
        from egovindex.collection import sessions

        sessions.end_all(session, user=target, reason=f"deactivated by {user.username}")
    audit.record(
        session,
        actor=user.username,
        action="user.change",
        entity="user",
        entity_id=username,
        before=before,
        after=after,
    )
    return target


def set_self_approval(session: Session, *, user: User, agency: str, allow: bool) -> None:
    """An administrator allows (or forbids again) self-approval for one agency; recorded in the audit log."""
    from egovindex.store.collection import AgencySetting

    require(user, "users")
    registry.load().agency(agency)
    setting = session.get(AgencySetting, agency)
    before = bool(setting and setting.allow_self_approval)
    if setting is None:
        setting = AgencySetting(agency_code=agency, allow_self_approval=allow, changed_by=user.username)
        session.add(setting)
    setting.allow_self_approval, setting.changed_by = allow, user.username
    setting.changed_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    session.flush()
    audit.record(
        session,
        actor=user.username,
        action="agency.self_approval",
        entity="agency",
        entity_id=agency,
        before={"allow_self_approval": before},
        after={"allow_self_approval": allow},
    )


def issue_token(session: Session, *, actor: str, username: str, label: str = "", days: int = 90) -> str:
    """A new API token (see ``collection.sessions``)."""
    from egovindex.collection import sessions

    return sessions.issue_token(session, actor=actor, username=username, label=label, days=days)


def set_password(session: Session, *, user: User, username: str, password: str) -> None:
    """A user changes their own password, or an administrator sets another's; every session and token of the
    user ends at once."""
    from egovindex.collection import sessions

    if user.username != username:
        require(user, "users")
    target = session.scalars(select(User).where(User.username == username)).first()
    if target is None:
        raise ValueError(f"no user {username!r}")
    target.password_hash = hash_password(password)
    session.flush()
    sessions.end_all(session, user=target, reason="password changed", tokens=True)
    audit.record(session, actor=user.username, action="user.password", entity="user", entity_id=username)
