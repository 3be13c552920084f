"""Signing in, the agency's statistics page with upload and approval, CSRF, lockout, and the JSON API."""

import io
import re

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from egovindex.collection.accounts import add_user, issue_token
from egovindex.store.db import make_engine, unit_of_work
from egovindex.web.app import create_app

PASSWORD = "a long enough test password"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _sign_in(client: TestClient, user: str, password: str = PASSWORD, next_: str = "/") -> int:
    token = _csrf(client.get("/login").text)
    response = client.post(
        "/login", data={"username": user, "password": password, "csrf": token, "next": next_}, follow_redirects=False
    )
    return response.status_code


def _template(client: TestClient, values: dict[str, object]) -> bytes:
    book = load_workbook(io.BytesIO(client.get("/collect/2026Q4/template.xlsx").content))
    ws = book["Data"]
    for r in range(7, ws.max_row + 1):
        if ws.cell(r, 1).value in values:
            ws.cell(r, 4, values[ws.cell(r, 1).value])
            ws.cell(r, 5, "VNNIC")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_upload_with_an_error_fix_submit_and_approve(app_url: str) -> None:
    client = TestClient(create_app(app_url))
    assert client.get("/collect/2026Q4", follow_redirects=False).headers["location"] == "/login?next=/collect/2026Q4"
    assert _sign_in(client, "lan", next_="/collect/2026Q4") == 303
    cookie = client.cookies.get("egovindex_session")
    assert cookie
    page = client.get("/collect/2026Q4")
    assert "Số liệu thống kê của BKHCN, 2026Q4" in page.text and 'id="template"' in page.text
    values = {
        "mobile_subs_per100": "140,5",
        "mobile_broadband_per100": 95,
        "fixed_broadband_per100": "abc",
        "share_services_level4": 50,
        "share_services_l34": 80,
        "online_dossier_rate": 40,
    }
    upload = client.post(
        "/collect/2026Q4/upload",
        data={"csrf": _csrf(page.text)},
        files={"file": ("q4.xlsx", _template(client, values))},
    )
    assert upload.status_code == 422
    assert "q4.xlsx, row 9, column &#39;D (value)&#39;: &#39;abc&#39; is not a number" in upload.text
    values["fixed_broadband_per100"] = "24,8"
    upload = client.post(
        "/collect/2026Q4/upload",
        data={"csrf": _csrf(upload.text)},
        files={"file": ("q4.xlsx", _template(client, values))},
    )
    assert upload.status_code == 200 and "version 1: 6 values, validated" in upload.text
    data = client.get("/collect/2026Q4.json").json()
    assert data["submission"]["status"] == "validated" and data["submission"]["values"]["mobile_subs_per100"] == 140.5
    assert 'id="approve"' not in upload.text  # a submitter sees no approve button
    approver = TestClient(create_app(app_url))
    _sign_in(approver, "minh")
    page = approver.get("/collect/2026Q4")
    lock = re.search(r'name="lock_version" value="(\d+)"', page.text).group(1)
    done = approver.post(
        f"/collect/submission/{data['submission']['id']}/approve",
        data={"csrf": _csrf(page.text), "lock_version": lock},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert approver.get("/collect/2026Q4.json").json()["submission"]["status"] == "approved"
    stale = approver.post(
        f"/collect/submission/{data['submission']['id']}/approve", data={"csrf": _csrf(page.text), "lock_version": lock}
    )
    assert stale.status_code == 409
    locked = client.get("/collect/2026Q4").text
    assert "Đã khóa:" in locked and "người phê duyệt của cơ quan hủy phê duyệt" in locked  # the lock, in Vietnamese


def test_forms_need_the_csrf_token(app_url: str) -> None:
    client = TestClient(create_app(app_url))
    assert client.post("/login", data={"username": "lan", "password": PASSWORD, "csrf": "x"}).status_code == 403
    _sign_in(client, "lan")
    response = client.post("/collect/2026Q4/upload", data={"csrf": "forged"}, files={"file": ("a.csv", b"x")})
    assert response.status_code == 403


def test_wrong_passwords_lock_the_account(app_url: str) -> None:
    client = TestClient(create_app(app_url))
    assert [_sign_in(client, "lan", "wrong password!") for _ in range(5)] == [401] * 5
    assert _sign_in(client, "lan") == 429  # locked even with the right password
    assert _sign_in(client, "minh") == 429  # and the address too


def test_redirects_stay_on_the_site(app_url: str) -> None:
    client = TestClient(create_app(app_url))
    token = _csrf(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": "lan", "password": PASSWORD, "csrf": token, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_api_submissions_with_a_token(app_url: str) -> None:
    with unit_of_work(make_engine(app_url)) as s:
        token = issue_token(s, actor="setup", username="lan", label="VNNIC system")
    client = TestClient(create_app(app_url))
    body = {
        "agency": "BKHCN",
        "period": "2026Q4",
        "values": [
            {"indicator": "mobile_subs_per100", "value": "140,5", "source": "VNNIC"},
            {"indicator": "fixed_broadband_per100", "value": 500, "source": "VNNIC"},
        ],
    }
    assert client.post("/api/submissions", json=body).status_code == 401
    invalid = client.post("/api/submissions", json=body, headers={"Authorization": "Bearer nope"})
    assert invalid.status_code == 401 and invalid.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
    auth = {"Authorization": f"Bearer {token}"}
    refused = client.post("/api/submissions", json=body, headers=auth)
    assert refused.status_code == 422
    assert refused.json()["problems"][0]["message"].startswith("BKHCN 2026Q4 fixed_broadband_per100 = 500")
    body["values"][1]["value"] = 24.8
    created = client.post("/api/submissions", json=body, headers=auth)
    assert created.status_code == 201 and created.json()["version"] == 1
    got = client.get(f"/api/submissions/{created.json()['id']}", headers=auth).json()
    assert got["values"] == {"mobile_subs_per100": 140.5, "fixed_broadband_per100": 24.8}
    other = client.post("/api/submissions", json={**body, "agency": "BGDDT"}, headers=auth)
    assert other.status_code == 403  # authorised before the values are read: lan submits for BKHCN only
    assert "/api/submissions" in client.get("/openapi.json").json()["paths"]


def test_lead_board_and_release_downloads(app_url: str) -> None:
    from egovindex.collection import workflow
    from egovindex.collection.access import get_user
    from egovindex.collection.intake import Row
    from egovindex.domain.periods import Period

    engine = make_engine(app_url)
    with unit_of_work(engine) as s:
        add_user(s, actor="setup", username="hoa", agency="BKHCN", role="lead", password=PASSWORD)
        rows = [
            Row("mobile_subs_per100", 140.5, "VNNIC"),
            Row("mobile_broadband_per100", 95.0, "VNNIC"),
            Row("fixed_broadband_per100", 24.8, "VNNIC"),
        ]
        sub, _ = workflow.submit(
            s,
            user=get_user(s, "lan"),
            agency="BKHCN",
            period=Period.parse("2026Q4"),
            rows=rows,
            channel="json",
            name="t",
        )
        workflow.approve(s, user=get_user(s, "minh"), submission_id=sub.id)
        workflow.release(s, user=get_user(s, "hoa"), recipient="ITU", period=Period.parse("2026Q4"))
    client = TestClient(create_app(app_url))
    assert client.get("/releases/1.csv").status_code == 401
    _sign_in(client, "hoa")
    board = client.get("/board/2026Q4.json").json()
    assert board["releases"][0]["recipient"] == "ITU" and board["audit"]["ok"]
    assert {a["agency"]: a["status"] for a in board["agencies"]}["BKHCN"] == "released"
    page = client.get("/board/2026Q4").text
    assert "Bảng điều hành 2026Q4" in page and 'id="audit-ok"' in page
    assert "mobile_subs_per100,BKHCN,2026-Q4,140.5" in client.get("/releases/1.csv").text
    assert "<mes:StructureSpecificData" in client.get("/releases/1.xml").text
    assert client.get("/releases/1.xlsx").content[:2] == b"PK"
    assert client.get("/releases/1.pdf").status_code == 404
    viewer = TestClient(create_app(app_url))
    _sign_in(viewer, "lan")
    assert viewer.get("/board/2026Q4").status_code == 403


def test_justify_a_warning_then_approve_and_unapprove(app_url: str) -> None:
    client = TestClient(create_app(app_url))
    _sign_in(client, "lan")
    page = client.get("/collect/2026Q4")
    partial = {"mobile_subs_per100": 140, "mobile_broadband_per100": 95}  # fixed broadband is missing
    upload = client.post(
        "/collect/2026Q4/upload",
        data={"csrf": _csrf(page.text)},
        files={"file": ("q4.xlsx", _template(client, partial))},
    )
    assert "submitted" in upload.text and 'class="justify"' in upload.text  # completeness warnings to justify
    sub = client.get("/collect/2026Q4.json").json()["submission"]
    for w in sub["warnings"]:
        r = client.post(
            f"/collect/submission/{sub['id']}/justify",
            data={
                "csrf": _csrf(page.text),
                "rule": w["rule"],
                "indicator": w["indicator"],
                "text": "the portal's figures come from VPCP this quarter",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303
    assert client.get("/collect/2026Q4.json").json()["submission"]["status"] == "validated"
    approver = TestClient(create_app(app_url))
    _sign_in(approver, "minh")
    page = approver.get("/collect/2026Q4").text
    lock = re.search(r'name="lock_version" value="(\d+)"', page).group(1)
    approver.post(f"/collect/submission/{sub['id']}/approve", data={"csrf": _csrf(page), "lock_version": lock})
    page = approver.get("/collect/2026Q4").text
    assert 'id="unapprove"' in page
    lock = re.search(r'name="lock_version" value="(\d+)"', page).group(1)
    r = approver.post(
        f"/collect/submission/{sub['id']}/unapprove",
        data={"csrf": _csrf(page), "lock_version": lock, "reason": "operator revised its count"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert approver.get("/collect/2026Q4.json").json()["submission"]["status"] == "validated"
    assert (
        client.post(
            f"/collect/submission/{sub['id']}/unapprove",
            data={"csrf": _csrf(client.get("/collect/2026Q4").text), "lock_version": 1, "reason": "x"},
        ).status_code
        == 403
    )
