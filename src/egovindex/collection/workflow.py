"""The workflow: draft -> submitted -> validated -> approved -> released, with unapprove, period closing,
completeness and timeliness, and releases to each recipient. Every function runs inside the caller's transaction
(``store.db.unit_of_work``), authorises first, and writes its audit entry with the change."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from egovindex import registry
from egovindex.collection import audit
from egovindex.collection.access import AuthorisationError, require, self_approval_allowed
from egovindex.collection.intake import Row, indicators_for, parse_number
from egovindex.collection.reconcile import compare, for_release
from egovindex.collection.rules import Failure, check, rules_digest
from egovindex.collection.submissions import (  # noqa: F401 - the workflow's errors and reads, used through it
    LIVE,
    MAX_TEXT,
    ConflictError,
    RuleError,
    WorkflowError,
    _conflicts,
    _now,
    check_text,
    latest,
    validation_context,
)
from egovindex.domain.periods import Period
from egovindex.sources.files import InputError, Problem
from egovindex.store.collection import (
    Discrepancy,
    PeriodState,
    Release,
    ReleasedValue,
    Submission,
    SubmittedValue,
    User,
    ValidationIssue,
)


def why_locked(session: Session, agency: str, period: Period) -> str | None:
    """Why the agency's values for the period cannot be edited now, or None if they can."""
    state = session.get(PeriodState, str(period))
    if state and state.closed:
        return (
            f"period {period} was closed by {state.changed_by} on {state.changed_at:%d/%m/%Y}; ask the lead "
            "ministry to reopen it"
        )
    sub = latest(session, agency, period)
    if sub and sub.status == "released":
        return (
            f"version {sub.version} of {agency}'s {period} values was released; the lead ministry opens a correction "
            "('collect correct') before new values can be submitted"
        )
    if sub and sub.status == "approved":
        return (
            f"version {sub.version} of {agency}'s {period} values was approved ({sub.status_reason or 'approved'});"
            " an approver of the agency must unapprove it, with a reason, before it can be changed"
        )
    return None


def submit(
    session: Session,
    *,
    user: User,
    agency: str,
    period: Period,
    rows: list[Row],
    channel: str,
    name: str,
    source_uri: str | None = None,
    source_sha256: str | None = None,
    peers: dict[str, list[float]] | None = None,
    reason: str | None = None,
    correction: dict[str, Any] | None = None,
) -> tuple[Submission, list[Failure]]:
    """Validate and store a new version of the agency's values; errors store nothing. ``reason`` and
    ``correction`` (what was corrected: ``correct``) go into the audit entry and the new version's status note."""
    require(user, "submit", agency=agency, day=period.end)
    locked = why_locked(session, agency, period)
    if locked:
        raise WorkflowError(f"cannot submit: {locked}")
    if not rows:
        raise InputError([Problem(name, None, "value", "no value was given")])
    failures = check(rows, validation_context(session, agency, period, peers))
    errors = [f for f in failures if f.severity == "error"]
    if errors:
        raise RuleError(name, failures)
    warnings = [f for f in failures if f.severity == "warning"]
    previous = latest(session, agency, period)
    sub = Submission(
        agency_code=agency,
        period=str(period),
        version=(previous.version + 1) if previous else 1,
        status="submitted" if warnings else "validated",
        channel=channel,
        source_uri=source_uri,
        source_sha256=source_sha256,
        created_by=user.username,
        submitted_at=_now(),
        supersedes_id=previous.id if previous else None,
        status_reason=f"correction: {reason}" if reason else None,
        registry_digest=registry.load().digest,
        rules_digest=rules_digest(),
        issues=[
            ValidationIssue(rule=w.rule, severity=w.severity, indicator_code=w.indicator, message=w.message, row=w.row)
            for w in warnings
        ],
    )
    session.add(sub)
    if previous:
        previous.status = "superseded"
        previous.status_reason = f"superseded by version {sub.version}"
    with _conflicts(f"{agency}'s {period} submission"):
        session.flush()
    # values go in with one multi-row INSERT: a submission can hold thousands of them
    session.execute(
        insert(SubmittedValue),
        [
            {
                "submission_id": sub.id,
                "indicator_code": r.indicator,
                "value": r.value,
                "source": r.source,
                "method_note": r.method_note,
                "evidence": r.evidence,
                "row": r.row,
            }
            for r in rows
        ],
    )
    session.expire(sub, ["values"])
    audit.track(session, sub.values)  # the bulk INSERT fires no flush event: its rows join the audit snapshot
    compare(session, sub, actor=user.username)
    audit.record(
        session,
        actor=user.username,
        action="submission.submit",
        entity="submission",
        entity_id=sub.id,
        before={"version": previous.version, "values": {v.indicator_code: v.value for v in previous.values}}
        if previous
        else None,
        after={
            "agency": agency,
            "period": str(period),
            "version": sub.version,
            "status": sub.status,
            "values": {r.indicator: r.value for r in rows},
            "source": source_uri,
            **({"correction": correction} if correction else {}),
        },
        reason=reason,
    )
    return sub, failures


CORRECTABLE = ("approved", "released", "correcting")


def correct(
    session: Session,
    *,
    user: User,
    agency: str,
    period: Period,
    indicator: str,
    value: str | float,
    reason: str,
    expected_version: int | None = None,
    source: str | None = None,
    method_note: str | None = None,
    peers: dict[str, list[float]] | None = None,
) -> tuple[Submission, list[Failure]]:
    """Correct one approved or released value, with its reason: a new version of the agency's values for the
    period (the current version's values, this one changed; ``source`` and ``method_note`` replace the value's
    own when given) stored by ``submit``: the same rules, reconciliation and audit entry, which records the reason.
    Approved values are unapproved first, with the same reason, by an approver of the agency. Released values are
    corrected once the lead ministry has opened the correction (``open_correction``); the corrected values are then
    approved and released again, the new release referencing the old one, which stays as it was. A value typed as
    text is read by the number rule (``intake.parse_number``)."""
    require(user, "submit", agency=agency, day=period.end)
    name, problems = "correction", []
    if not reason.strip():
        problems.append(Problem(name, None, "reason", "a correction needs a reason"))
    for field_, text in (("reason", reason), ("source", source), ("method_note", method_note)):
        try:
            check_text(f"the {field_.replace('_', ' ')}", text)
        except WorkflowError as exc:
            problems.append(Problem(name, None, field_, str(exc)))
    number = None
    try:
        number = parse_number(value) if isinstance(value, str) else float(value)
        if not math.isfinite(number):
            raise ValueError(f"{number} is not a finite number")
    except ValueError as exc:
        problems.append(Problem(name, None, "value", str(exc)))
    if problems or number is None:
        raise InputError(problems)
    current = _correctable(session, user, agency, period, expected_version)
    old = next((v for v in current.values if v.indicator_code == indicator), None)
    if old is None:
        raise InputError([Problem(name, None, "indicator", f"version {current.version} has no value of {indicator}")])
    new_source, new_note = (source or "").strip() or old.source, (method_note or "").strip() or old.method_note
    if (number, new_source, new_note) == (old.value, old.source, old.method_note):
        raise InputError([Problem(name, None, "value", f"{indicator} is {old.value:g} already: nothing to correct")])
    if current.status == "approved":
        unapprove(session, user=user, submission_id=current.id, reason=f"correction of {indicator}: {reason.strip()}")
    rows = [
        Row(v.indicator_code, number, new_source, new_note, v.evidence, i)
        if v is old
        else Row(v.indicator_code, v.value, v.source, v.method_note, v.evidence, i)
        for i, v in enumerate(current.values, start=1)
    ]
    what = {"indicator": indicator, "version": current.version, "from": old.value, "to": number}
    return submit(
        session,
        user=user,
        agency=agency,
        period=period,
        rows=rows,
        channel="correction",
        name=name,
        peers=peers,
        reason=reason.strip(),
        correction=what,
    )


def _correctable(session: Session, user: User, agency: str, period: Period, expected_version: int | None) -> Submission:
    """The current version, if its values are approved or released and may be corrected by ``user`` now."""
    current = latest(session, agency, period)
    if current is not None and expected_version is not None and current.version != expected_version:
        raise ConflictError(
            f"version {current.version} of {agency}'s {period} values is the current one now, not version "
            f"{expected_version}: reload the page and correct it again"
        )
    if current is None or current.status not in CORRECTABLE:
        state = current.status if current else "not submitted"
        raise WorkflowError(
            f"{agency}'s {period} values are {state}: only approved or released values are corrected with a "
            "reason; submit the values again on the period's page"
        )
    state = session.get(PeriodState, str(period))
    if current.status == "released" or (state and state.closed):
        raise WorkflowError(f"cannot correct: {why_locked(session, agency, period)}")
    if current.status == "approved":
        try:
            require(user, "unapprove", agency=agency, day=period.end)
        except AuthorisationError:
            raise WorkflowError(
                f"cannot correct: version {current.version} of {agency}'s {period} values was approved; an approver "
                f"of {agency} corrects approved values (the approval is withdrawn with the reason)"
            ) from None
    return current


def _get(session: Session, submission_id: int, expected_version: int | None) -> Submission:
    sub = session.get(Submission, submission_id)
    if sub is None:
        raise WorkflowError(f"no submission {submission_id}")
    if expected_version is not None and sub.lock_version != expected_version:
        raise ConflictError(
            f"submission {submission_id} was changed by someone else (now at revision "
            f"{sub.lock_version}, you read {expected_version}); reload it and try again"
        )
    return sub


def justify(
    session: Session, *, user: User, submission_id: int, rule: str, text: str, indicator: str | None = None
) -> Submission:
    """Write the justification of a warning; when every warning is justified the values are validated."""
    sub = _get(session, submission_id, None)
    require(user, "justify", agency=sub.agency_code, day=Period.parse(sub.period).end)
    if not text.strip():
        raise WorkflowError("a justification cannot be empty")
    check_text("the justification", text)
    open_issues = [
        i
        for i in sub.issues
        if i.rule == rule and (indicator is None or i.indicator_code == indicator) and not i.justification
    ]
    if not open_issues:
        raise WorkflowError(
            f"submission {submission_id} has no open warning {rule}" + (f" on {indicator}" if indicator else "")
        )
    for issue in open_issues:
        issue.justification = text.strip()
        issue.justified_by = user.username
    before = sub.status
    if sub.status == "submitted" and all(i.justification for i in sub.issues):
        sub.status = "validated"
    with _conflicts(f"submission {submission_id}"):
        session.flush()
    audit.record(
        session,
        actor=user.username,
        action="submission.justify",
        entity="submission",
        entity_id=sub.id,
        before={"status": before},
        after={"status": sub.status, "rule": rule, "indicator": indicator},
        reason=text.strip(),
    )
    return sub


def approve(session: Session, *, user: User, submission_id: int, expected_version: int | None = None) -> Submission:
    sub = _get(session, submission_id, None)
    require(user, "approve", agency=sub.agency_code, day=Period.parse(sub.period).end)
    _get(session, submission_id, expected_version)  # authorised first: a stranger learns nothing of the record
    own = sub.created_by == user.username
    if own and not self_approval_allowed(session, sub.agency_code):
        raise AuthorisationError(
            f"{user.username} submitted version {sub.version} of {sub.agency_code}'s {sub.period} values: approval "
            f"needs a second person (another approver of {sub.agency_code}); an administrator can allow "
            "self-approval for the agency"
        )
    if sub.status != "validated":
        open_ = [f"{i.rule} on {i.indicator_code}" for i in sub.issues if not i.justification]
        hint = f"; unjustified warnings: {', '.join(open_)}" if open_ else ""
        raise WorkflowError(f"submission {submission_id} is {sub.status}, only validated values can be approved{hint}")
    return _move(
        session,
        sub,
        user,
        "approve",
        "approved",
        f"approved by {user.username} on {_now():%d/%m/%Y}" + (" (self-approval allowed)" if own else ""),
        extra={"self_approval": True} if own else None,
    )


def unapprove(
    session: Session, *, user: User, submission_id: int, reason: str, expected_version: int | None = None
) -> Submission:
    sub = _get(session, submission_id, None)
    require(user, "unapprove", agency=sub.agency_code, day=Period.parse(sub.period).end)
    _get(session, submission_id, expected_version)  # authorised first: a stranger learns nothing of the record
    if not reason.strip():
        raise WorkflowError("unapproving needs a reason")
    check_text("the reason", reason)
    if sub.status != "approved":
        raise WorkflowError(
            f"submission {submission_id} is {sub.status}, not approved"
            + ("; the lead ministry opens a correction of released values" if sub.status == "released" else "")
        )
    return _move(
        session,
        sub,
        user,
        "unapprove",
        "validated",
        f"unapproved by {user.username}: {reason.strip()}",
        reason=reason.strip(),
    )


def _move(
    session: Session,
    sub: Submission,
    user: User,
    action: str,
    status: str,
    note: str,
    reason: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Submission:
    """Change a submission's state, flush (a concurrent change is a conflict) and audit it."""
    before = sub.status
    sub.status, sub.status_reason = status, note
    with _conflicts(f"submission {sub.id}"):
        session.flush()
    audit.record(
        session,
        actor=user.username,
        action=f"submission.{action}",
        entity="submission",
        entity_id=sub.id,
        before={"status": before},
        after={"status": status, **(extra or {})},
        reason=reason,
    )
    return sub


def open_correction(session: Session, *, user: User, agency: str, period: Period, reason: str) -> Submission:
    """The lead ministry reopens released values so that the agency can submit corrected ones; the release
    itself stays as it was, and the corrected values go out in a new release that references it."""
    require(user, "release", day=period.end)
    if not reason.strip():
        raise WorkflowError("opening a correction needs a reason")
    check_text("the reason", reason)
    sub = latest(session, agency, period)
    if sub is None or sub.status != "released":
        raise WorkflowError(f"{agency}'s {period} values are {sub.status if sub else 'not submitted'}, not released")
    return _move(
        session,
        sub,
        user,
        "correct",
        "correcting",
        f"correction opened by {user.username}: {reason.strip()}",
        reason=reason.strip(),
    )


def set_period(session: Session, *, user: User, period: Period, closed: bool) -> None:
    require(user, "close" if closed else "reopen", day=period.end)
    state = session.get(PeriodState, str(period))
    before = bool(state and state.closed)
    if state is None:
        state = PeriodState(period=str(period), closed=closed, changed_by=user.username)
        session.add(state)
    state.closed, state.changed_by, state.changed_at = closed, user.username, _now()
    with _conflicts(f"period {period}"):
        session.flush()
    audit.record(
        session,
        actor=user.username,
        action="period.close" if closed else "period.reopen",
        entity="period",
        entity_id=str(period),
        before={"closed": before},
        after={"closed": closed},
    )


# ------------------------------------------------------------------------------------------- releases
@dataclass
class ReleaseResult:
    release: Release
    created: bool
    missing: list[str] = field(default_factory=list)


def release_content(recipient: str, period: str, values: list[dict[str, Any]]) -> str:
    text = json.dumps(
        {"recipient": recipient, "period": period, "values": sorted(values, key=lambda v: v["indicator"])},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()


def release(
    session: Session, *, user: User, recipient: str, period: Period, reason: str | None = None
) -> ReleaseResult:
    """Snapshot the approved values owed to a recipient for a period. Same content as the current release: no new
    release; different content: a correction that references the previous release and needs a reason."""
    require(user, "release", day=period.end)
    check_text("the reason", reason)
    reg = registry.load()
    if recipient not in reg.recipients:
        raise WorkflowError(f"unknown recipient {recipient!r}; recipients: {', '.join(reg.recipients)}")
    chosen: list[tuple[Any, SubmittedValue, Submission, Discrepancy | None]] = []
    missing = []
    for ind in reg.indicators:
        if recipient not in ind.recipients or ind.cadence != period.cadence:
            continue
        owner = reg.successor_at(ind.owner_at(period.end), period.end)[0]
        sub = latest(session, owner, period)
        value = next((v for v in sub.values if v.indicator_code == ind.code), None) if sub else None
        if sub is None or sub.status not in ("approved", "released") or value is None:
            missing.append(f"{ind.code} ({owner}: {sub.status if sub else 'nothing submitted'})")
            continue
        dispute, discrepancy = for_release(session, ind.code, period)
        if dispute == "open":
            missing.append(f"{ind.code} (open discrepancy between agencies)")
            continue
        chosen.append((ind, value, sub, discrepancy))
    chosen.sort(key=lambda item: item[0].code)
    if not chosen:
        raise WorkflowError(f"nothing approved to release to {recipient} for {period}: " + "; ".join(missing))
    content = [
        {
            "indicator": i.code,
            "agency": s.agency_code,
            "value": v.value if d is None else d.resolved_value,
            "unit": i.unit,
        }
        for i, v, s, d in chosen
    ]
    why = [
        {"indicator": i.code, "submission": s.id, "basis": "submitted" if d is None else "reconciled"}
        | ({} if d is None else {"discrepancy": d.id, "resolution": d.resolution})
        for i, _, s, d in chosen
    ]
    digest = release_content(recipient, str(period), content)
    current = session.scalars(
        select(Release)
        .where(Release.recipient == recipient, Release.period == str(period))
        .order_by(Release.id.desc())
        .limit(1)
    ).first()
    if current is not None and current.content_hash == digest:
        return ReleaseResult(current, False, missing)
    if current is not None and not (reason and reason.strip()):
        raise WorkflowError(
            f"release {current.id} to {recipient} for {period} exists with other values; a correction needs a reason"
        )
    rel = Release(
        recipient=recipient,
        period=str(period),
        content_hash=digest,
        created_by=user.username,
        supersedes_id=current.id if current else None,
        reason=reason,
        registry_digest=reg.digest,
        values=[
            ReleasedValue(
                indicator_code=i.code,
                agency_code=s.agency_code,
                value=v.value if d is None else d.resolved_value,
                unit=i.unit,
                submission_id=s.id,
                basis="submitted" if d is None else "reconciled",
                discrepancy_id=None if d is None else d.id,
            )
            for i, v, s, d in chosen
        ],
    )
    session.add(rel)
    for _, _, s, _ in chosen:
        s.status = "released"
    with _conflicts(f"the {recipient} release for {period}"):
        session.flush()
    audit.record(
        session,
        actor=user.username,
        action="release.create",
        entity="release",
        entity_id=rel.id,
        before={"release": current.id, "hash": current.content_hash} if current else None,
        after={"recipient": recipient, "period": str(period), "hash": digest, "values": content, "basis": why},
        reason=reason,
    )
    return ReleaseResult(rel, True, missing)


# ------------------------------------------------------------------------------------------- status
def status(session: Session, *, period: Period, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Completeness and timeliness per agency that reports for the period."""
    today = today or dt.date.today()
    reg = registry.load()
    out = []
    for agency in reg.agencies_at(period.end):
        expected = indicators_for(agency.code, period)
        if not expected:
            continue
        sub = latest(session, agency.code, period)
        first = session.scalars(
            select(Submission)
            .where(Submission.agency_code == agency.code, Submission.period == str(period))
            .order_by(Submission.version)
            .limit(1)
        ).first()
        given = {v.indicator_code for v in sub.values} if sub else set()
        on_time = bool(first and first.submitted_at and first.submitted_at.date() <= period.deadline)
        out.append(
            {
                "agency": agency.code,
                "name": agency.name_vi,
                "expected": len(expected),
                "submitted": len(given & {i.code for i in expected}),
                "completeness": len(given & {i.code for i in expected}) / len(expected),
                "status": sub.status if sub else "missing",
                "version": sub.version if sub else None,
                "submitted_at": first.submitted_at.isoformat() if first and first.submitted_at else None,
                "on_time": on_time if first else None,
                "overdue": (sub is None and today > period.deadline),
                "locked": why_locked(session, agency.code, period),
            }
        )
    return out
