"""The audit log: every change as an entry in the same transaction as the change, chained by SHA-256.

Each entry's hash covers its content and the previous entry's hash; the ``audit_head`` row keeps the length of
the chain and its last hash. ``verify`` recomputes the chain: a changed entry breaks its own hash, a deleted or
inserted entry breaks the link to the next one, and deleting the newest entries no longer matches the head.
Appends are serialised by locking the head row (``SELECT ... FOR UPDATE`` where the database has it; SQLite
serialises writers itself).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from egovindex.collection.models import AuditEntry, AuditHead

GENESIS = "0" * 64


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def entry_hash(
    prev_hash: str,
    at: dt.datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: str,
    after: str,
    reason: str | None,
) -> str:
    payload = _canonical([prev_hash, at.isoformat(), actor, action, entity, entity_id, before, after, reason])
    return hashlib.sha256(payload.encode()).hexdigest()


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: Any,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
) -> AuditEntry:
    """Append an entry in the caller's transaction."""
    head = session.scalars(select(AuditHead).where(AuditHead.id == 1).with_for_update()).first()
    if head is None:
        head = AuditHead(id=1, count=0, last_hash=GENESIS)
        session.add(head)
    at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    b, a = _canonical(before), _canonical(after)
    digest = entry_hash(head.last_hash, at, actor, action, entity, str(entity_id), b, a, reason)
    entry = AuditEntry(
        at=at,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=b,
        after=a,
        reason=reason,
        prev_hash=head.last_hash,
        hash=digest,
    )
    session.add(entry)
    head.count += 1
    head.last_hash = digest
    session.flush()
    return entry


@dataclass
class Verification:
    entries: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(session: Session) -> Verification:
    """Recompute the chain and compare it with the head."""
    entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    result = Verification(len(entries))
    prev = GENESIS
    for e in entries:
        if e.prev_hash != prev:
            result.problems.append(
                f"entry {e.id}: does not follow the entry before it (an entry was deleted, inserted or reordered)"
            )
        expected = entry_hash(e.prev_hash, e.at, e.actor, e.action, e.entity, e.entity_id, e.before, e.after, e.reason)
        if expected != e.hash:
            result.problems.append(f"entry {e.id}: content does not match its hash (the entry was changed)")
        prev = e.hash
    head = session.get(AuditHead, 1)
    if head is None:
        if entries:
            result.problems.append("the chain's head is missing")
    elif head.count != len(entries) or head.last_hash != prev:
        result.problems.append(
            f"the chain has {len(entries)} entries ending in {prev[:12]}, but its head records "
            f"{head.count} ending in {head.last_hash[:12]} (newest entries deleted?)"
        )
    return result
