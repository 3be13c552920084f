"""The audit log: every change as an entry in the same transaction as the change, chained by SHA-256, covering
every stored fact of the workflow, with its head signed outside the database.

Three things together make a change of any stored fact show:

1. **The chain.** Each entry's hash covers its content and the previous entry's hash; the ``audit_head`` row
   keeps the length of the chain and its last hash. Appends are serialised by locking the head row
   (``SELECT ... FOR UPDATE`` where the database has it; SQLite serialises writers itself).
2. **The rows.** Whatever a transaction writes to a covered table (``COVERED``: submissions and their values,
   validation issues, drafts typed in the browser, releases and released values, discrepancies and comments,
   period states, users, API tokens, agency settings, agencies) is read back just before it commits and written
   as one ``rows.commit`` entry: a canonical snapshot of every covered row it inserted or changed, and the ids of
   those it deleted.
   This happens in SQLAlchemy's session events (``after_flush``, ``before_commit``), so no call site can forget
   it; a Core bulk INSERT fires no flush event, so its rows are found by id (and ``track`` names them
   explicitly). ``verify`` replays the snapshots: the newest snapshot of each row is what the store must hold,
   and every covered table is compared with it, field by field.
3. **The signed head.** The chain's length and last hash are also kept in a file outside the database
   (``settings.audit_head_file``), signed with HMAC-SHA256 under a key derived from the instance key
   (``egovindex.keys``), written atomically under a file lock before and after each commit that appended
   entries, never moving back. Someone who truncates the log, deletes it or rewrites it with recomputed hashes
   (which needs no key) no longer matches the signed head.

What this cannot prove: someone holding both the database and the instance key can rewrite everything and sign
it again. The fingerprint (``fingerprint``: entries, head hash and a code derived from the key) written in each
release's cover letter is the anchor outside the instance.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import itertools
import json
import logging
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, event, func, select, table
from sqlalchemy import column as sql_column
from sqlalchemy.engine import make_url
from sqlalchemy.orm import ORMExecuteState, Session, object_mapper

from egovindex.store.assessments import AssessmentValue
from egovindex.store.collection import (
    AgencyRecord,
    AgencySetting,
    ApiToken,
    AuditEntry,
    AuditHead,
    Discrepancy,
    DiscrepancyComment,
    PeriodState,
    Release,
    ReleasedValue,
    Submission,
    SubmissionDraft,
    SubmittedValue,
    User,
    ValidationIssue,
)

GENESIS = "0" * 64
ROWS_COMMIT = "rows.commit"
ROWS_BASELINE = "rows.baseline"
SNAPSHOT_ACTIONS = frozenset({ROWS_COMMIT, ROWS_BASELINE})
HEAD_FILE = "audit_head_file"  # the "table" named by problems of the signed head file

# every table whose rows the workflow writes; not covered: web_session (changes on every request), the audit
# tables themselves, registry_version (content-addressed) and the UN-edition tables
COVERED: dict[str, type] = {
    cls.__tablename__: cls  # type: ignore[attr-defined]
    for cls in (
        AgencyRecord,
        User,
        AgencySetting,
        ApiToken,
        PeriodState,
        Submission,
        SubmittedValue,
        ValidationIssue,
        SubmissionDraft,
        Discrepancy,
        DiscrepancyComment,
        Release,
        ReleasedValue,
        AssessmentValue,
    )
}
_TABLE_OF: dict[type, str] = {cls: name for name, cls in COVERED.items()}
# columns left out: an API token's last use changes with every use, each of which is an audit entry of its own
VOLATILE: dict[str, frozenset[str]] = {"api_token": frozenset({"last_used_at"})}
# columns kept as a SHA-256 digest: the log shows that a password changed, never its hash
DIGESTED: dict[str, frozenset[str]] = {"app_user": frozenset({"password_hash"})}

_TOUCHED = "audit.touched"  # {table: {primary key}} written in this transaction and not yet snapshotted
_SINCE = "audit.since"  # {table: highest id before a bulk INSERT (None: the whole table)}
_BASE = "audit.base"  # (count, last hash) of the chain when this transaction first appended
_ACTOR = "audit.actor"
_PENDING = "audit.pending"  # (head file, (count, last hash)) announced before the commit
_FORCE = "audit.force"  # sign the head file whatever it held (baseline, ``seal``)

log = logging.getLogger(__name__)
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
_quote = json.encoder.encode_basestring  # how the encoder writes a text (ensure_ascii=False)


def _canonical(value: Any) -> str:
    return _ENCODER.encode(value)


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
    session.info.setdefault(_BASE, (head.count, head.last_hash))
    session.info[_ACTOR] = actor
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


# ------------------------------------------------------------------------------------------- covered rows
@dataclass(frozen=True)
class _Shape:
    """How a covered table is read: its columns (volatile ones left out), their kinds, its primary key."""

    name: str
    key: str
    columns: tuple[str, ...]
    kinds: tuple[str, ...]
    light: Any  # a lightweight table clause: values come back as the driver gives them, never parsed

    @property
    def integer_key(self) -> bool:
        return self.kinds[self.columns.index(self.key)] == "int"


def _kind(type_: Any) -> str:
    for cls, kind in ((Boolean, "bool"), (Float, "float"), (Integer, "int"), (DateTime, "datetime"), (Date, "date")):
        if isinstance(type_, cls):
            return kind
    return "text"


_SHAPES: dict[str, _Shape] = {}


def _shape(name: str) -> _Shape:
    found = _SHAPES.get(name)
    if found is None:
        t = COVERED[name].__table__  # type: ignore[attr-defined]
        cols = [c for c in t.columns if c.name not in VOLATILE.get(name, ())]
        (key,) = [c.name for c in t.primary_key.columns]
        names = tuple(c.name for c in cols)
        found = _Shape(
            name, key, names, tuple(_kind(c.type) for c in cols), table(name, *[sql_column(n) for n in names])
        )
        _SHAPES[name] = found
    return found


def _value(kind: str, raw: Any) -> Any:
    """One stored value in canonical form, the same from SQLite and PostgreSQL; anything unexpected (text in a
    number column) is kept as text, so that it shows as a difference instead of failing."""
    if raw is None:
        return None
    if kind == "bool" and raw in (0, 1):
        return bool(raw)
    if kind == "float" and isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    if kind == "int" and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, dt.datetime):
        return raw.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLite's stored form
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, bytes):
        return raw.hex()
    if isinstance(raw, str | int | float | bool):
        return raw
    return str(raw)


def _row(shape: _Shape, raw: Any) -> dict[str, Any]:
    row = {c: _value(k, v) for c, k, v in zip(shape.columns, shape.kinds, raw, strict=True)}
    for c in DIGESTED.get(shape.name, ()):
        if row.get(c) is not None:
            row[c] = "sha256:" + hashlib.sha256(str(row[c]).encode()).hexdigest()
    return row


def _read(session: Session, name: str, keys: Iterable[Any] | None = None) -> dict[str, dict[str, Any]]:
    """Covered rows of one table in canonical form, by primary key (as text); all of them without ``keys``."""
    shape = _shape(name)
    query = select(shape.light)
    key = shape.light.c[shape.key]
    at = shape.columns.index(shape.key)
    if keys is None:
        return {str(r[at]): _row(shape, r) for r in session.execute(query)}
    wanted, out = sorted(set(keys), key=str), {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        out.update({str(r[at]): _row(shape, r) for r in session.execute(query.where(key.in_(chunk)))})
    return out


def current_rows(session: Session) -> dict[str, dict[str, dict[str, Any]]]:
    """Every covered row as the store holds it now, canonical: {table: {primary key: {column: value}}}. A covered
    table the store does not have yet (a migration's baseline, run before a later migration creates it) holds
    nothing."""
    present = _present(session)
    return {name: _read(session, name) if name in present else {} for name in COVERED}


def _present(session: Session) -> set[str]:
    """The tables the store has (a store not yet upgraded lacks the newest covered ones)."""
    from sqlalchemy import inspect

    return set(inspect(session.connection()).get_table_names())


def track(session: Session, objects: Iterable[Any]) -> None:
    """Name rows written without a flush (a Core bulk INSERT): they go into this transaction's snapshot."""
    touched = session.info.setdefault(_TOUCHED, {})
    for obj in objects:
        name = _TABLE_OF.get(type(obj))
        key = object_mapper(obj).primary_key_from_instance(obj)[0] if name is not None else None
        if key is not None:  # a row not flushed yet is found by the flush itself
            touched.setdefault(name, set()).add(key)


def _changed(obj: Any, name: str) -> bool:
    from sqlalchemy import inspect

    state = inspect(obj)
    volatile = VOLATILE.get(name, ())
    return any(state.attrs[a.key].history.has_changes() for a in state.mapper.column_attrs if a.key not in volatile)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    touched = None
    for group, check in ((session.new, False), (session.dirty, True), (session.deleted, False)):
        for obj in group:
            name = _TABLE_OF.get(type(obj))
            if name is None or (check and not _changed(obj, name)):
                continue
            if touched is None:
                touched = session.info.setdefault(_TOUCHED, {})
            touched.setdefault(name, set()).add(object_mapper(obj).primary_key_from_instance(obj)[0])


@event.listens_for(Session, "do_orm_execute")
def _bulk(state: ORMExecuteState) -> None:
    """Core and bulk INSERT, UPDATE and DELETE on covered tables fire no flush event: note which rows they
    touch (those matching an UPDATE's or DELETE's condition; for an INSERT, every id above the highest one)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    name = getattr(getattr(state.statement, "table", None), "name", None)
    if name not in COVERED:
        return
    shape, session = _shape(name), state.session
    key = shape.light.c[shape.key]
    if state.is_insert:
        since = session.info.setdefault(_SINCE, {})
        if name not in since:
            since[name] = session.scalar(select(func.max(key))) if shape.integer_key else None
        return
    where = state.statement.whereclause  # type: ignore[attr-defined]
    query = select(COVERED[name].__table__.c[shape.key])  # type: ignore[attr-defined]
    keys = session.scalars(query if where is None else query.where(where)).all()
    session.info.setdefault(_TOUCHED, {}).setdefault(name, set()).update(keys)


def _snapshot(session: Session) -> None:
    """Write one entry with every covered row this transaction touched, as the store now holds it."""
    session.flush()
    touched: dict[str, set[Any]] = session.info.pop(_TOUCHED, {})
    for name, since in session.info.pop(_SINCE, {}).items():
        shape = _shape(name)
        key = shape.light.c[shape.key]
        query = select(key) if since is None else select(key).where(key > since)
        touched.setdefault(name, set()).update(session.scalars(query))
    if not any(touched.values()):
        return
    rows: dict[str, dict[str, Any]] = {}
    deleted: dict[str, list[str]] = {}
    for name in COVERED:
        keys = touched.get(name)
        if not keys:
            continue
        found = _read(session, name, keys)
        if found:
            rows[name] = found
        gone = sorted({str(k) for k in keys} - found.keys())
        if gone:
            deleted[name] = gone
    count = sum(map(len, rows.values())) + sum(map(len, deleted.values()))
    record(
        session,
        actor=session.info.get(_ACTOR, "system"),
        action=ROWS_COMMIT,
        entity="rows",
        entity_id=count,
        after={"rows": rows, "deleted": deleted},
    )


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # the outermost commit snapshots
    _snapshot(session)
    base = session.info.get(_BASE)
    if base is None:
        return
    head = session.get(AuditHead, 1)
    new = (head.count, head.last_hash) if head is not None else base
    path = head_file(session)
    if new != base and path is not None and _announce(path, base, new, force=bool(session.info.get(_FORCE))):
        session.info[_PENDING] = (path, new)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    _forget(session)
    if pending is not None:
        _settle(*pending, committed=True)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is not None or transaction.nested:
        return
    pending = session.info.pop(_PENDING, None)
    _forget(session)
    if pending is not None:  # announced, never committed
        _settle(*pending, committed=False)


def _forget(session: Session) -> None:
    for key in (_TOUCHED, _SINCE, _BASE, _ACTOR, _FORCE):
        session.info.pop(key, None)


# ------------------------------------------------------------------------------------------- the signed head
@dataclass(frozen=True)
class SignedHead:
    """The head file's content: the committed head and, while a commit is under way, the head it announced."""

    entries: int
    last_hash: str
    pending: tuple[int, str] | None = None

    @property
    def state(self) -> tuple[int, str]:
        return (self.entries, self.last_hash)

    def accepts(self, state: tuple[int, str]) -> bool:
        return state == self.state or state == self.pending


class HeadFileError(ValueError):
    """The head file cannot be read or its signature is not the instance's."""


def head_file(session: Session) -> Path | None:
    """The signed head's file for the store this session works on (None for an in-memory database)."""
    from egovindex.settings import default_audit_head_file, get_settings

    url = session.get_bind().engine.url
    settings = get_settings()
    with contextlib.suppress(Exception):
        if make_url(settings.database_url) == url:
            return settings.audit_head_file
    return default_audit_head_file(url.render_as_string(hide_password=False), settings.data_dir)


def _signature(body: dict[str, Any]) -> str:
    from egovindex.keys import derived_key

    return hmac.new(derived_key("audit-head"), _canonical(body).encode(), hashlib.sha256).hexdigest()


def read_head(path: Path) -> SignedHead | None:
    """The signed head kept in ``path``; None when there is no file; HeadFileError when it is not valid."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        body = {k: v for k, v in data.items() if k != "signature"}
        signature = data["signature"]
        pending = body.get("pending")
        head = SignedHead(
            int(body["entries"]),
            str(body["last_hash"]),
            (int(pending["entries"]), str(pending["last_hash"])) if pending else None,
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise HeadFileError(f"the signed head {path} cannot be read ({exc})") from None
    if not isinstance(signature, str) or not hmac.compare_digest(signature, _signature(body)):
        raise HeadFileError(
            f"the signature of the head file {path} is not valid: the file was changed or written without the "
            "instance key"
        )
    return head


def _write_head(path: Path, head: SignedHead) -> None:
    body: dict[str, Any] = {
        "format": 1,
        "entries": head.entries,
        "last_hash": head.last_hash,
        "pending": {"entries": head.pending[0], "last_hash": head.pending[1]} if head.pending else None,
        "written_at": dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
    }
    text = json.dumps({**body, "signature": _signature(body)}, indent=2) + "\n"
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with os.fdopen(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as out:
            out.write(text)  # readable by the instance's account only, like the key
            out.flush()
            os.fsync(out.fileno())
        temp.replace(path)
    finally:
        temp.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(path.name + ".lock").open("a+") as lock:
        try:
            import fcntl
        except ImportError:  # no advisory locks on this system: writers rely on the database's serialisation
            yield
            return
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _set_aside(path: Path) -> None:
    """Keep a head file that is being replaced beside it, as evidence."""
    if path.exists():
        path.replace(path.with_name(path.name + ".previous"))


def _announce(path: Path, base: tuple[int, str], new: tuple[int, str], *, force: bool) -> bool:
    """Before a commit that takes the chain from ``base`` to ``new``: sign ``new`` as pending. Only a chain that
    continues the signed head is signed: after a change outside the workflow the file stays as it was, so that
    ``verify`` keeps reporting it (``seal`` accepts the chain again once it was looked into)."""
    try:
        with _locked(path):
            try:
                head = read_head(path)
            except HeadFileError as exc:
                if not force:
                    log.warning("audit head not signed: %s", exc)
                    return False
                head = None
            if force:
                _set_aside(path)
            elif head is None and base[0] > 0:
                log.warning("audit head not signed: %s is missing while the log has %d entries", path, base[0])
                return False
            elif head is not None and not head.accepts(base):
                log.warning("audit head not signed: the log does not continue the signed head in %s", path)
                return False
            _write_head(path, SignedHead(*base, pending=new))
            return True
    except OSError as exc:
        log.error("audit head not signed: %s cannot be written (%s)", path, exc)
        return False


def _settle(path: Path, new: tuple[int, str], *, committed: bool) -> None:
    """After the commit (or the rollback) of a transaction that announced ``new``."""
    try:
        with _locked(path):
            try:
                head = read_head(path)
            except HeadFileError:
                return
            if head is None or head.pending != new:
                return  # a later transaction has moved on from it
            _write_head(path, SignedHead(*new) if committed else SignedHead(head.entries, head.last_hash))
    except OSError as exc:
        log.error("audit head not signed: %s cannot be written (%s)", path, exc)


# ------------------------------------------------------------------------------------------- verification
class Problem(str):
    """One difference ``verify`` found: where (table, row, field) and what; ``str()`` is the one-line message."""

    table: str
    row: str | None
    field: str | None
    message: str

    def __new__(cls, table: str, row: Any, field: str | None, message: str) -> Problem:
        row = None if row is None else str(row)
        where = table + (f"[{row}]" if row is not None else "") + (f".{field}" if field else "")
        self = super().__new__(cls, f"{where}: {message}")
        self.table, self.row, self.field, self.message = table, row, field, message
        return self

    def as_dict(self) -> dict[str, str | None]:
        return {"table": self.table, "row": self.row, "field": self.field, "message": self.message}


@dataclass
class Verification:
    entries: int
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0  # covered rows compared with the log
    head_file: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _iso(raw: Any) -> str:
    """``at.isoformat()`` of an entry's time as the driver gives it (SQLite: text as SQLAlchemy stores it)."""
    if isinstance(raw, dt.datetime):
        return raw.isoformat()
    text = str(raw)
    if len(text) == 26 and text[10] == " " and text[19] == ".":  # the stored form: YYYY-MM-DD HH:MM:SS.ffffff
        return text[:10] + "T" + (text[11:19] if text.endswith(".000000") else text[11:])
    try:
        return dt.datetime.fromisoformat(text).isoformat()
    except ValueError:
        return text


def _payload(*fields: Any) -> str:
    """``_canonical(list(fields))`` for an entry's fields, which are text (``reason`` may be None), written without
    the encoder's overhead; anything else goes through the encoder."""
    q = _quote
    prev, at, actor, action, entity, entity_id, before, after, reason = fields
    try:
        why = "null" if reason is None else q(reason)
        return f"[{q(prev)},{q(at)},{q(actor)},{q(action)},{q(entity)},{q(entity_id)},{q(before)},{q(after)},{why}]"
    except TypeError:
        return _canonical(list(fields))


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


_ENTRY = table(  # audit_entry's columns in the order verify reads them, values as the driver gives them
    "audit_entry",
    *map(sql_column, ("id", "at", "actor", "action", "entity", "entity_id", "before", "after", "reason")),
    sql_column("prev_hash"),
    sql_column("hash"),
)


def _order(key: str) -> tuple[int, Any]:
    return (0, int(key)) if key.isdigit() else (1, key)


def verify(session: Session, *, rows: bool = True, head: bool = True) -> Verification:
    """Recompute the chain, compare it with the head in the database and with the signed head file, and compare
    every covered table with the rows the log says it holds."""
    session.flush()
    if session.info.get(_TOUCHED) or session.info.get(_SINCE):
        _snapshot(session)  # this transaction's own changes are part of what is verified
    # on PostgreSQL a shared lock on the head: no append commits while the log and the tables are read
    session.execute(select(AuditHead.id).where(AuditHead.id == 1).with_for_update(read=True)).all()
    problems: list[Problem] = []
    sha256 = hashlib.sha256
    prev, hashes, snapshots = GENESIS, [], []
    entries = session.execute(select(_ENTRY).order_by(_ENTRY.c.id))
    for id_, at, actor, action, entity, entity_id, before, after, reason, prev_hash, digest in itertools.chain(
        *entries.partitions(5000)
    ):
        if prev_hash != prev:
            problems.append(
                Problem(
                    "audit_entry",
                    id_,
                    "prev_hash",
                    "does not follow the entry before it (an entry was deleted, inserted or reordered)",
                )
            )
        payload = _payload(prev_hash, _iso(at), actor, action, entity, entity_id, before, after, reason)
        if sha256(payload.encode()).hexdigest() != digest:
            problems.append(
                Problem("audit_entry", id_, "hash", "content does not match its hash (the entry was changed)")
            )
        if action in SNAPSHOT_ACTIONS:
            snapshots.append((id_, after))
        prev = digest
        hashes.append(digest)
    result = Verification(len(hashes))
    chain = (len(hashes), prev)
    stored = session.get(AuditHead, 1, populate_existing=True)
    if stored is None:
        if hashes:
            problems.append(Problem("audit_head", 1, None, "the chain's head row is missing"))
    elif (stored.count, stored.last_hash) != chain:
        field_ = "count" if stored.count != chain[0] else "last_hash"
        problems.append(
            Problem(
                "audit_head",
                1,
                field_,
                f"the chain has {chain[0]} entries ending in {chain[1][:12]}, but its head records {stored.count} "
                f"ending in {stored.last_hash[:12]} (newest entries deleted?)",
            )
        )
    if head:
        problems += _check_head_file(session, result, chain, hashes)
    if rows:
        problems += _check_rows(session, result, snapshots)
    result.problems = problems
    return result


def _check_head_file(
    session: Session, result: Verification, chain: tuple[int, str], hashes: list[str]
) -> list[Problem]:
    path = head_file(session)
    if path is None:
        return []
    result.head_file = str(path)
    try:
        signed = read_head(path)
    except HeadFileError as exc:
        return [Problem(HEAD_FILE, None, "signature", str(exc))]
    except OSError as exc:
        return [Problem(HEAD_FILE, None, "signature", f"the instance key cannot be read to check {path} ({exc})")]
    if signed is None:
        if chain[0] == 0:
            return []  # a fresh store
        return [
            Problem(HEAD_FILE, None, None, f"the signed head {path} is missing while the log has {chain[0]} entries")
        ]
    own = session.info.get(_BASE)  # this transaction appended to a chain the file accepts: its entries are fine
    if signed.accepts(chain) or (own is not None and signed.accepts(own)):
        return []
    n, last = signed.state
    if chain[0] < n:
        what = "all entries were deleted" if chain[0] == 0 else f"the newest {n - chain[0]} were deleted"
        return [Problem(HEAD_FILE, None, "entries", f"the log has {chain[0]} entries, the signed head {n}: {what}")]
    if n == 0 or hashes[n - 1] == last:
        return [
            Problem(
                HEAD_FILE,
                None,
                "entries",
                f"the log has {chain[0]} entries, the signed head {n}: {chain[0] - n} entries were appended outside "
                "the workflow",
            )
        ]
    return [
        Problem(
            HEAD_FILE,
            None,
            "last_hash",
            f"entry {n} of the log ends in {hashes[n - 1][:12]}, the signed head in {last[:12]}: the log was rewritten",
        )
    ]


def _check_rows(session: Session, result: Verification, snapshots: list[tuple[Any, Any]]) -> list[Problem]:
    problems: list[Problem] = []
    expected: dict[str, dict[str, dict[str, Any] | None]] = {name: {} for name in COVERED}
    for id_, after in snapshots:
        try:
            data = json.loads(after)
            for name, by_key in data.get("rows", {}).items():
                expected.setdefault(name, {}).update(by_key)
            for name, keys in data.get("deleted", {}).items():
                expected.setdefault(name, {}).update(dict.fromkeys(keys))
        except (ValueError, AttributeError, TypeError):
            problems.append(Problem("audit_entry", id_, "after", "the snapshot of rows cannot be read"))
    present = _present(session)
    for name in COVERED:
        stored = _read(session, name) if name in present else {}
        result.rows += len(stored)
        audited = expected[name]
        for key in sorted(stored.keys() | {k for k, v in audited.items() if v is not None}, key=_order):
            have, want = stored.get(key), audited.get(key)
            if want is None:
                why = "the log says it was deleted" if key in audited else "it is not in the log"
                problems.append(Problem(name, key, None, f"row inserted outside the workflow ({why})"))
            elif have is None:
                problems.append(Problem(name, key, None, "row deleted outside the workflow (the log says it exists)"))
            else:
                for col, value in want.items():
                    if col in have and have[col] != value:
                        problems.append(
                            Problem(
                                name,
                                key,
                                col,
                                f"changed outside the workflow: stored {_show(have[col])}, the log says {_show(value)}",
                            )
                        )
    return problems


# ------------------------------------------------------------------------------------------- fingerprint, seal
@dataclass(frozen=True)
class Fingerprint:
    entries: int
    head: str  # the first 16 hex of the head hash
    code: str  # derived from the instance key: only this instance can give it for this head

    def __str__(self) -> str:
        return f"{self.entries} entries, head {self.head}, code {self.code}"


def fingerprint(session: Session, *, entries: int | None = None) -> Fingerprint:
    """The log's fingerprint now, or as it stood after its first ``entries`` entries, for a cover letter."""
    from egovindex.keys import derived_key

    if entries is None:
        last = session.scalars(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).first()
        entries = session.scalar(select(func.count(AuditEntry.id))) or 0
    elif entries < 0:
        raise ValueError("the number of entries cannot be negative")
    else:
        last = session.scalars(select(AuditEntry.hash).order_by(AuditEntry.id).offset(entries - 1).limit(1)).first()
        if entries and last is None:
            raise ValueError(f"the log has fewer than {entries} entries")
    last = last if entries else GENESIS
    digest = hmac.new(derived_key("audit-fingerprint"), f"{entries}:{last}".encode(), hashlib.sha256).hexdigest()
    code = "-".join(digest[i : i + 4] for i in range(0, 16, 4)).upper()
    return Fingerprint(entries, last[:16], code)


def seal(session: Session, *, user: User, reason: str) -> Verification:
    """An administrator signs the head file anew for the chain as it stands, after its problems were looked into:
    a store restored from a backup, a changed instance key, a lost head file. Refused while the chain or the rows
    do not verify; the signing is itself an entry of the log, with the reason."""
    from egovindex.collection.access import require

    require(user, "users")
    if not reason.strip():
        raise ValueError("sealing the audit head needs a reason")
    result = verify(session)
    other = [p for p in result.problems if p.table != HEAD_FILE]
    if other:
        raise ValueError("the log does not verify, sealing its head would hide it: " + "; ".join(map(str, other[:5])))
    path = head_file(session)
    if path is None:
        raise ValueError("this store keeps no head file (an in-memory database)")
    try:
        before: Any = read_head(path)
        before = {"entries": before.entries, "last_hash": before.last_hash} if before else None
    except HeadFileError as exc:
        before = {"error": str(exc)}
    record(
        session,
        actor=user.username,
        action="audit.seal",
        entity="audit",
        entity_id=result.entries + 1,
        before={"head_file": str(path), "signed": before, "problems": [str(p) for p in result.problems]},
        reason=reason.strip(),
    )
    session.info[_FORCE] = True
    return result


def baseline(session: Session, *, actor: str = "system") -> bool:
    """For a store whose rows were written before the log covered them: one entry with a snapshot of every
    covered row, and the head file signed for the chain (trust on first use). A store with no entry and no row
    starts afresh: a head file left from an earlier store of the same name is set aside. Runs in the caller's
    transaction, which commits outside the session (a migration): the head file announces the new head as
    pending, which the next commit settles."""
    path = head_file(session)
    rows = current_rows(session)
    entries = session.scalar(select(func.count(AuditEntry.id))) or 0
    if not entries and not any(rows.values()):
        if path is not None:
            with _locked(path):
                _set_aside(path)
        return False
    record(
        session,
        actor=actor,
        action=ROWS_BASELINE,
        entity="rows",
        entity_id=sum(map(len, rows.values())),
        after={"rows": {name: found for name, found in rows.items() if found}, "deleted": {}},
        reason="the rows stored before the audit log covered them",
    )
    base = session.info[_BASE]
    stored = session.get(AuditHead, 1)
    assert stored is not None
    if path is not None:
        _announce(path, base, (stored.count, stored.last_hash), force=True)
    _forget(session)
    return True
