"""Who may do what: roles, and the one rule by which every door (web page, JSON twin, API, command line)
authorises every write (``require``) and every read of unreleased data (``require_read``), per agency and role."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from egovindex import registry
from egovindex.store.collection import User

Role = Literal["administrator", "lead", "approver", "submitter", "viewer"]


USERNAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")  # the same rule for every door (the web form has it as a pattern)


ROLES: tuple[str, ...] = ("administrator", "lead", "approver", "submitter", "viewer")


class AuthorisationError(PermissionError):
    """The user may not do this; the message says who may."""


def get_user(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None or not user.active:
        raise AuthorisationError(f"no active user {username!r}")
    return user


def self_approval_allowed(session: Session, agency: str) -> bool:
    """Whether an approver of ``agency`` may approve a submission they made themselves (no, unless an
    administrator allowed it for the agency)."""
    from egovindex.store.collection import AgencySetting

    setting = session.get(AgencySetting, agency)
    return bool(setting and setting.allow_self_approval)


def _agency_covers(user: User | Principal, agency: str, day: dt.date) -> bool:
    """A user's agency acts for ``agency`` if it is that agency or its successor on ``day``."""
    reg = registry.load()
    if user.agency_code == agency:
        return True
    try:
        return user.agency_code in reg.successor_at(agency, day)
    except KeyError:  # no such agency: nobody acts for it
        return False


ACTIONS = {  # what each action is called in a refusal
    "submit": "submit values",
    "justify": "justify warnings",
    "draft": "save drafts",
    "approve": "approve",
    "unapprove": "withdraw approvals",
    "resolve": "resolve discrepancies",
    "release": "release values",
    "close": "close periods",
    "reopen": "reopen periods",
    "users": "manage users",
}


def require(user: User, action: str, *, agency: str | None = None, day: dt.date | None = None) -> None:
    """Raise unless ``user`` may do ``action`` for ``agency``.

    submit, justify, draft (save the values typed in the browser): a submitter (or approver) of the agency;
    approve/unapprove: an approver of the agency;
    release, close, reopen: the lead ministry (lead role); users: an administrator.
    """
    day = day or dt.date.today()
    if action in ("submit", "justify", "draft"):
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
        raise AuthorisationError(
            f"{user.username} ({user.role}, {user.agency_code}) may not {ACTIONS[action]}: only {who} may"
        )


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


@dataclass(frozen=True)
class Principal:
    """Who is signed in: plain values, usable after the transaction that found them has ended."""

    username: str
    role: str
    agency_code: str
    active: bool = True


def principal(user: User) -> Principal:
    return Principal(user.username, user.role, user.agency_code)
