"""Drafts: the values an agency types into its period's form in the browser, kept on the server until they are
submitted.

A draft is not a submission: nothing in it is validated, reconciled or released. There is one per agency and period,
replaced by each save; every saved state stays in the audit log (the ``draft.save`` entry, with the values before
and after, and the row snapshot), and a save made on an outdated copy is refused (``ConflictError``), so that one
colleague's save never silently replaces another's. Its rows are kept as typed, so that nothing typed is lost, not
even a value the number rule would refuse.

Submitting the form goes the way of an upload: the strict reader (``intake.read_records``, the reader of JSON
records and of the API, where a number typed as text follows ``intake.parse_number``: ``140,5`` is 140.5), then
``workflow.submit`` with channel ``form``; the draft goes with the submission, in its transaction, unless someone
saved a newer one meanwhile (it is kept).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from egovindex.collection import audit, intake, workflow
from egovindex.collection.access import require
from egovindex.collection.rules import Failure
from egovindex.collection.submissions import ConflictError, WorkflowError, _conflicts, _now, check_text
from egovindex.domain.periods import Period
from egovindex.store.collection import Submission, SubmissionDraft, User

FIELDS = ("value", "source", "method_note", "evidence")
CHANNEL = "form"


@dataclass(frozen=True)
class Typed:
    """One row of the form as typed: a statistic and the text of each of its fields."""

    indicator: str
    value: str = ""
    source: str = ""
    method_note: str = ""
    evidence: str = ""

    def blank(self) -> bool:
        return not any(getattr(self, f).strip() for f in FIELDS)

    def record(self) -> dict[str, str]:
        """The row as a JSON record of the strict reader."""
        return {"indicator_code": self.indicator, **{f: getattr(self, f) for f in FIELDS}}


def current(session: Session, agency: str, period: Period | str) -> SubmissionDraft | None:
    return session.scalars(
        select(SubmissionDraft).where(SubmissionDraft.agency_code == agency, SubmissionDraft.period == str(period))
    ).first()


def rows_of(draft: SubmissionDraft) -> list[Typed]:
    """The rows a draft holds, as typed."""
    keys = ("indicator", *FIELDS)
    return [Typed(**{k: str(v) for k, v in rec.items() if k in keys}) for rec in json.loads(draft.content)]


def shown(draft: SubmissionDraft | None) -> dict[str, Any] | None:
    """A draft as the page and its JSON twin show it."""
    if draft is None:
        return None
    return {
        "version": draft.lock_version,
        "saved_by": draft.saved_by,
        "saved_at": draft.saved_at.isoformat(),
        "values": [asdict(r) for r in rows_of(draft)],
    }


def _check(rows: list[Typed], agency: str, period: Period) -> None:
    """The rows name statistics the agency reports for the period, each once, in plain text."""
    reported = {i.code for i in intake.indicators_for(agency, period)}
    seen: set[str] = set()
    for r in rows:
        if r.indicator not in reported:
            raise WorkflowError(f"{agency} does not report {r.indicator[:60]!r} for {period}: reload the page")
        if r.indicator in seen:
            raise WorkflowError(f"{r.indicator} appears twice in the form: reload the page")
        seen.add(r.indicator)
        for f in FIELDS:
            check_text(f"{r.indicator} {f.replace('_', ' ')}", getattr(r, f))


def save(
    session: Session, *, user: User, agency: str, period: Period, rows: list[Typed], expected_version: int | None
) -> SubmissionDraft:
    """Keep the typed rows (the blank ones left out) as the agency's draft for the period. ``expected_version`` is
    the draft's version the form was read with (0: none); another one means someone saved or submitted meanwhile,
    and nothing is saved (``ConflictError``). Audited with the values before and after."""
    require(user, "draft", agency=agency, day=period.end)
    _check(rows, agency, period)
    draft = current(session, agency, period)
    if expected_version is not None and (draft.lock_version if draft else 0) != expected_version:
        raise ConflictError(_changed(draft, agency, period))
    kept = [asdict(r) for r in rows if not r.blank()]
    content = json.dumps(kept, ensure_ascii=True, separators=(",", ":"))
    before = shown(draft)
    if draft is None:
        draft = SubmissionDraft(agency_code=agency, period=str(period), content=content, saved_by=user.username)
        session.add(draft)
    draft.content, draft.saved_by, draft.saved_at = content, user.username, _now()
    with _conflicts(f"{agency}'s {period} draft"):
        session.flush()
    audit.record(
        session,
        actor=user.username,
        action="draft.save",
        entity="draft",
        entity_id=draft.id,
        before=before,
        after={"agency": agency, "period": str(period), "version": draft.lock_version, "values": kept},
    )
    return draft


def _changed(draft: SubmissionDraft | None, agency: str, period: Period) -> str:
    if draft is None:
        return (
            f"{agency}'s {period} draft was submitted or removed since this page was read: your values are shown "
            "here, not saved; save them again to keep them"
        )
    return (
        f"{draft.saved_by} saved {agency}'s {period} draft at {draft.saved_at:%d/%m/%Y %H:%M} UTC since this page was "
        "read: your values are shown here, not saved; save them again to replace that draft"
    )


def clear(
    session: Session, *, user: User, agency: str, period: Period, submission: Submission, expected_version: int | None
) -> SubmissionDraft | None:
    """Remove the draft once its values are submitted, if it is the one the form was read with
    (``expected_version``; None: whichever); a draft saved meanwhile by someone else is kept and returned."""
    draft = current(session, agency, period)
    if draft is None or (expected_version is not None and draft.lock_version != expected_version):
        return draft
    before, draft_id = shown(draft), draft.id
    session.delete(draft)
    with _conflicts(f"{agency}'s {period} draft"):
        session.flush()
    audit.record(
        session,
        actor=user.username,
        action="draft.clear",
        entity="draft",
        entity_id=draft_id,
        before=before,
        after={"submission": submission.id, "version": submission.version},
        reason=f"submitted as version {submission.version}",
    )
    return None


def submit(
    session: Session,
    *,
    user: User,
    agency: str,
    period: Period,
    rows: list[Typed],
    draft_version: int | None,
    based_on: int | None = None,
) -> tuple[Submission, list[Failure], SubmissionDraft | None]:
    """Submit the form: the strict reader of records, then ``workflow.submit`` (channel ``form``); any problem
    stores nothing and names the form's row (1-based, in the order of ``rows``) and field. ``based_on`` is the
    version the form showed (0: none): a newer one stored meanwhile refuses the submission (``ConflictError``),
    which would otherwise undo it. On success the draft goes (``clear``); returns the new version, the rules'
    warnings and the draft kept, if one was."""
    require(user, "submit", agency=agency, day=period.end)
    current = workflow.latest(session, agency, period)
    if based_on is not None and (current.version if current else 0) != based_on:
        raise workflow.ConflictError(
            f"version {current.version if current else 0} of {agency}'s {period} values was stored after the form "
            f"was read, not version {based_on}: reload the page to see it, then type your changes again"
        )
    parsed = intake.read_records([r.record() for r in rows], agency=agency, period=period, name=CHANNEL)
    sub, failures = workflow.submit(
        session, user=user, agency=agency, period=period, rows=parsed, channel=CHANNEL, name=CHANNEL
    )
    kept = clear(session, user=user, agency=agency, period=period, submission=sub, expected_version=draft_version)
    return sub, failures, kept
