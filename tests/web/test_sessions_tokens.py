"""Sessions end when they should, tokens are checked and accounted for, and signing in tells nothing."""

import datetime as dt
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from egovindex.collection import sessions
from egovindex.collection.access import get_user
from egovindex.collection.accounts import add_user, change_user, issue_token, set_password
from egovindex.collection.registry_store import ensure_registry
from egovindex.store.collection import ApiToken, AuditEntry, WebSession
from egovindex.store.db import make_engine, unit_of_work, upgrade
from egovindex.web.app import create_app
from egovindex.web.identity import Throttle
from samples import PASSWORD, csrf_of, sign_in

SIGNED_IN_PAGES = [
    "/collect/2026Q4",
    "/collect/2026Q4.json",
    "/collect/2026Q4/template.xlsx",
    "/board/2026Q4",
    "/board/2026Q4.json",
    "/audit",
    "/audit.json",
    "/admin",
    "/admin.json",
    "/account",
    "/account.json",
    "/reports/2026Q4.json",
]


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from egovindex.settings import get_settings

    monkeypatch.setenv("EGOVINDEX_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    url = f"sqlite:///{tmp_path / 'web.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    with unit_of_work(engine) as s:
        ensure_registry(s)
        for name, agency, role in (("hoa", "BKHCN", "lead"), ("admin", "BKHCN", "administrator")):
            add_user(s, actor="setup", username=name, agency=agency, role=role, password=PASSWORD)
    yield create_app(url), engine
    get_settings.cache_clear()


def _answers(client: TestClient) -> dict[str, int]:
    return {p: client.get(p, follow_redirects=False).status_code for p in SIGNED_IN_PAGES}


def test_signing_out_ends_the_session_on_the_server(site) -> None:  # type: ignore[no-untyped-def]
    app, _ = site
    client = sign_in(app, "hoa")
    stolen = dict(client.cookies)  # a copy of the cookie, kept by someone else
    assert client.get("/board/2026Q4.json").status_code == 200
    client.post("/logout", data={"csrf": csrf_of(client)}, follow_redirects=False)
    replay = TestClient(app, cookies=stolen)
    assert replay.get("/board/2026Q4.json").status_code == 401


def test_deactivation_ends_every_session_and_no_page_answers_500(site) -> None:  # type: ignore[no-untyped-def]
    app, engine = site
    client = sign_in(app, "hoa")
    before = _answers(client)
    assert before["/board/2026Q4.json"] == 200 and before["/reports/2026Q4.json"] == 409  # no edition loaded
    with unit_of_work(engine) as s:
        change_user(s, user=get_user(s, "admin"), username="hoa", active=False)
    after = _answers(client)
    assert all(code in (303, 401) for code in after.values()), after
    with unit_of_work(engine) as s:
        reasons = {r.revoked_reason for r in s.scalars(select(WebSession))}
    assert "deactivated by admin" in reasons


def test_a_password_change_ends_sessions_and_tokens(site) -> None:  # type: ignore[no-untyped-def]
    app, engine = site
    client = sign_in(app, "hoa")
    with unit_of_work(engine) as s:
        token = issue_token(s, actor="setup", username="hoa")
        set_password(s, user=get_user(s, "hoa"), username="hoa", password="another long password")
    assert client.get("/account.json").status_code == 401
    api = TestClient(app).get("/api/submissions/1", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401 and "revoked" in api.json()["detail"]
    sign_in(app, "hoa", "another long password")


def test_an_administrator_signs_a_user_out_everywhere(site) -> None:  # type: ignore[no-untyped-def]
    app, _ = site
    lead, other_device = sign_in(app, "hoa"), sign_in(app, "hoa")
    admin = sign_in(app, "admin")
    r = admin.post("/admin/users/hoa/sign-out-everywhere", data={"csrf": csrf_of(admin)}, follow_redirects=False)
    assert r.status_code == 303
    assert lead.get("/account.json").status_code == 401 and other_device.get("/account.json").status_code == 401
    assert admin.get("/account.json").status_code == 200


def test_idle_timeout_and_lifetime(site) -> None:  # type: ignore[no-untyped-def]
    app, engine = site
    client = sign_in(app, "hoa")
    assert client.get("/account.json").status_code == 200
    with engine.begin() as conn:  # 31 minutes without a request (the default idle timeout is 30)
        conn.execute(
            update(WebSession).values(last_seen=dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=31))
        )
    assert client.get("/account.json").status_code == 401
    client = sign_in(app, "hoa")
    with engine.begin() as conn:  # in use all along, but signed in 9 hours ago (the lifetime is 8 hours)
        conn.execute(
            update(WebSession)
            .where(WebSession.revoked_at.is_(None))
            .values(created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=9))
        )
    assert client.get("/account.json").status_code == 401
    with unit_of_work(engine) as s:
        reasons = sorted(r.revoked_reason for r in s.scalars(select(WebSession)))
    assert reasons == ["idle timeout", "lifetime reached"]


def test_tokens_expire_are_listed_revoked_and_their_use_audited(site) -> None:  # type: ignore[no-untyped-def]
    app, engine = site
    with unit_of_work(engine) as s:
        token = issue_token(s, actor="setup", username="hoa", label="statistics system", days=30)
        old = issue_token(s, actor="setup", username="hoa", label="old system", days=1)
        row = s.scalars(select(ApiToken).where(ApiToken.label == "old system")).one()
        row.expires_at = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=1)
        stored = {t.token_hash for t in s.scalars(select(ApiToken))}
    assert token not in stored and old not in stored  # only hashes are kept
    api = TestClient(app)
    expired = api.get("/api/submissions/1", headers={"Authorization": f"Bearer {old}"})
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    assert expired.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
    missing = api.get("/api/submissions/1")
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"] == "Bearer"
    assert api.get("/api/submissions/1", headers={"Authorization": f"Bearer {token}"}).status_code == 404
    client = sign_in(app, "hoa")
    listed = {t["label"]: t for t in client.get("/account.json").json()["tokens"]}
    assert listed["old system"]["state"] == "expired" and listed["statistics system"]["state"] == "active"
    assert listed["statistics system"]["last_used_at"] is not None
    tid = listed["statistics system"]["id"]
    r = client.post(f"/account/tokens/{tid}/revoke", data={"csrf": csrf_of(client)}, follow_redirects=False)
    assert r.status_code == 303
    assert api.get("/api/submissions/1", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    with unit_of_work(engine) as s:
        actions = [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions.count("token.use") == 1 and "token.revoke" in actions and actions.count("token.issue") == 2


def test_signing_in_checks_one_password_hash_whether_the_user_exists_or_not(site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from argon2 import PasswordHasher

    from egovindex.collection.accounts import authenticate

    _, engine = site
    calls: list[str] = []
    real = PasswordHasher.verify

    def counting(self, hash_, password):  # type: ignore[no-untyped-def]
        calls.append(hash_)
        return real(self, hash_, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    with unit_of_work(engine) as s:
        assert authenticate(s, "hoa", "wrong password!!") is None
        assert authenticate(s, "nobody", "wrong password!!") is None
        assert authenticate(s, "hoa", PASSWORD) is not None
    assert len(calls) == 3
    # the decoy has the same parameters as a real hash, so the work is the same
    assert calls[1].split("$")[1:4] == calls[0].split("$")[1:4]


def test_failed_sign_ins_are_throttled_per_user_and_per_address(site) -> None:  # type: ignore[no-untyped-def]
    throttle = Throttle()
    for k in range(5):  # one account tried from five addresses
        throttle.fail("user:hoa", f"addr:10.0.0.{k}")
    assert throttle.locked("user:hoa", "addr:10.0.0.9")
    throttle = Throttle()
    for k in range(5):  # five accounts tried from one address
        throttle.fail(f"user:u{k}", "addr:10.0.0.1")
    assert throttle.locked("user:hoa", "addr:10.0.0.1") and not throttle.locked("user:hoa", "addr:10.0.0.2")
    app, _ = site  # through the page: five wrong passwords for different names, then even the right one waits
    client = TestClient(app)
    for k in range(5):
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
        r = client.post("/login", data={"username": f"guess{k}", "password": "x" * 12, "csrf": token})
        assert r.status_code == 401
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    assert client.post("/login", data={"username": "hoa", "password": PASSWORD, "csrf": token}).status_code == 429


def test_session_rows_keep_only_a_hash_of_the_cookie(site) -> None:  # type: ignore[no-untyped-def]
    app, engine = site
    client = sign_in(app, "hoa")
    cookie = client.cookies.get("egovindex_session")
    with unit_of_work(engine) as s:
        ids = [r.id for r in s.scalars(select(WebSession))]
    assert len(ids) == 1 and len(ids[0]) == 64 and ids[0] not in cookie
    assert sessions.TOUCH_EVERY.total_seconds() == 60


def test_the_current_password_is_throttled_like_a_sign_in(site) -> None:  # type: ignore[no-untyped-def]
    app, _ = site
    client = sign_in(app, "hoa")
    form = {"current": "not the password!", "password": "another long password"}
    for _ in range(5):
        r = client.post("/account/password", data={**form, "csrf": csrf_of(client)}, follow_redirects=False)
        assert r.status_code == 422
    r = client.post(
        "/account/password", data={**form, "current": PASSWORD, "csrf": csrf_of(client)}, follow_redirects=False
    )
    assert r.status_code == 429  # even the right password waits now
    assert client.get("/account.json").status_code == 200  # the session itself goes on
