"""Reconciliation between agencies: when the owner and a contributor report the same statistic for the same
period and their values differ beyond the tolerance (registry/rules.yaml), a discrepancy opens. People comment
on it; the owner agency's approver resolves it by choosing one of the values or entering the reconciled one, with
a reason. An open discrepancy holds the statistic out of releases; a resolved one releases the reconciled value.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from egovindex import registry
from egovindex.collection import audit
from egovindex.collection.auth import AuthorisationError, require
from egovindex.collection.models import Discrepancy, DiscrepancyComment, Submission, User
from egovindex.collection.periods import Period


def _differ(a: float, b: float) -> bool:
    tol = registry.load().reconciliation
    gap = abs(a - b)
    return gap > tol["absolute_tolerance"] and gap > tol["relative_tolerance"] * max(abs(a), abs(b))


def compare(session: Session, sub: Submission, *, actor: str) -> list[Discrepancy]:
    """After a submission: open discrepancies with the other reporters of its indicators, close agreed ones."""
    from egovindex.collection.workflow import latest

    reg = registry.load()
    period = Period.parse(sub.period)
    opened = []
    for value in sub.values:
        ind = reg.indicator(value.indicator_code)
        owner = reg.successor_at(ind.owner_at(period.end), period.end)[0]
        reporters = {c for r in ind.reporters() for c in reg.successor_at(r, period.end)}
        others = sorted(reporters - {sub.agency_code})
        for other in others:
            theirs = latest(session, other, period)
            their_value = next((v for v in theirs.values if v.indicator_code == ind.code), None) if theirs else None
            if their_value is None:
                continue
            if sub.agency_code == owner:
                pair = (sub, value.value, theirs, their_value.value)
            elif other == owner:
                pair = (theirs, their_value.value, sub, value.value)
            else:
                continue  # two contributors: each is compared with the owner
            opened += _update(session, ind.code, period, owner, pair, actor)
    return opened


def _update(
    session: Session,
    indicator: str,
    period: Period,
    owner: str,
    pair: tuple[Submission, float, Submission, float],
    actor: str,
) -> list[Discrepancy]:
    owner_sub, owner_value, other_sub, other_value = pair
    current = session.scalars(
        select(Discrepancy).where(
            Discrepancy.indicator_code == indicator,
            Discrepancy.period == str(period),
            Discrepancy.other_code == other_sub.agency_code,
            Discrepancy.status == "open",
        )
    ).first()
    if not _differ(owner_value, other_value):
        if current is not None:
            current.status, current.reason = "agreed", "the values now agree within the tolerance"
            current.resolved_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
            audit.record(
                session,
                actor=actor,
                action="discrepancy.agreed",
                entity="discrepancy",
                entity_id=current.id,
                before={"status": "open"},
                after={"status": "agreed", "values": [owner_value, other_value]},
            )
        return []
    if current is not None and (current.owner_value, current.other_value) == (owner_value, other_value):
        return []
    if current is not None:
        current.status, current.reason = "replaced", "new values were submitted"
    new = Discrepancy(
        indicator_code=indicator,
        period=str(period),
        owner_code=owner,
        other_code=other_sub.agency_code,
        owner_value=owner_value,
        other_value=other_value,
        owner_submission_id=owner_sub.id,
        other_submission_id=other_sub.id,
    )
    session.add(new)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="discrepancy.open",
        entity="discrepancy",
        entity_id=new.id,
        after={"indicator": indicator, "period": str(period), owner: owner_value, other_sub.agency_code: other_value},
    )
    return [new]


def comment(session: Session, *, user: User, discrepancy_id: int, text: str) -> DiscrepancyComment:
    d = _get(session, discrepancy_id)
    day = Period.parse(d.period).end
    reg = registry.load()
    involved = {*reg.successor_at(d.owner_code, day), *reg.successor_at(d.other_code, day), reg.lead_at(day)}
    if user.agency_code not in involved or user.role == "viewer":
        raise AuthorisationError(
            f"{user.username} ({user.agency_code}) may not comment: only users of "
            f"{d.owner_code}, {d.other_code} or the lead ministry may"
        )
    if not text.strip():
        raise ValueError("a comment cannot be empty")
    c = DiscrepancyComment(discrepancy_id=d.id, author=user.username, text=text.strip())
    session.add(c)
    session.flush()
    audit.record(
        session,
        actor=user.username,
        action="discrepancy.comment",
        entity="discrepancy",
        entity_id=d.id,
        after={"comment": c.text},
    )
    return c


def resolve(
    session: Session,
    *,
    user: User,
    discrepancy_id: int,
    reason: str,
    value: float | None = None,
    choose: str | None = None,
    expected_version: int | None = None,
) -> Discrepancy:
    """The owner agency's approver settles the value: ``choose`` an agency's value or give ``value``."""
    from egovindex.collection.workflow import ConflictError, WorkflowError

    d = _get(session, discrepancy_id)
    if expected_version is not None and d.lock_version != expected_version:
        raise ConflictError(f"discrepancy {d.id} was changed by someone else; reload it and try again")
    require(user, "resolve", agency=d.owner_code, day=Period.parse(d.period).end)
    if d.status != "open":
        raise WorkflowError(f"discrepancy {d.id} is {d.status}")
    if not reason.strip():
        raise WorkflowError("resolving needs a reason")
    if (value is None) == (choose is None):
        raise WorkflowError("give either the reconciled value or the agency whose value stands")
    if choose is not None:
        if choose not in (d.owner_code, d.other_code):
            raise WorkflowError(f"choose {d.owner_code} or {d.other_code}")
        value = d.owner_value if choose == d.owner_code else d.other_value
    d.status, d.resolved_value, d.resolved_by, d.reason = "resolved", value, user.username, reason.strip()
    d.resolved_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    session.flush()
    audit.record(
        session,
        actor=user.username,
        action="discrepancy.resolve",
        entity="discrepancy",
        entity_id=d.id,
        before={"status": "open", d.owner_code: d.owner_value, d.other_code: d.other_value},
        after={"status": "resolved", "value": value},
        reason=reason.strip(),
    )
    return d


def _get(session: Session, discrepancy_id: int) -> Discrepancy:
    from egovindex.collection.workflow import WorkflowError

    d = session.get(Discrepancy, discrepancy_id)
    if d is None:
        raise WorkflowError(f"no discrepancy {discrepancy_id}")
    return d


def for_release(session: Session, indicator: str, period: Period) -> tuple[str, float | None]:
    """('open', None) when the statistic is disputed, ('resolved', value) when reconciled, ('none', None) else."""
    rows = list(
        session.scalars(
            select(Discrepancy)
            .where(Discrepancy.indicator_code == indicator, Discrepancy.period == str(period))
            .order_by(Discrepancy.id)
        )
    )
    if any(d.status == "open" for d in rows):
        return "open", None
    resolved = [d for d in rows if d.status == "resolved"]
    return ("resolved", resolved[-1].resolved_value) if resolved else ("none", None)


def listing(session: Session, *, period: Period | None = None, status: str | None = None) -> list[dict]:
    query = select(Discrepancy).order_by(Discrepancy.id)
    if period is not None:
        query = query.where(Discrepancy.period == str(period))
    if status is not None:
        query = query.where(Discrepancy.status == status)
    return [
        {
            "id": d.id,
            "indicator": d.indicator_code,
            "period": d.period,
            "owner": d.owner_code,
            "owner_value": d.owner_value,
            "other": d.other_code,
            "other_value": d.other_value,
            "status": d.status,
            "resolved_value": d.resolved_value,
            "reason": d.reason,
            "comments": len(d.comments),
        }
        for d in session.scalars(query)
    ]


def recipients_disagree(session: Session, *, period: Period | None = None) -> list[dict]:
    """Statistics whose current releases to two recipients carry different values for the same period (one was
    corrected and the other not): each needs a correcting release."""
    from egovindex.collection.models import Release

    query = select(Release).order_by(Release.id)
    if period is not None:
        query = query.where(Release.period == str(period))
    current: dict[tuple[str, str], Release] = {}
    for rel in session.scalars(query):
        current[(rel.recipient, rel.period)] = rel  # the newest release per recipient and period
    seen: dict[tuple[str, str], dict[str, tuple[float, int]]] = {}
    for (recipient, per), rel in current.items():
        for v in rel.values:
            seen.setdefault((v.indicator_code, per), {})[recipient] = (v.value, rel.id)
    out = []
    for (indicator, per), by_recipient in sorted(seen.items()):
        if len({value for value, _ in by_recipient.values()}) > 1:
            out.append(
                {
                    "indicator": indicator,
                    "period": per,
                    "releases": {r: {"value": v, "release": rid} for r, (v, rid) in sorted(by_recipient.items())},
                }
            )
    return out
