"""Users, roles and authorisation. Every write is authorised here, per agency and role, before it happens."""

from __future__ import annotations

import datetime as dt
import functools
import re
import secrets
import unicodedata
from typing import TYPE_CHECKING, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from egovindex import registry
from egovindex.collection import audit
from egovindex.collection.models import User

if TYPE_CHECKING:
    from egovindex.collection.sessions import Principal

Role = Literal["administrator", "lead", "approver", "submitter", "viewer"]
USERNAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")  # the same rule for every door (the web form has it as a pattern)
ROLES: tuple[str, ...] = ("administrator", "lead", "approver", "submitter", "viewer")


class AuthorisationError(PermissionError):
    """The user may not do this; the message says who may."""


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


def get_user(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None or not user.active:
        raise AuthorisationError(f"no active user {username!r}")
    return user


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
        password_hash=hash_password(password) if password else None,
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


def self_approval_allowed(session: Session, agency: str) -> bool:
    """Whether an approver of ``agency`` may approve a submission they made themselves (no, unless an
    administrator allowed it for the agency)."""
    from egovindex.collection.models import AgencySetting

    setting = session.get(AgencySetting, agency)
    return bool(setting and setting.allow_self_approval)


def set_self_approval(session: Session, *, user: User, agency: str, allow: bool) -> None:
    """An administrator allows (or forbids again) self-approval for one agency; recorded in the audit log."""
    from egovindex.collection.models import AgencySetting

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


def _agency_covers(user: User | Principal, agency: str, day: dt.date) -> bool:
    """A user's agency acts for ``agency`` if it is that agency or its successor on ``day``."""
    reg = registry.load()
    if user.agency_code == agency:
        return True
    try:
        return user.agency_code in reg.successor_at(agency, day)
    except KeyError:  # no such agency: nobody acts for it
        return False


def require(user: User, action: str, *, agency: str | None = None, day: dt.date | None = None) -> None:
    """Raise unless ``user`` may do ``action`` for ``agency``.

    submit: a submitter (or approver) of the agency; approve/unapprove: an approver of the agency;
    release, close, reopen: the lead ministry (lead role); users: an administrator.
    """
    day = day or dt.date.today()
    if action in ("submit", "justify"):
        ok = user.role in ("submitter", "approver") and agency is not None and _agency_covers(user, agency, day)
        who = f"a submitter or approver of {agency}"
    elif action in ("approve", "unapprove", "resolve"):
        ok = user.role == "approver" and agency is not None and _agency_covers(user, agency, day)
        who = f"an approver of {agency}"
    elif action in ("release", "close", "reopen"):
        ok = user.role == "lead" and user.agency_code == registry.load().lead_at(day)
        who = "the lead ministry (role lead)"
    elif action == "users":
        ok = user.role == "administrator"
        who = "an administrator"
    else:
        raise ValueError(f"unknown action {action!r}")
    if not ok:
        raise AuthorisationError(f"{user.username} ({user.role}, {user.agency_code}) may not {action}: only {who} may")


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


class NotSignedInError(AuthorisationError):
    """Nobody is signed in (HTTP 401), where a signed-in user is needed."""


def may_read_unreleased(user: User | Principal, agency: str | None, day: dt.date | None = None) -> bool:
    """Unreleased values (submissions, discrepancies, reports built from them) are read by the agency's own users,
    the lead ministry and administrators; ``agency=None`` means every agency's values at once."""
    day = day or dt.date.today()
    if user.role == "administrator" or user.agency_code == registry.load().lead_at(day):
        return True
    return agency is not None and _agency_covers(user, agency, day)


def require_read(
    user: User | Principal | None, what: str, *, agency: str | None = None, day: dt.date | None = None
) -> User | Principal | None:
    """The one rule for reading, whichever door asks: UN data are public; released national values need a
    signed-in user; unreleased values need ``may_read_unreleased``."""
    if what == "public":
        return user
    if user is None or not user.active:
        raise NotSignedInError("sign in first")
    if what == "released":
        return user
    if what != "unreleased":
        raise ValueError(f"unknown kind of data {what!r}")
    if not may_read_unreleased(user, agency, day):
        whose = f"{agency}'s" if agency else "every agency's"
        raise AuthorisationError(
            f"{user.username} ({user.role}, {user.agency_code}) may not read {whose} unreleased values: only its "
            "own agency, the lead ministry and administrators may"
        )
    return user
