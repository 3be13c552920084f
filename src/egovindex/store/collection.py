"""Tables of the collection workflow (the store's records of agencies, users, submissions, reconciliation, releases,
sessions and the audit log). Values are never overwritten: a re-submission is a new version; approval,
release and corrections are new rows or state changes recorded in the audit log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from egovindex.store.models import Base, _now


class RegistryVersion(Base):
    """One load of the registry files: their digest and content, so every figure traces to its registry."""

    __tablename__ = "registry_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    content: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[dt.datetime] = mapped_column(default=_now)


class AgencyRecord(Base):
    __tablename__ = "agency"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_vi: Mapped[str] = mapped_column(String(200))
    block: Mapped[str] = mapped_column(String(30))
    valid_from: Mapped[dt.date | None]
    valid_to: Mapped[dt.date | None]
    successors: Mapped[str] = mapped_column(String(200), default="")


class User(Base):
    """A person who works in the system, in one agency, with one role."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    agency_code: Mapped[str] = mapped_column(ForeignKey("agency.code"))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)


class PeriodState(Base):
    """A period closed by the lead ministry: no submission or change is accepted until it is reopened."""

    __tablename__ = "period_state"

    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    closed: Mapped[bool] = mapped_column(default=False)
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[dt.datetime] = mapped_column(default=_now)


class Submission(Base):
    """One agency's values for one period, one version. ``lock_version`` guards against lost updates."""

    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("agency_code", "period", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_code: Mapped[str] = mapped_column(ForeignKey("agency.code"), index=True)
    period: Mapped[str] = mapped_column(String(10), index=True)
    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    source_uri: Mapped[str | None] = mapped_column(String(2000))
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    submitted_at: Mapped[dt.datetime | None]
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    registry_digest: Mapped[str] = mapped_column(String(64))
    rules_digest: Mapped[str] = mapped_column(String(64))
    status_reason: Mapped[str | None] = mapped_column(Text)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    values: Mapped[list[SubmittedValue]] = relationship(back_populates="submission", order_by="SubmittedValue.id")
    issues: Mapped[list[ValidationIssue]] = relationship(back_populates="submission", order_by="ValidationIssue.id")

    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012


class SubmittedValue(Base):
    __tablename__ = "submitted_value"
    __table_args__ = (UniqueConstraint("submission_id", "indicator_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    indicator_code: Mapped[str] = mapped_column(String(60), index=True)
    value: Mapped[float]
    source: Mapped[str] = mapped_column(Text)
    method_note: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    row: Mapped[int | None]

    submission: Mapped[Submission] = relationship(back_populates="values")


class SubmissionDraft(Base):
    """Values an agency typed into its period's form in the browser and saved without submitting them: one draft
    per agency and period, replaced by each save (every saved state stays in the audit log), removed when the form
    is submitted. A draft is not a submission: nothing in it is validated, released or reconciled. Its rows are kept
    as typed (``content``: JSON, one record per statistic with ``indicator``, ``value``, ``source``,
    ``method_note``, ``evidence``), so that a value the number rule would refuse is kept as well."""

    __tablename__ = "submission_draft"
    __table_args__ = (UniqueConstraint("agency_code", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_code: Mapped[str] = mapped_column(ForeignKey("agency.code"))
    period: Mapped[str] = mapped_column(String(10))
    content: Mapped[str] = mapped_column(Text)
    saved_by: Mapped[str] = mapped_column(String(100))
    saved_at: Mapped[dt.datetime] = mapped_column(default=_now)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012


class ValidationIssue(Base):
    """A warning found when the submission was validated, and its justification once written."""

    __tablename__ = "validation_issue"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    rule: Mapped[str] = mapped_column(String(60))
    severity: Mapped[str] = mapped_column(String(10))
    indicator_code: Mapped[str | None] = mapped_column(String(60))
    message: Mapped[str] = mapped_column(Text)
    row: Mapped[int | None]
    justification: Mapped[str | None] = mapped_column(Text)
    justified_by: Mapped[str | None] = mapped_column(String(100))

    submission: Mapped[Submission] = relationship(back_populates="issues")


class Release(Base):
    """An immutable, content-hashed snapshot of approved values for one recipient and period."""

    __tablename__ = "release"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(20), index=True)
    period: Mapped[str] = mapped_column(String(10), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("release.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    registry_digest: Mapped[str] = mapped_column(String(64))

    values: Mapped[list[ReleasedValue]] = relationship(order_by="ReleasedValue.indicator_code")


class ReleasedValue(Base):
    __tablename__ = "released_value"

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("release.id"), index=True)
    indicator_code: Mapped[str] = mapped_column(String(60))
    agency_code: Mapped[str] = mapped_column(String(20))
    value: Mapped[float]
    unit: Mapped[str] = mapped_column(String(60))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"))
    # why this value: "submitted" (the owner's approved value) or "reconciled" (a resolved discrepancy's value)
    basis: Mapped[str] = mapped_column(String(12), default="submitted")
    discrepancy_id: Mapped[int | None] = mapped_column(ForeignKey("discrepancy.id"))


class AuditEntry(Base):
    """Append-only, hash-chained log of every change: who, when, what, old -> new, why."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str] = mapped_column(String(60))
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The chain's length and last hash, updated with every entry, so that deleting the newest entries shows."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    count: Mapped[int]
    last_hash: Mapped[str] = mapped_column(String(64))


class Discrepancy(Base):
    """Two agencies' values of one statistic for one period that differ beyond the tolerance."""

    __tablename__ = "discrepancy"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_code: Mapped[str] = mapped_column(String(60), index=True)
    period: Mapped[str] = mapped_column(String(10), index=True)
    owner_code: Mapped[str] = mapped_column(String(20))
    other_code: Mapped[str] = mapped_column(String(20))
    owner_value: Mapped[float]
    other_value: Mapped[float]
    owner_submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"))
    other_submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"))
    status: Mapped[str] = mapped_column(String(20), default="open")
    opened_at: Mapped[dt.datetime] = mapped_column(default=_now)
    resolved_value: Mapped[float | None]
    # whose value the resolution named: "owner", "other" or "value" (a reconciled value typed in); a resolution
    # that named one side's value is carried to that side's next version, any other new version reopens it
    resolution: Mapped[str | None] = mapped_column(String(10))
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolved_at: Mapped[dt.datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    comments: Mapped[list[DiscrepancyComment]] = relationship(order_by="DiscrepancyComment.id")

    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012


class DiscrepancyComment(Base):
    __tablename__ = "discrepancy_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    discrepancy_id: Mapped[int] = mapped_column(ForeignKey("discrepancy.id"), index=True)
    author: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(default=_now)
    text: Mapped[str] = mapped_column(Text)


class ApiToken(Base):
    """A token with which a program acts as a user (``Authorization: Bearer ...``); only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    revoked: Mapped[bool] = mapped_column(default=False)
    expires_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(100))


class WebSession(Base):
    """A signed-in browser session. The cookie carries a random id; only its SHA-256 is stored here, and this row
    decides whether the session is valid: signing out, deactivation, a password change and an administrator's
    "sign out everywhere" revoke it at once; idle timeout and absolute lifetime are settings."""

    __tablename__ = "web_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the cookie's session id
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    last_seen: Mapped[dt.datetime] = mapped_column(default=_now)
    address: Mapped[str] = mapped_column(String(64), default="")
    revoked_at: Mapped[dt.datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(200))


class AgencySetting(Base):
    """Per-agency settings that an administrator changes: whether an approver may approve their own
    submission (four eyes by default)."""

    __tablename__ = "agency_setting"

    agency_code: Mapped[str] = mapped_column(ForeignKey("agency.code"), primary_key=True)
    allow_self_approval: Mapped[bool] = mapped_column(default=False)
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[dt.datetime] = mapped_column(default=_now)
