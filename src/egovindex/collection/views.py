"""What the collection pages and their JSON twins show, built once for every face: an agency's statistics for a
period, the lead ministry's board, a discrepancy with its thread, the audit log, users and agencies, one's own
account. Each reads the store in one transaction and checks who may see it (``collection.access``): a refusal is an
``AuthorisationError``, a missing record a ``NotFoundError``."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from egovindex import registry
from egovindex.collection import drafts, intake, reconcile, rules, workflow
from egovindex.collection.access import AuthorisationError, get_user, require
from egovindex.collection.registry_store import ensure_registry
from egovindex.domain.periods import Period
from egovindex.errors import NotFoundError
from egovindex.store.collection import Discrepancy, PeriodState, Release, ReleasedValue, Submission, User
from egovindex.store.db import unit_of_work

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

AUDIT_PAGE = 100


def latest_released(engine: Engine) -> dict[str, dict[str, Any]]:
    """The newest released national value of every statistic, with its period, agency and release (released
    values are public): what the overview compares with the national targets."""
    with unit_of_work(engine.execution_options(readonly=True)) as s:
        rows = s.execute(
            select(
                ReleasedValue.indicator_code, ReleasedValue.value, ReleasedValue.agency_code, Release.period, Release.id
            ).join(Release, Release.id == ReleasedValue.release_id)
        ).all()
    out: dict[str, dict[str, Any]] = {}
    for code, value, agency, period, release in sorted(rows, key=lambda r: (Period.parse(r[3]).end, r[4])):
        out[code] = {"value": value, "agency": agency, "period": period, "release": release}
    return out


def agency_period(engine: Engine, username: str, period: Period) -> dict[str, Any]:
    """The user's agency: its statistics for the period (each with the previous period's approved or released
    value and what the rules will say of a value: ``rules.hints``), its latest submission, the draft typed in the
    browser, what locks it, its discrepancies."""
    with unit_of_work(engine) as s:
        ensure_registry(s)
        user = get_user(s, username)
        agency = user.agency_code
        sub = workflow.latest(s, agency, period)
        ctx = workflow.validation_context(s, agency, period)
        before, earlier = period.previous(), _approved(s, agency, period.previous())
        return {
            "user": username,
            "role": user.role,
            "agency": agency,
            "period": str(period),
            "deadline": period.deadline.isoformat(),
            "indicators": [
                {
                    "code": i.code,
                    "name": i.name,
                    "name_vi": i.name_vi,
                    "unit": i.unit,
                    "range": list(i.range),
                    "owner": i.owner,
                    "previous": _value_of(earlier, i.code, before),
                    "hints": rules.hints(i.code, ctx),
                }
                for i in intake.indicators_for(agency, period)
            ],
            "draft": drafts.shown(drafts.current(s, agency, period)),
            "may_enter": _may(user, "draft", agency, period),
            "lock": _lock(s, agency, period, sub),
            "submission": None
            if sub is None
            else {
                "id": sub.id,
                "version": sub.version,
                "status": sub.status,
                "lock_version": sub.lock_version,
                "status_reason": sub.status_reason,
                "values": {v.indicator_code: v.value for v in sub.values},
                "entries": {
                    v.indicator_code: {"source": v.source, "method_note": v.method_note, "evidence": v.evidence}
                    for v in sub.values
                },
                "warnings": [
                    {
                        "rule": i.rule,
                        "indicator": i.indicator_code,
                        "message": i.message,
                        "justified": i.justification is not None,
                    }
                    for i in sub.issues
                ],
            },
            "locked": workflow.why_locked(s, agency, period),
            "discrepancies": [d for d in reconcile.listing(s, period=period) if agency in (d["owner"], d["other"])],
        }


def _approved(s: Session, agency: str, period: Period) -> Submission | None:
    """The agency's latest version for the period whose values were approved or released (a released version
    superseded by a correction still counts: its values went out), or None."""
    released = select(ReleasedValue.submission_id)
    return s.scalars(
        select(Submission)
        .where(
            Submission.agency_code == agency,
            Submission.period == str(period),
            Submission.status.in_(workflow.CORRECTABLE) | Submission.id.in_(released),
        )
        .order_by(Submission.version.desc())
        .limit(1)
    ).first()


def _value_of(sub: Submission | None, code: str, period: Period) -> dict[str, Any] | None:
    value = next((v.value for v in sub.values if v.indicator_code == code), None) if sub else None
    if sub is None or value is None:
        return None
    return {"period": str(period), "value": value, "version": sub.version, "status": sub.status}


def _may(user: User, action: str, agency: str, period: Period) -> bool:
    try:
        require(user, action, agency=agency, day=period.end)
    except AuthorisationError:
        return False
    return True


def _lock(s: Session, agency: str, period: Period, sub: Submission | None) -> str | None:
    """What locks the values, in a word the page translates ("closed", "approved", "released"; as ``why_locked``)."""
    state = s.get(PeriodState, str(period))
    if state and state.closed:
        return "closed"
    return sub.status if sub and sub.status in ("approved", "released") else None


def correction(engine: Engine, username: str, period: Period) -> dict[str, Any]:
    """The user's agency: the values of its current version for the period that may be corrected with a reason
    (approved or released ones: ``workflow.correct``), and what stands in the way (``blocked``: "nothing" approved
    or released, "closed" period, "released" values the lead ministry has not opened for correction yet,
    "approver": approved values, which an approver corrects, "role": the user may not submit)."""
    with unit_of_work(engine) as s:
        ensure_registry(s)
        user = get_user(s, username)
        agency = user.agency_code
        sub = workflow.latest(s, agency, period)
        correctable = sub is not None and sub.status in workflow.CORRECTABLE
        reg = registry.load()
        return {
            "user": username,
            "role": user.role,
            "agency": agency,
            "period": str(period),
            "submission": None
            if sub is None
            else {"id": sub.id, "version": sub.version, "status": sub.status, "status_reason": sub.status_reason},
            "values": [
                {
                    "indicator": v.indicator_code,
                    "name": reg.indicator(v.indicator_code).name,
                    "name_vi": reg.indicator(v.indicator_code).name_vi,
                    "unit": reg.indicator(v.indicator_code).unit,
                    "value": v.value,
                    "source": v.source,
                    "method_note": v.method_note,
                }
                for v in (sub.values if sub is not None and correctable else [])
            ],
            "blocked": _blocked(s, user, agency, period, sub),
            "locked": workflow.why_locked(s, agency, period),
        }


def _blocked(s: Session, user: User, agency: str, period: Period, sub: Submission | None) -> str | None:
    if not _may(user, "submit", agency, period):
        return "role"
    if sub is None or sub.status not in workflow.CORRECTABLE:
        return "nothing"
    if _lock(s, agency, period, sub) == "closed":
        return "closed"
    if sub.status == "released":
        return "released"
    if sub.status == "approved" and not _may(user, "unapprove", agency, period):
        return "approver"
    return None


def board(engine: Engine, username: str, period: Period) -> dict[str, Any]:
    """The lead ministry's board: completeness and timeliness per agency, discrepancies, releases, audit."""
    from egovindex.collection import audit
    from egovindex.store.collection import Release

    with unit_of_work(engine) as s:
        ensure_registry(s)
        user = get_user(s, username)
        require(user, "release", day=period.end)
        releases = s.scalars(select(Release).where(Release.period == str(period)).order_by(Release.id.desc()))
        verification = audit.verify(s)
        return {
            "period": str(period),
            "deadline": period.deadline.isoformat(),
            "agencies": workflow.status(s, period=period),
            "discrepancies": reconcile.listing(s, period=period),
            "recipients_disagree": reconcile.recipients_disagree(s, period=period),
            "indicators": {i.code: {"name": i.name, "name_vi": i.name_vi} for i in registry.load().indicators},
            "releases": [
                {
                    "id": r.id,
                    "recipient": r.recipient,
                    "values": len(r.values),
                    "released": [
                        {
                            "indicator": v.indicator_code,
                            "agency": v.agency_code,
                            "value": v.value,
                            "basis": v.basis,
                            "submission": v.submission_id,
                            "discrepancy": v.discrepancy_id,
                        }
                        for v in r.values
                    ],
                    "hash": r.content_hash,
                    "created_at": r.created_at.isoformat(),
                    "corrects": r.supersedes_id,
                    "reason": r.reason,
                }
                for r in releases
            ],
            "audit": {
                "entries": verification.entries,
                "ok": verification.ok,
                "problems": verification.problems,
                "fingerprint": audit.fingerprint(s).code,
            },
        }


def discrepancy(engine: Engine, username: str, discrepancy_id: int) -> dict[str, Any]:
    """A discrepancy with its thread; for the two agencies, the lead ministry and administrators."""
    with unit_of_work(engine) as s:
        ensure_registry(s)
        user = get_user(s, username)
        d = s.get(Discrepancy, discrepancy_id)
        if d is None:
            raise NotFoundError(f"no discrepancy {discrepancy_id}")
        day = Period.parse(d.period).end
        reg = registry.load()
        involved = {*reg.successor_at(d.owner_code, day), *reg.successor_at(d.other_code, day), reg.lead_at(day)}
        if user.agency_code not in involved and user.role != "administrator":
            raise AuthorisationError(
                f"only users of {d.owner_code}, {d.other_code} or the lead ministry see this discrepancy",
            )
        owner_side = user.agency_code in reg.successor_at(d.owner_code, day)
        return {
            "id": d.id,
            "indicator": d.indicator_code,
            "indicator_name": reg.indicator(d.indicator_code).name,
            "indicator_name_vi": reg.indicator(d.indicator_code).name_vi,
            "period": d.period,
            "owner": d.owner_code,
            "owner_value": d.owner_value,
            "owner_submission": d.owner_submission_id,
            "other": d.other_code,
            "other_value": d.other_value,
            "other_submission": d.other_submission_id,
            "status": d.status,
            "opened_at": d.opened_at.isoformat(),
            "resolved_value": d.resolved_value,
            "resolved_by": d.resolved_by,
            "resolved_at": d.resolved_at.isoformat() if d.resolved_at else None,
            "reason": d.reason,
            "lock_version": d.lock_version,
            "comments": [{"author": c.author, "at": c.at.isoformat(), "text": c.text} for c in d.comments],
            "may_comment": user.role != "viewer",
            "may_resolve": d.status == "open" and user.role == "approver" and owner_side,
        }


def audit_log(engine: Engine, username: str, before: int | None, snapshots: bool = False) -> dict[str, Any]:
    """A page of the audit log (newest first) and the check of the whole chain; lead ministry and administrators."""
    from egovindex.collection import audit
    from egovindex.store.collection import AuditEntry

    with unit_of_work(engine) as s:
        ensure_registry(s)
        user = get_user(s, username)
        lead = registry.load().lead_at(dt.date.today())
        if not (user.role == "administrator" or (user.role == "lead" and user.agency_code == lead)):
            raise AuthorisationError("only the lead ministry and administrators read the log")
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(AUDIT_PAGE)
        if before is not None:
            query = query.where(AuditEntry.id < before)
        if not snapshots:  # the workflow's actions; the row snapshots that cover them on request
            query = query.where(AuditEntry.action.not_in(audit.SNAPSHOT_ACTIONS))
        entries = list(s.scalars(query))
        verification = audit.verify(s)
        total = s.scalar(select(func.count(AuditEntry.id))) or 0
        mark = audit.fingerprint(s)
        return {
            "fingerprint": {"entries": mark.entries, "head": mark.head, "code": mark.code},
            "verified": verification.ok,
            "problems": verification.problems,
            "entries_total": total,
            "entries": [
                {
                    "id": e.id,
                    "at": e.at.isoformat(),
                    "actor": e.actor,
                    "action": e.action,
                    "entity": f"{e.entity} {e.entity_id}",
                    "before": e.before,
                    "after": e.after,
                    "reason": e.reason,
                    "hash": e.hash,
                }
                for e in entries
            ],
            "older": entries[-1].id if len(entries) == AUDIT_PAGE else None,
            "snapshots": snapshots,
        }


def administration(engine: Engine, username: str) -> dict[str, Any]:
    """Users, agencies with their validity and self-approval setting, every token (administrators)."""
    with unit_of_work(engine) as s:
        ensure_registry(s)
        user = get_user(s, username)
        require(user, "users")
        from egovindex.collection import sessions
        from egovindex.store.collection import AgencySetting

        today = dt.date.today()
        allowed = {a.agency_code for a in s.scalars(select(AgencySetting)) if a.allow_self_approval}
        return {
            "tokens": sessions.tokens(s, user=user),
            "self_approval": sorted(allowed),
            "users": [
                {
                    "username": u.username,
                    "full_name": u.full_name,
                    "agency": u.agency_code,
                    "role": u.role,
                    "active": u.active,
                    "created_at": u.created_at.isoformat(),
                }
                for u in s.scalars(select(User).order_by(User.agency_code, User.username))
            ],
            "agencies": [
                {
                    "code": a.code,
                    "name": a.name,
                    "name_vi": a.name_vi,
                    "block": a.block,
                    "valid_from": a.valid_from.isoformat() if a.valid_from else None,
                    "valid_to": a.valid_to.isoformat() if a.valid_to else None,
                    "current": a.valid_at(today),
                    "self_approval": a.code in allowed,
                    "successors": list(a.successors),
                }
                for a in registry.load().agencies
            ],
        }


def account(engine: Engine, username: str) -> dict[str, Any]:
    """One's own sessions (the newest 20) and API tokens."""
    from egovindex.collection import sessions

    with unit_of_work(engine) as s:
        user = get_user(s, username)
        return {
            "user": user.username,
            "agency": user.agency_code,
            "role": user.role,
            "sessions": sessions.sessions_of(s, username)[-20:],
            "tokens": sessions.tokens(s, user=user, username=username),
        }
