"""Every signed-in route x every role x own agency / another agency (BKHCN owns the statistics used here)."""

import re

import pytest
from fastapi.testclient import TestClient

from egovindex.collection.access import ROLES
from egovindex.collection.accounts import add_user, issue_token
from egovindex.collection.registry_store import ensure_registry
from egovindex.store.db import make_engine, unit_of_work, upgrade
from egovindex.web.app import create_app

PASSWORD = "a long enough test password"
CSV = b"indicator_code,value,source\nmobile_subs_per100,140.5,VNNIC\n"
ACCOUNTS = [(role, agency) for role in ROLES for agency in ("BKHCN", "BGDDT")]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from egovindex.settings import get_settings

    tmp = tmp_path_factory.mktemp("authz")
    mp = pytest.MonkeyPatch()
    mp.setenv("EGOVINDEX_DATA_DIR", str(tmp))
    get_settings.cache_clear()
    url = f"sqlite:///{tmp / 'authz.sqlite'}"
    upgrade(url)
    tokens = {}
    with unit_of_work(make_engine(url)) as s:
        ensure_registry(s)
        for role, agency in ACCOUNTS:
            name = f"{role}_{agency}".lower()
            add_user(s, actor="setup", username=name, agency=agency, role=role, password=PASSWORD)
            tokens[name] = issue_token(s, actor="setup", username=name)
    app = create_app(url)
    yield app, tokens
    mp.undo()
    get_settings.cache_clear()


def _client(app, user: str | None) -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    if user:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
        r = client.post("/login", data={"username": user, "password": PASSWORD, "csrf": token}, follow_redirects=False)
        assert r.status_code == 303, r.text
    return client


def _csrf(client: TestClient) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/collect/2026Q4").text).group(1)


@pytest.mark.parametrize(("case", "role", "agency"), [(i, *a) for i, a in enumerate([*ACCOUNTS, (None, None)])])
def test_matrix(world, case: int, role: str | None, agency: str | None) -> None:  # type: ignore[no-untyped-def]
    app, tokens = world
    user = f"{role}_{agency}".lower() if role else None
    client = _client(app, user)
    own = agency == "BKHCN"
    # reading
    assert client.get("/collect/2026Q4.json").status_code == (200 if user else 401)
    expected_board = 200 if (role == "lead" and own) else (403 if user else 401)
    assert client.get("/board/2026Q4.json").status_code == expected_board
    # writing through the page: uploads always go to the user's own agency
    if user:
        r = client.post("/collect/2026Q4/upload", data={"csrf": _csrf(client)}, files={"file": ("q.csv", CSV)})
        may_submit = role in ("submitter", "approver") and own
        submits = role in ("submitter", "approver")  # for their own agency: authorised before the file is read
        assert r.status_code == (200 if may_submit else 422 if submits else 403), (role, agency)
        if not may_submit:
            assert ("does not report" if submits else "may not submit") in r.text
    else:
        assert client.post(
            "/collect/2026Q4/upload", data={"csrf": "x"}, files={"file": ("q.csv", CSV)}
        ).status_code in (401, 403)
    # approving the BKHCN submission (made by the submitter's API token)
    sub = TestClient(app).post(
        "/api/submissions",
        json={
            "agency": "BKHCN",
            "period": f"{2001 + case}Q4",  # a period of its own per case: approvals lock values
            "values": [
                {"indicator": "mobile_subs_per100", "value": 140.5, "source": "VNNIC"},
                {"indicator": "mobile_broadband_per100", "value": 95, "source": "VNNIC"},
                {"indicator": "fixed_broadband_per100", "value": 24, "source": "VNNIC"},
            ],
        },
        headers={"Authorization": f"Bearer {tokens['submitter_bkhcn']}"},
    )
    assert sub.status_code == 201, sub.text
    sid = sub.json()["id"]
    if user:
        state = TestClient(app).get(f"/api/submissions/{sid}", headers={"Authorization": f"Bearer {tokens[user]}"})
        assert state.status_code == (200 if own or role == "administrator" else 403)  # BKHCN is the lead ministry
        lock = 1
        r = client.post(
            f"/collect/submission/{sid}/approve",
            data={"csrf": _csrf(client), "lock_version": lock},
            follow_redirects=False,
        )
        if role == "approver" and own:
            assert r.status_code in (303, 409)  # 409 when the values carry an unjustified warning
        else:
            assert r.status_code == 403, (role, agency, r.status_code)
    # the API with the user's own token, for BKHCN's statistics
    if user:
        r = TestClient(app).post(
            "/api/submissions",
            json={
                "agency": "BKHCN",
                "period": "2024Q4",
                "values": [{"indicator": "mobile_subs_per100", "value": 140.5, "source": "VNNIC"}],
            },
            headers={"Authorization": f"Bearer {tokens[user]}"},
        )
        assert r.status_code == (201 if role in ("submitter", "approver") and own else 403), (role, agency, r.text)
