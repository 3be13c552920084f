"""Reconciliation between agencies: when the owner and a contributor report the same statistic for the same
period and their values differ beyond the tolerance (registry/rules.yaml), a discrepancy opens. People comment
on it; the owner agency's approver resolves it by choosing one of the values or entering the reconciled one, with
a reason. An open discrepancy holds the statistic out of releases; a resolved one releases the reconciled value.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import Session

from egovindex import registry
from egovindex.collection import audit
from egovindex.collection.access import AuthorisationError, require
from egovindex.collection.rules import Failure, check
from egovindex.domain.periods import Period
from egovindex.store.collection import Discrepancy, DiscrepancyComment, Submission, User
from egovindex.store.models import _now


def _differ(a: float, b: float) -> bool:
    tol = registry.load().reconciliation
    gap = abs(a - b)
    return gap > tol["absolute_tolerance"] and gap > tol["relative_tolerance"] * max(abs(a), abs(b))


CURRENT = ("open", "resolved")  # the other states (agreed, replaced, superseded, withdrawn) are history


def compare(session: Session, sub: Submission, *, actor: str) -> list[Discrepancy]:
    """After a new version of an agency's values: compare each of its statistics with the other reporters'.

    A new version of either side never leaves a resolution standing on values it did not see: agreeing values
    close the discrepancy; a resolution that named the owner's value is carried to the owner's next version; the
    same values keep their resolution; anything else reopens the reconciliation. A statistic the new version no
    longer reports withdraws its discrepancies."""
    from egovindex.collection.submissions import latest

    reg = registry.load()
    period = Period.parse(sub.period)
    given = {v.indicator_code for v in sub.values}
    for d in _current(session, period, sub.agency_code):
        if d.indicator_code not in given:
            _close(session, d, "withdrawn", f"version {sub.version} of {sub.agency_code} no longer reports it", actor)
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
            opened += _update(session, ind.code, period, owner, pair, sub, actor)
    return opened


def _current(session: Session, period: Period, agency: str) -> list[Discrepancy]:
    """The open or resolved discrepancies of a period in which ``agency`` is a side."""
    return list(
        session.scalars(
            select(Discrepancy)
            .where(
                Discrepancy.period == str(period),
                Discrepancy.status.in_(CURRENT),
                (Discrepancy.owner_code == agency) | (Discrepancy.other_code == agency),
            )
            .order_by(Discrepancy.id)
        )
    )


def _close(session: Session, d: Discrepancy, status: str, reason: str, actor: str) -> None:
    before = d.status
    d.status, d.reason = status, reason if before == "open" else f"{d.reason} | {status}: {reason}"
    if before == "open":
        d.resolved_at = _now()
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=f"discrepancy.{status}",
        entity="discrepancy",
        entity_id=d.id,
        before={"status": before},
        after={"status": status},
        reason=reason,
    )


def _update(
    session: Session,
    indicator: str,
    period: Period,
    owner: str,
    pair: tuple[Submission, float, Submission, float],
    new: Submission,
    actor: str,
) -> list[Discrepancy]:
    owner_sub, owner_value, other_sub, other_value = pair
    current = session.scalars(
        select(Discrepancy).where(
            Discrepancy.indicator_code == indicator,
            Discrepancy.period == str(period),
            Discrepancy.other_code == other_sub.agency_code,
            Discrepancy.status.in_(CURRENT),
        )
    ).first()
    side = f"version {new.version} of {new.agency_code}"
    if not _differ(owner_value, other_value):
        if current is not None:
            status = "agreed" if current.status == "open" else "superseded"
            _close(session, current, status, f"{side}: the values now agree within the tolerance", actor)
        return []
    same = current is not None and (current.owner_value, current.other_value) == (owner_value, other_value)
    if current is not None and current.status == "open" and same:
        return []
    carry: dict[str, object] | None = None
    if current is not None and current.status == "resolved":
        if same:
            carry = {"value": current.resolved_value, "why": f"{side} keeps the values it resolved"}
        elif current.resolution == "owner" and new.agency_code == owner:
            carry = {"value": owner_value, "why": f"the resolution named the owner's value: {side} carries it"}
    if current is not None:
        status = "replaced" if current.status == "open" else "superseded"
        _close(session, current, status, f"{side} changed the values", actor)
    fresh = Discrepancy(
        indicator_code=indicator,
        period=str(period),
        owner_code=owner,
        other_code=other_sub.agency_code,
        owner_value=owner_value,
        other_value=other_value,
        owner_submission_id=owner_sub.id,
        other_submission_id=other_sub.id,
    )
    if carry is not None and current is not None:
        fresh.status, fresh.resolution = "resolved", current.resolution
        fresh.resolved_value, fresh.resolved_by = float(carry["value"]), current.resolved_by  # type: ignore[arg-type]
        fresh.resolved_at, fresh.reason = _now(), f"{current.reason} (carried: {carry['why']})"
    session.add(fresh)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="discrepancy.carry" if carry else ("discrepancy.reopen" if current else "discrepancy.open"),
        entity="discrepancy",
        entity_id=fresh.id,
        before={"discrepancy": current.id, "status": current.status} if current else None,
        after={
            "indicator": indicator,
            "period": str(period),
            owner: owner_value,
            other_sub.agency_code: other_value,
            "status": fresh.status,
            "value": fresh.resolved_value,
        },
        reason=str(carry["why"]) if carry else None,
    )
    return [] if carry else [fresh]


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
    from egovindex.collection.submissions import check_text

    check_text("the comment", text)
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
    value: float | str | None = None,
    choose: str | None = None,
    expected_version: int | None = None,
) -> Discrepancy:
    """The owner agency's approver settles the value: ``choose`` an agency's value or give ``value``."""
    from egovindex.collection.submissions import ConflictError, WorkflowError, check_text

    d = _get(session, discrepancy_id)
    require(user, "resolve", agency=d.owner_code, day=Period.parse(d.period).end)  # first: strangers learn nothing
    if expected_version is not None and d.lock_version != expected_version:
        raise ConflictError(f"discrepancy {d.id} was changed by someone else; reload it and try again")
    if d.status != "open":
        raise WorkflowError(f"discrepancy {d.id} is {d.status}")
    if isinstance(value, str):  # as typed in a form: the number rule of every file (``intake.parse_number``)
        from egovindex.collection.intake import parse_number

        try:
            value = parse_number(value)
        except ValueError as exc:
            raise WorkflowError(f"value: {exc}") from None
    if not reason.strip():
        raise WorkflowError("resolving needs a reason")
    check_text("the reason", reason)
    if (value is None) == (choose is None):
        raise WorkflowError("give either the reconciled value or the agency whose value stands")
    resolution = "value"
    if choose is not None:
        if choose not in (d.owner_code, d.other_code):
            raise WorkflowError(f"choose {d.owner_code} or {d.other_code}")
        value = d.owner_value if choose == d.owner_code else d.other_value
        resolution = "owner" if choose == d.owner_code else "other"
    assert value is not None
    warnings = validate_resolved(session, d, float(value))
    d.status, d.resolved_value, d.resolved_by, d.reason = "resolved", value, user.username, reason.strip()
    d.resolution = resolution
    d.resolved_at = _now()
    with _conflicts(f"discrepancy {d.id}"):
        session.flush()
    audit.record(
        session,
        actor=user.username,
        action="discrepancy.resolve",
        entity="discrepancy",
        entity_id=d.id,
        before={"status": "open", d.owner_code: d.owner_value, d.other_code: d.other_value},
        after={"status": "resolved", "value": value, "resolution": resolution, "warnings": [str(w) for w in warnings]},
        reason=reason.strip(),
    )
    return d


def validate_resolved(session: Session, d: Discrepancy, value: float) -> list[Failure]:
    """The resolved value goes through the same rules as a submitted one: as if the owner had submitted it
    among its current values. Errors raise ``RuleError`` (nothing changes); warnings are returned."""
    from egovindex.collection.intake import Row
    from egovindex.collection.submissions import RuleError, latest, validation_context

    period = Period.parse(d.period)
    owner_sub = latest(session, d.owner_code, period)
    rows = [
        Row(v.indicator_code, v.value, v.source)
        for v in (owner_sub.values if owner_sub else [])
        if v.indicator_code != d.indicator_code
    ]
    rows.append(Row(d.indicator_code, value, f"resolution of discrepancy {d.id}"))
    failures = [
        f
        for f in check(rows, validation_context(session, d.owner_code, period))
        if f.indicator == d.indicator_code and f.rule != "completeness"
    ]
    errors = [f for f in failures if f.severity == "error"]
    if errors:
        raise RuleError(f"discrepancy {d.id}", errors)
    return failures


@contextmanager
def _conflicts(what: str) -> Iterator[None]:
    from egovindex.collection.submissions import _conflicts as conflicts

    with conflicts(what):
        yield


def _get(session: Session, discrepancy_id: int) -> Discrepancy:
    from egovindex.collection.submissions import WorkflowError

    d = session.get(Discrepancy, discrepancy_id)
    if d is None:
        raise WorkflowError(f"no discrepancy {discrepancy_id}")
    return d


def for_release(session: Session, indicator: str, period: Period) -> tuple[str, Discrepancy | None]:
    """('open', d) when the statistic is disputed, ('resolved', d) when reconciled (``d.resolved_value`` is
    released), ('none', None) else. A resolution counts only for the versions it was made on: if either side has a
    newer version that it was not carried to, the statistic is disputed again."""
    from egovindex.collection.submissions import latest

    rows = list(
        session.scalars(
            select(Discrepancy)
            .where(
                Discrepancy.indicator_code == indicator,
                Discrepancy.period == str(period),
                Discrepancy.status.in_(CURRENT),
            )
            .order_by(Discrepancy.id)
        )
    )
    for d in rows:
        if d.status == "open":
            return "open", d
    for d in rows:
        for agency, sid in ((d.owner_code, d.owner_submission_id), (d.other_code, d.other_submission_id)):
            now = latest(session, agency, period)
            if now is None or now.id != sid:
                return "open", d
    return ("resolved", rows[-1]) if rows else ("none", None)


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
            "resolution": d.resolution,
            "reason": d.reason,
            "comments": len(d.comments),
        }
        for d in session.scalars(query)
    ]


def recipients_disagree(session: Session, *, period: Period | None = None) -> list[dict]:
    """Statistics whose current releases to two recipients carry different values for the same period (one was
    corrected and the other not): each needs a correcting release."""
    from egovindex.store.collection import Release

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
