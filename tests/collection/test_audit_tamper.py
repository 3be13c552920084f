"""Tampering with the store outside the workflow is detected and named: a changed, inserted or deleted row of any
covered table, a changed, deleted, inserted or reordered audit entry, a truncated or emptied log; and the same
done by someone who also makes the log agree (snapshots, SHA-256 chain and head row recomputed, which needs no
key) is caught by the signed head file. On SQLite and PostgreSQL; the head file and the instance key live in
each test's own folder."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, insert, select, text, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from egovindex.collection import audit, reconcile, workflow
from egovindex.collection.access import get_user
from egovindex.collection.accounts import add_user, issue_token, set_self_approval
from egovindex.collection.intake import Row
from egovindex.collection.registry_store import ensure_registry
from egovindex.domain.periods import Period
from egovindex.settings import get_settings
from egovindex.store.collection import (
    ApiToken,
    AuditEntry,
    AuditHead,
    Discrepancy,
    PeriodState,
    ReleasedValue,
    Submission,
    SubmittedValue,
    User,
)
from egovindex.store.db import make_engine, unit_of_work, upgrade
from samples import EDU

Q3, Q4, Y = Period.parse("2026Q3"), Period.parse("2026Q4"), Period.parse("2025")
TELECOM = [
    Row("mobile_subs_per100", 140.5, "VNNIC"),
    Row("mobile_broadband_per100", 95.0, "VNNIC"),
    Row("fixed_broadband_per100", 24.8, "VNNIC"),
]


@pytest.fixture(autouse=True)
def own_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The instance key and (on PostgreSQL) the head file in this test's folder, before any store is made."""
    for name in ("EGOVINDEX_AUDIT_HEAD_FILE", "EGOVINDEX_SECRET_KEY", "EGOVINDEX_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EGOVINDEX_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


@pytest.fixture
def world(engine: Engine) -> dict[str, Any]:
    """A quarter released to the ITU, a resolved discrepancy with a comment, a closed period, a token and an
    agency setting, all made by the workflow; the ids of the rows the cases tamper with."""
    with unit_of_work(engine) as s:
        add_user(s, actor="setup", username="thong", agency="CTK", role="submitter")
    with unit_of_work(engine) as s:
        sub, _ = workflow.submit(
            s,
            user=get_user(s, "lan"),
            agency="BKHCN",
            period=Q4,
            rows=TELECOM,
            channel="xlsx",
            name="BKHCN_2026Q4.xlsx",
            source_uri="BKHCN_2026Q4.xlsx",
            source_sha256="a" * 64,
        )
        sid = sub.id
    with unit_of_work(engine) as s:
        workflow.approve(s, user=get_user(s, "minh"), submission_id=sid)
    with unit_of_work(engine) as s:
        rid = workflow.release(s, user=get_user(s, "hoa"), recipient="ITU", period=Q4).release.id
    with unit_of_work(engine) as s:
        workflow.submit(s, user=get_user(s, "an"), agency="BGDDT", period=Y, rows=EDU, channel="json", name="api")
    with unit_of_work(engine) as s:
        workflow.submit(
            s,
            user=get_user(s, "thong"),
            agency="CTK",
            period=Y,
            rows=[Row("adult_literacy_pct", 95.0, "labour force survey")],
            channel="json",
            name="api",
        )
    with unit_of_work(engine) as s:
        did = s.scalars(select(Discrepancy.id).where(Discrepancy.status == "open")).one()
        reconcile.comment(s, user=get_user(s, "thong"), discrepancy_id=did, text="LFS covers ages 15+")
    with unit_of_work(engine) as s:
        reconcile.resolve(s, user=get_user(s, "binh"), discrepancy_id=did, value=95.8, reason="census projected")
    with unit_of_work(engine) as s:
        workflow.set_period(s, user=get_user(s, "hoa"), period=Q3, closed=True)
        issue_token(s, actor="admin", username="lan", label="upload script")
        set_self_approval(s, user=get_user(s, "admin"), agency="VPCP", allow=True)
    with unit_of_work(engine) as s:
        ids = {
            "submission": sid,
            "release": rid,
            "released_value": s.scalars(
                select(ReleasedValue.id).where(
                    ReleasedValue.release_id == rid, ReleasedValue.indicator_code == "mobile_subs_per100"
                )
            ).one(),
            "submitted_value": s.scalars(
                select(SubmittedValue.id).where(
                    SubmittedValue.submission_id == sid, SubmittedValue.indicator_code == "mobile_broadband_per100"
                )
            ).one(),
            "discrepancy": did,
            "lan": s.scalars(select(User.id).where(User.username == "lan")).one(),
            "token": s.scalars(select(ApiToken.id)).one(),
        }
        result = audit.verify(s)
        assert result.ok, result.problems
        ids["entries"] = result.entries
    return ids


def _sql(statement: str, **params: Any) -> Callable[[Engine, dict[str, Any]], Any]:
    def run(engine: Engine, ids: dict[str, Any]) -> None:
        with engine.begin() as conn:
            conn.execute(text(statement), {k: ids.get(v, v) if isinstance(v, str) else v for k, v in params.items()})

    return run


def _insert_released_value(engine: Engine, ids: dict[str, Any]) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(ReleasedValue).values(
                release_id=ids["release"],
                indicator_code="internet_users_pct",
                agency_code="BKHCN",
                value=99.0,
                unit="percent",
                submission_id=ids["submission"],
                basis="submitted",
            )
        )
        ids["new"] = conn.scalar(select(func.max(ReleasedValue.id)))


def _insert_entry(engine: Engine, ids: dict[str, Any]) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(AuditEntry).values(
                at=dt.datetime(2026, 12, 1),
                actor="mallory",
                action="release.create",
                entity="release",
                entity_id="9",
                before="null",
                after="null",
                prev_hash="a" * 64,
                hash="b" * 64,
            )
        )
        ids["new"] = conn.scalar(select(func.max(AuditEntry.id)))


def _swap_entries(engine: Engine, ids: dict[str, Any]) -> None:
    with engine.begin() as conn:
        for old, new in ((5, -5), (6, 5), (-5, 6)):
            conn.execute(update(AuditEntry).where(AuditEntry.id == old).values(id=new))


def _truncate(engine: Engine, ids: dict[str, Any]) -> None:
    with engine.begin() as conn:
        conn.execute(delete(AuditEntry).where(AuditEntry.id > ids["entries"] - 3))


def _delete_log(engine: Engine, ids: dict[str, Any]) -> None:
    with engine.begin() as conn:
        conn.execute(delete(AuditEntry))
        conn.execute(delete(AuditHead))


Where = tuple[str, str | Callable[[dict[str, Any]], str] | None, str | None]
# name: (tampering, where it must be reported: table, row (a key of the ids, a function of them, or None), field)
CASES: dict[str, tuple[Callable[[Engine, dict[str, Any]], Any], list[Where]]] = {
    "released value": (
        _sql("UPDATE released_value SET value = 150.5 WHERE id = :id", id="released_value"),
        [("released_value", "released_value", "value")],
    ),
    "released indicator": (
        _sql("UPDATE released_value SET indicator_code = 'internet_users_pct' WHERE id = :id", id="released_value"),
        [("released_value", "released_value", "indicator_code")],
    ),
    "released agency": (
        _sql("UPDATE released_value SET agency_code = 'VPCP' WHERE id = :id", id="released_value"),
        [("released_value", "released_value", "agency_code")],
    ),
    "released unit": (
        _sql("UPDATE released_value SET unit = 'percent' WHERE id = :id", id="released_value"),
        [("released_value", "released_value", "unit")],
    ),
    "release content hash": (
        _sql("UPDATE release SET content_hash = :h WHERE id = :id", h="0" * 64, id="release"),
        [("release", "release", "content_hash")],
    ),
    "submission source hash": (
        _sql("UPDATE submission SET source_sha256 = :h WHERE id = :id", h="f" * 64, id="submission"),
        [("submission", "submission", "source_sha256")],
    ),
    "submission status": (
        _sql("UPDATE submission SET status = 'approved' WHERE id = :id", id="submission"),
        [("submission", "submission", "status")],
    ),
    "submitted value": (
        _sql("UPDATE submitted_value SET value = 9.5 WHERE id = :id", id="submitted_value"),
        [("submitted_value", "submitted_value", "value")],
    ),
    "resolved value": (
        _sql("UPDATE discrepancy SET resolved_value = 96.1 WHERE id = :id", id="discrepancy"),
        [("discrepancy", "discrepancy", "resolved_value")],
    ),
    "comment": (
        _sql("UPDATE discrepancy_comment SET text = 'agreed by phone'"),
        [("discrepancy_comment", "1", "text")],
    ),
    "user role": (
        _sql("UPDATE app_user SET role = 'lead' WHERE id = :id", id="lan"),
        [("app_user", "lan", "role")],
    ),
    "user active": (
        _sql("UPDATE app_user SET active = :v WHERE id = :id", v=False, id="lan"),
        [("app_user", "lan", "active")],
    ),
    "user password": (
        _sql("UPDATE app_user SET password_hash = 'x' WHERE id = :id", id="lan"),
        [("app_user", "lan", "password_hash")],
    ),
    "token revoked": (
        _sql("UPDATE api_token SET revoked = :v WHERE id = :id", v=True, id="token"),
        [("api_token", "token", "revoked")],
    ),
    "period closed": (
        _sql("UPDATE period_state SET closed = :v WHERE period = '2026Q3'", v=False),
        [("period_state", "2026Q3", "closed")],
    ),
    "agency setting": (
        _sql("UPDATE agency_setting SET allow_self_approval = :v WHERE agency_code = 'VPCP'", v=False),
        [("agency_setting", "VPCP", "allow_self_approval")],
    ),
    "released value inserted": (_insert_released_value, [("released_value", lambda ids: str(ids["new"]), None)]),
    "submitted value deleted": (
        _sql("DELETE FROM submitted_value WHERE id = :id", id="submitted_value"),
        [("submitted_value", "submitted_value", None)],
    ),
    "entry changed": (
        _sql("UPDATE audit_entry SET actor = 'mallory' WHERE id = 5"),
        [("audit_entry", "5", "hash")],
    ),
    "entry deleted": (_sql("DELETE FROM audit_entry WHERE id = 5"), [("audit_entry", "6", "prev_hash")]),
    "entry inserted": (_insert_entry, [("audit_entry", lambda ids: str(ids["new"]), "prev_hash")]),
    "entries reordered": (_swap_entries, [("audit_entry", "5", "prev_hash")]),
    "log truncated": (_truncate, [("audit_head", "1", "count"), (audit.HEAD_FILE, None, "entries")]),
    "log deleted": (_delete_log, [(audit.HEAD_FILE, None, "entries"), ("app_user", "lan", None)]),
}


def _where(where: Where, ids: dict[str, Any]) -> tuple[str, str | None, str | None]:
    table, row, field = where
    if callable(row):
        row = row(ids)
    elif row is not None:
        row = str(ids.get(row, row))
    return table, row, field


def _verify(engine: Engine, **kwargs: bool) -> audit.Verification:
    with unit_of_work(engine) as s:
        return audit.verify(s, **kwargs)


def test_an_untouched_store_verifies(engine: Engine, world: dict[str, Any]) -> None:
    result = _verify(engine)
    assert result.ok and result.entries == world["entries"] and result.rows > 100
    assert Path(result.head_file or "").is_file()


@pytest.mark.parametrize("case", list(CASES))
def test_tampering_is_detected_and_named(engine: Engine, world: dict[str, Any], case: str) -> None:
    tamper, places = CASES[case]
    tamper(engine, world)
    result = _verify(engine)
    assert not result.ok
    found = {(p.table, p.row, p.field) for p in result.problems}
    for where in places:
        assert _where(where, world) in found, (case, result.problems)
    assert all(str(p).startswith(p.table) and "\n" not in p for p in result.problems)


# ------------------------------------------------------------------------------------------- forgeries
def _forge(engine: Engine) -> None:
    """What someone holding the database but not the instance key can do: make the log agree with the tampered
    rows (one more snapshot of every row as it now is), recompute every hash of the chain and rewrite the head
    row."""
    with engine.begin() as conn:
        entries = list(conn.execute(select(AuditEntry.__table__).order_by(AuditEntry.id)))
        audited: dict[str, set[str]] = {}
        for e in entries:
            if e.action in audit.SNAPSHOT_ACTIONS:
                with_rows = json.loads(e.after).get("rows", {})
                for table, rows in with_rows.items():
                    audited.setdefault(table, set()).update(rows)
        rows = audit.current_rows(Session(bind=conn))
        deleted = {t: sorted(keys - rows.get(t, {}).keys()) for t, keys in audited.items()}
        conn.execute(
            insert(AuditEntry).values(
                at=dt.datetime(2026, 12, 2, 9),
                actor="system",
                action=audit.ROWS_COMMIT,
                entity="rows",
                entity_id="1",
                before="null",
                after=json.dumps(
                    {"rows": rows, "deleted": deleted}, sort_keys=True, ensure_ascii=False, separators=(",", ":")
                ),
                prev_hash="",
                hash=f"forged-{len(entries)}",
            )
        )
        prev, count = audit.GENESIS, 0
        for e in conn.execute(select(AuditEntry.__table__).order_by(AuditEntry.id)).all():
            digest = audit.entry_hash(prev, e.at, e.actor, e.action, e.entity, e.entity_id, e.before, e.after, e.reason)
            conn.execute(update(AuditEntry).where(AuditEntry.id == e.id).values(prev_hash=prev, hash=digest))
            prev, count = digest, count + 1
        conn.execute(delete(AuditHead))
        conn.execute(insert(AuditHead).values(id=1, count=count, last_hash=prev))


@pytest.mark.parametrize("case", list(CASES))
def test_a_forged_log_is_caught_by_the_signed_head(engine: Engine, world: dict[str, Any], case: str) -> None:
    CASES[case][0](engine, world)
    _forge(engine)
    assert _verify(engine, head=False).ok  # the database alone agrees with itself
    result = _verify(engine)
    assert [p.table for p in result.problems] == [audit.HEAD_FILE], result.problems
    assert result.problems[0].field in ("entries", "last_hash")


def test_head_file_deleted(engine: Engine, world: dict[str, Any]) -> None:
    path = Path(_verify(engine).head_file or "")
    path.unlink()
    result = _verify(engine)
    assert [(p.table, p.field) for p in result.problems] == [(audit.HEAD_FILE, None)]
    assert "missing" in result.problems[0].message
    with unit_of_work(engine) as s:  # the workflow goes on, but does not sign a head it cannot check
        workflow.set_period(s, user=get_user(s, "hoa"), period=Q3, closed=False)
    assert not path.exists() and not _verify(engine).ok


def test_head_file_rewritten_without_the_key(engine: Engine, world: dict[str, Any]) -> None:
    path = Path(_verify(engine).head_file or "")
    _truncate(engine, world)
    _forge(engine)
    with unit_of_work(engine) as s:
        head = s.get(AuditHead, 1)
        assert head is not None
        count, last = head.count, head.last_hash
    body = json.loads(path.read_text())
    body.update(entries=count, last_hash=last, pending=None)
    del body["signature"]
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    body["signature"] = hmac.new(b"a guessed key", canonical.encode(), hashlib.sha256).hexdigest()
    path.write_text(json.dumps(body))
    result = _verify(engine)
    assert [(p.table, p.field) for p in result.problems] == [(audit.HEAD_FILE, "signature")]


# ------------------------------------------------------------------------------------------- coverage
def test_every_write_is_covered_whoever_makes_it(engine: Engine, world: dict[str, Any]) -> None:
    """Rows written through the session without an audit entry of their own, by ORM objects, an ORM bulk UPDATE
    or DELETE and a Core bulk INSERT, are still in the log: the store verifies, and the snapshot names them."""
    with unit_of_work(engine) as s:
        s.get(User, world["lan"]).full_name = "Nguyễn Thị Lan"  # type: ignore[union-attr]
        s.execute(update(Submission).where(Submission.id == world["submission"]).values(status_reason="noted"))
        s.execute(insert(PeriodState), [{"period": "2026Q2", "closed": True, "changed_by": "hoa"}])
        s.execute(delete(PeriodState).where(PeriodState.period == "2026Q3"))
    with unit_of_work(engine) as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
        assert last.action == audit.ROWS_COMMIT and last.actor == "system"
        snapshot = json.loads(last.after)
        assert snapshot["rows"]["app_user"][str(world["lan"])]["full_name"] == "Nguyễn Thị Lan"
        assert snapshot["rows"]["app_user"][str(world["lan"])]["password_hash"] is None
        assert snapshot["rows"]["submission"][str(world["submission"])]["status_reason"] == "noted"
        assert set(snapshot["rows"]["period_state"]) == {"2026Q2"}
        assert snapshot["deleted"] == {"period_state": ["2026Q3"]}
    assert _verify(engine).ok


def test_a_token_use_is_no_change_of_the_row(engine: Engine, world: dict[str, Any]) -> None:
    with unit_of_work(engine) as s:
        s.get(ApiToken, world["token"]).last_used_at = dt.datetime(2026, 12, 2)  # type: ignore[union-attr]
    with unit_of_work(engine) as s:
        assert s.scalar(select(func.count(AuditEntry.id))) == world["entries"]
    assert _verify(engine).ok


def test_verify_in_the_transaction_that_writes(engine: Engine, world: dict[str, Any]) -> None:
    with unit_of_work(engine) as s:
        workflow.set_period(s, user=get_user(s, "hoa"), period=Q3, closed=False)
        assert audit.verify(s).ok
    assert _verify(engine).ok


def test_a_failed_transaction_leaves_the_head_as_it_was(engine: Engine, world: dict[str, Any]) -> None:
    path = Path(_verify(engine).head_file or "")
    before = audit.read_head(path)
    with pytest.raises(RuntimeError), unit_of_work(engine) as s:
        workflow.set_period(s, user=get_user(s, "hoa"), period=Q3, closed=False)
        raise RuntimeError("interrupted")
    assert audit.read_head(path) == before and _verify(engine).ok


# ------------------------------------------------------------------------------------------- fresh and upgraded
def _sqlite(tmp_path: Path, name: str) -> tuple[str, Path]:
    db = tmp_path / name
    return f"sqlite:///{db}", Path(f"{db}.audit-head.json")


def test_a_fresh_store_is_intact_and_a_stale_head_file_is_set_aside(tmp_path: Path) -> None:
    url, head = _sqlite(tmp_path, "fresh.sqlite")
    head.write_text('{"entries": 40}')  # left by an earlier store of the same name
    upgrade(url)
    assert not head.exists() and head.with_name(head.name + ".previous").exists()
    engine = make_engine(url)
    with unit_of_work(engine) as s:
        result = audit.verify(s)
    assert result.ok and result.entries == 0
    with unit_of_work(engine) as s:
        ensure_registry(s)
    signed, result = audit.read_head(head), _verify(engine)
    assert result.ok and signed is not None and signed.entries == result.entries == 2 and signed.pending is None
    engine.dispose()


def test_an_upgraded_store_gets_a_baseline_and_verifies(tmp_path: Path) -> None:
    url, head = _sqlite(tmp_path, "old.sqlite")
    upgrade(url, "0005")
    engine = make_engine(url)
    with unit_of_work(engine) as s:
        ensure_registry(s)
        add_user(s, actor="setup", username="lan", agency="BKHCN", role="submitter")
    with unit_of_work(engine) as s:
        workflow.submit(s, user=get_user(s, "lan"), agency="BKHCN", period=Q4, rows=TELECOM, channel="json", name="t")
    # as a store written before the log covered its rows: no snapshot entries, no head file
    with engine.begin() as conn:
        conn.execute(delete(AuditEntry).where(AuditEntry.action == audit.ROWS_COMMIT))
        prev, count = audit.GENESIS, 0
        for e in conn.execute(select(AuditEntry.__table__).order_by(AuditEntry.id)).all():
            digest = audit.entry_hash(prev, e.at, e.actor, e.action, e.entity, e.entity_id, e.before, e.after, e.reason)
            conn.execute(update(AuditEntry).where(AuditEntry.id == e.id).values(prev_hash=prev, hash=digest))
            prev, count = digest, count + 1
        conn.execute(update(AuditHead).values(count=count, last_hash=prev))
    head.unlink()
    assert not _verify(engine).ok
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    with unit_of_work(engine) as s:
        result = audit.verify(s)
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert result.ok, result.problems
    assert actions[-1] == audit.ROWS_BASELINE and audit.ROWS_COMMIT not in actions and head.exists()
    with unit_of_work(engine) as s:  # the next commit settles the head the migration announced
        add_user(s, actor="setup", username="minh", agency="BKHCN", role="approver")
    signed = audit.read_head(head)
    assert signed is not None and signed.pending is None and signed.entries == _verify(engine).entries
    engine.dispose()


# ------------------------------------------------------------------------------------------- command line
runner = CliRunner()


def _cli(*args: str, code: int = 0) -> str:
    from egovindex.cli import app

    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.output


def test_audit_commands(store_env: Path) -> None:
    _cli("registry", "load")
    _cli("users", "add", "admin", "--agency", "BKHCN", "--role", "administrator")
    _cli("users", "add", "lan", "--agency", "BKHCN", "--role", "submitter")
    assert "chain intact" in _cli("audit", "verify")
    assert json.loads(_cli("audit", "verify", "--format", "json"))["intact"] is True
    shown = json.loads(_cli("audit", "fingerprint", "-f", "json"))
    assert re.fullmatch(r"[0-9A-F]{4}(-[0-9A-F]{4}){3}", shown["code"]) and len(shown["head"]) == 16
    first = json.loads(_cli("audit", "fingerprint", "-f", "json", "--entries", "1"))
    assert first["entries"] == 1 and first["code"] != shown["code"]
    assert shown["code"] in _cli("audit", "fingerprint")

    db = store_env / "data" / "test.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE app_user SET role = 'administrator' WHERE username = 'lan'")
    out = _cli("audit", "verify", code=1)
    assert out.splitlines()[0] == (
        'app_user[2].role: changed outside the workflow: stored "administrator", the log says "submitter"'
    )
    problems = json.loads(_cli("audit", "verify", "-f", "json", code=1).split("\nerror:")[0])["problems"]
    assert problems == [
        {
            "table": "app_user",
            "row": "2",
            "field": "role",
            "message": 'changed outside the workflow: stored "administrator", the log says "submitter"',
        }
    ]
    assert "no fingerprint" in _cli("audit", "fingerprint", code=1)
    assert "does not verify" in _cli("audit", "seal", "--user", "admin", "--reason", "restored", code=2)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE app_user SET role = 'submitter' WHERE username = 'lan'")
    Path(f"{db}.audit-head.json").unlink()
    assert "is missing while the log has" in _cli("audit", "verify", code=1)
    assert "only an administrator" in _cli("audit", "seal", "--user", "lan", "--reason", "x", code=2)
    assert "audit head sealed" in _cli("audit", "seal", "--user", "admin", "--reason", "head file lost with a disk")
    assert "chain intact" in _cli("audit", "verify")
