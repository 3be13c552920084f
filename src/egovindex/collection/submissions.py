"""What every step of the collection workflow shares, below the workflow and the reconciliation: its errors, the
current version of a submission, and the context the rules compare a value with."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from egovindex.collection.rules import Context, Failure, reference_peers
from egovindex.domain.periods import Period
from egovindex.sources.files import InputError, Problem
from egovindex.store.collection import Submission

LIVE = ("submitted", "validated", "approved", "released", "correcting")
MAX_TEXT = 4000  # characters of a justification, reason or comment


class WorkflowError(ValueError):
    """An action that the state of the data does not allow; the message says why and what to do."""


class ConflictError(WorkflowError):
    """Someone else changed the record since it was read."""


def check_text(what: str, text: str | None) -> None:
    """A justification, reason or comment of at most MAX_TEXT characters, whichever door it comes through."""
    if text is not None and len(text) > MAX_TEXT:
        raise WorkflowError(f"{what} has {len(text)} characters; the limit is {MAX_TEXT}")
    if text is not None and any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text):
        raise WorkflowError(f"{what} holds control characters (such as a terminal's escape); type plain text")


class RuleError(InputError):
    """Errors found by the rules; nothing was stored."""

    def __init__(self, name: str, failures: list[Failure]) -> None:
        super().__init__([Problem(name, f.row, "value" if f.row else None, str(f)) for f in failures])
        self.failures = failures


@contextmanager
def _conflicts(what: str) -> Iterator[None]:
    """Turn the database's refusal of a concurrent write into a ConflictError that says what to do."""
    try:
        yield
    except (IntegrityError, StaleDataError) as exc:
        raise ConflictError(f"{what} was changed by someone else at the same time; reload and try again") from exc


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def latest(session: Session, agency: str, period: Period | str) -> Submission | None:
    """The current (highest) version of an agency's submission for a period, superseded ones excluded."""
    return session.scalars(
        select(Submission)
        .where(Submission.agency_code == agency, Submission.period == str(period), Submission.status.in_(LIVE))
        .order_by(Submission.version.desc())
        .limit(1)
    ).first()


def _values(session: Session, agency: str, period: Period) -> dict[str, float]:
    sub = latest(session, agency, period)
    return {v.indicator_code: v.value for v in sub.values} if sub else {}


def validation_context(
    session: Session, agency: str, period: Period, peers: dict[str, list[float]] | None = None
) -> Context:
    """What the rules compare a value with, the same whichever door the value came through (page, API, CLI,
    a resolution): the agency's values of the period before and a year before, and the ASEAN peers' values from
    the reference series (``peers`` replaces them, for tests and callers that hold other series)."""
    return Context(
        agency,
        period,
        _values(session, agency, period.previous()),
        _values(session, agency, period.year_ago()),
        reference_peers(period) if peers is None else peers,
    )
