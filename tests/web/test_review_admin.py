"""Reviewing discrepancies in the browser's pages, the audit log, administration of users, and who may do each."""

import re

import pytest
from fastapi.testclient import TestClient

from egovindex.collection import audit, workflow
from egovindex.collection.access import get_user
from egovindex.collection.accounts import add_user
from egovindex.collection.intake import Row
from egovindex.collection.registry_store import ensure_registry
from egovindex.domain.periods import Period
from egovindex.store.db import make_engine, unit_of_work, upgrade
from egovindex.web.app import create_app

PASSWORD = "a long enough test password"
ACCOUNTS = [
    ("an", "BGDDT", "submitter"),
    ("binh", "BGDDT", "approver"),
    ("thong", "CTK", "submitter"),
    ("cuong", "CTK", "approver"),
    ("hoa", "BKHCN", "lead"),
    ("quan", "BKHCN", "administrator"),
    ("lan", "BKHCN", "submitter"),
    ("xem", "BGDDT", "viewer"),
    ("nam", "BNV", "approver"),
]


@pytest.fixture
def world(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """BGDDT (owner) says adult literacy is 96.1, CTK says 95.0: one open discrepancy for 2025."""
    from egovindex.settings import get_settings

    monkeypatch.setenv("EGOVINDEX_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    url = f"sqlite:///{tmp_path / 'review.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    year = Period.parse("2025")
    with unit_of_work(engine) as s:
        ensure_registry(s)
        for name, agency, role in ACCOUNTS:
            add_user(s, actor="setup", username=name, agency=agency, role=role, password=PASSWORD)
    for user, agency, value in (("an", "BGDDT", 96.1), ("thong", "CTK", 95.0)):
        with unit_of_work(engine) as s:
            workflow.submit(
                s,
                user=get_user(s, user),
                agency=agency,
                period=year,
                rows=[Row("adult_literacy_pct", value, "census")],
                channel="json",
                name="api",
            )
    yield create_app(url)
    get_settings.cache_clear()


def _client(app, user: str) -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    r = client.post("/login", data={"username": user, "password": PASSWORD, "csrf": token}, follow_redirects=False)
    assert r.status_code == 303
    return client


def _csrf(client: TestClient, path: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


def test_discrepancy_thread_and_resolution(world) -> None:  # type: ignore[no-untyped-def]
    owner = _client(world, "binh")
    page = owner.get("/collect/2025").text
    assert 'href="/discrepancy/1"' in page  # the approver's page lists the agency's discrepancies
    data = owner.get("/discrepancy/1.json").json()
    assert (data["owner"], data["owner_value"], data["other"], data["other_value"], data["status"]) == (
        "BGDDT",
        96.1,
        "CTK",
        95.0,
        "open",
    )
    assert data["may_resolve"] and 'id="resolve"' in owner.get("/discrepancy/1").text
    # the contributor comments but cannot resolve
    other = _client(world, "cuong")
    assert not other.get("/discrepancy/1.json").json()["may_resolve"]
    csrf = _csrf(other, "/discrepancy/1")
    r = other.post("/discrepancy/1/comment", data={"text": "LFS 2025 covers ages 15+", "csrf": csrf})
    assert r.status_code == 200 and "LFS 2025 covers ages 15+" in r.text
    r = other.post(
        "/discrepancy/1/resolve",
        data={"reason": "mine", "choose": "CTK", "lock_version": 1, "csrf": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 403
    # an agency not involved sees nothing of it; a form without its token is refused
    assert _client(world, "nam").get("/discrepancy/1.json").status_code == 403
    assert other.post("/discrepancy/1/comment", data={"text": "x", "csrf": "forged"}).status_code == 403
    # the owner's approver: a stale version is a conflict, a value typed with a decimal comma stands
    csrf = _csrf(owner, "/discrepancy/1")
    version = owner.get("/discrepancy/1.json").json()["lock_version"]
    stale = owner.post(
        "/discrepancy/1/resolve",
        data={"reason": "x", "value": "95,5", "lock_version": version - 1, "csrf": csrf},
        follow_redirects=False,
    )
    assert stale.status_code == 409
    assert (
        owner.post(
            "/discrepancy/1/resolve",
            data={"reason": "x", "value": "ninety", "lock_version": version, "csrf": csrf},
            follow_redirects=False,
        ).status_code
        == 422
    )
    r = owner.post(
        "/discrepancy/1/resolve",
        data={"reason": "census and LFS averaged", "value": "95,5", "lock_version": version, "csrf": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    done = owner.get("/discrepancy/1.json").json()
    assert (done["status"], done["resolved_value"], done["resolved_by"]) == ("resolved", 95.5, "binh")
    assert [c["text"] for c in done["comments"]] == ["LFS 2025 covers ages 15+"]
    # the lead ministry's board links to it; its audit log shows both actions and the chain verifies
    lead = _client(world, "hoa")
    assert 'href="/discrepancy/1"' in lead.get("/board/2025").text
    log = lead.get("/audit.json").json()
    actions = [e["action"] for e in log["entries"]]
    assert log["verified"] and actions[:2] == ["discrepancy.resolve", "discrepancy.comment"]
    assert not set(actions) & audit.SNAPSHOT_ACTIONS  # the row snapshots are shown on request
    everything = lead.get("/audit.json?snapshots=true").json()
    assert log["entries_total"] == len(everything["entries"]) > len(actions)
    assert everything["entries"][0]["action"] == "rows.commit"
    assert 'id="audit-ok"' in lead.get("/audit").text


def test_audit_log_is_for_the_lead_ministry_and_administrators(world) -> None:  # type: ignore[no-untyped-def]
    assert _client(world, "quan").get("/audit.json").status_code == 200
    for user in ("binh", "an", "xem"):
        assert _client(world, user).get("/audit.json").status_code == 403
    assert TestClient(world).get("/audit.json").status_code == 401
    assert TestClient(world).get("/audit", follow_redirects=False).headers["location"] == "/login?next=/audit"


def test_administrator_adds_changes_and_deactivates_users(world) -> None:  # type: ignore[no-untyped-def]
    admin = _client(world, "quan")
    data = admin.get("/admin.json").json()
    assert {u["username"] for u in data["users"]} == {a[0] for a in ACCOUNTS}
    agencies = {a["code"]: a for a in data["agencies"]}
    assert len(agencies) == 117 and agencies["BKHCN"]["current"]
    assert 'id="add-user"' in admin.get("/admin").text
    csrf = _csrf(admin, "/admin")
    new = {"username": "mai", "agency": "CTK", "role": "submitter", "password": PASSWORD, "csrf": csrf}
    assert admin.post("/admin/users", data=new, follow_redirects=False).status_code == 303
    assert admin.post("/admin/users", data=new, follow_redirects=False).status_code == 422  # exists already
    short = {**new, "username": "tu", "password": "short"}
    assert admin.post("/admin/users", data=short, follow_redirects=False).status_code == 422
    assert _client(world, "mai").get("/collect/2025.json").json()["agency"] == "CTK"
    r = admin.post("/admin/users/mai", data={"role": "approver", "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    users = {u["username"]: u for u in admin.get("/admin.json").json()["users"]}
    assert users["mai"]["role"] == "approver"
    r = admin.post("/admin/users/mai", data={"active": "no", "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    client = TestClient(world)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    assert client.post("/login", data={"username": "mai", "password": PASSWORD, "csrf": token}).status_code == 401
    # no lock-out of oneself; the changes are audited with before and after
    assert admin.post("/admin/users/quan", data={"active": "no", "csrf": csrf}).status_code == 422
    changes = [e for e in admin.get("/audit.json").json()["entries"] if e["action"] == "user.change"]
    assert len(changes) == 2 and '"active":false' in changes[0]["after"]


@pytest.mark.parametrize("user", ["hoa", "binh", "an", "xem", "cuong", "nam"])
def test_only_administrators_administer(world, user: str) -> None:  # type: ignore[no-untyped-def]
    client = _client(world, user)
    assert client.get("/admin.json").status_code == 403
    csrf = _csrf(client, "/collect/2025")
    new = {"username": "eve", "agency": "BKHCN", "role": "administrator", "password": PASSWORD, "csrf": csrf}
    assert client.post("/admin/users", data=new, follow_redirects=False).status_code == 403
    r = client.post("/admin/users/quan", data={"role": "viewer", "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 403
    assert client.post("/admin/users", data={**new, "csrf": "forged"}).status_code == 403
