"""The access matrix: every route of the application x anonymous and each role x own agency (BGDDT, whose
statistics are used here), another agency (VPCP) and the lead ministry (BKHCN).

One rule decides what may be read (``collection.access.require_read``): UN data are public; released national
values need a signed-in user; unreleased values (submissions, discrepancies, the report built from them) are read
by the agency's own users, the agencies a discrepancy involves, the lead ministry and administrators. Writes are
authorised before anything else is looked at: an authorised user's request below fails on the state of the data
(409/422) or succeeds, an unauthorised one gets 403, an anonymous one 401 (JSON) or a redirect to sign in (page).
A route missing from the table fails the test: a new door must say who may use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

import samples
from egovindex.collection.access import ROLES
from egovindex.collection.accounts import issue_token
from egovindex.store.db import unit_of_work
from samples import LEAD, OTHER, OWN, PASSWORD, account

PRINCIPALS: list[tuple[str, str] | None] = [None] + [(r, a) for r in ROLES for a in (OWN, OTHER, LEAD)]


def _name(p: tuple[str, str]) -> str:
    return account(*p)


@pytest.fixture(scope="module")
def world(loaded_store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    for site in samples.site(loaded_store, tmp_path_factory.mktemp("matrix")):
        yield {
            "app": site.app,
            "engine": site.engine,
            "tokens": site.tokens,
            "sid": site.sid,
            "did": site.did,
            "rid": site.rid,
            "ctk_token": site.ctk_token,
        }


# ------------------------------------------------------------------------------------------- who may
def public(p: tuple[str, str] | None) -> bool:
    return True


def signed_in(p: tuple[str, str] | None) -> bool:
    return p is not None


def reads_own_unreleased(p: tuple[str, str] | None) -> bool:
    return p is not None and (p[1] in (OWN, LEAD) or p[0] == "administrator")


def reads_discrepancy(p: tuple[str, str] | None) -> bool:
    return p is not None and (p[1] in (OWN, LEAD) or p[0] == "administrator")


def reads_every_unreleased(p: tuple[str, str] | None) -> bool:
    return p is not None and (p[1] == LEAD or p[0] == "administrator")


def lead_role(p: tuple[str, str] | None) -> bool:
    return p == ("lead", LEAD)


def reads_audit(p: tuple[str, str] | None) -> bool:
    return p is not None and (p == ("lead", LEAD) or p[0] == "administrator")


def administrator(p: tuple[str, str] | None) -> bool:
    return p is not None and p[0] == "administrator"


def submits_own(p: tuple[str, str] | None) -> bool:
    return p is not None and p[1] == OWN and p[0] in ("submitter", "approver")


def submits_anywhere(p: tuple[str, str] | None) -> bool:
    return p is not None and p[0] in ("submitter", "approver")


def approves_own(p: tuple[str, str] | None) -> bool:
    return p == ("approver", OWN)


def comments(p: tuple[str, str] | None) -> bool:
    return p is not None and p[1] in (OWN, LEAD) and p[0] != "viewer"


# (method, route, concrete path, who may, how: "page" | "json" | "api", form data, expected codes when allowed)
Case = tuple[str, str, str, Callable[[Any], bool], str, dict[str, Any] | None, tuple[int, ...]]


def cases(w: dict[str, Any]) -> list[Case]:
    sid, did, rid = w["sid"], w["did"], w["rid"]
    ok = (200,)
    return [
        ("GET", "/", "/", public, "page", None, ok),
        ("GET", "/overview.json", "/overview.json", public, "json", None, ok),
        ("GET", "/egdi", "/egdi", public, "page", None, (307,)),
        ("GET", "/egdi/{year}", "/egdi/2024", public, "page", None, ok),
        ("GET", "/egdi/{year}.json", "/egdi/2024.json", public, "json", None, ok),
        ("GET", "/egdi/{year}.csv", "/egdi/2024.csv", public, "json", None, ok),
        ("GET", "/egdi/{year}.xlsx", "/egdi/2024.xlsx", public, "json", None, ok),
        ("GET", "/country/{iso3}", "/country/VNM", public, "page", None, ok),
        ("GET", "/country/{iso3}.json", "/country/VNM.json", public, "json", None, ok),
        ("GET", "/compare", "/compare", public, "page", None, ok),
        ("GET", "/compare.json", "/compare.json", public, "json", None, ok),
        ("GET", "/simulator", "/simulator?draws=100", public, "page", None, ok),
        ("GET", "/simulator.json", "/simulator.json", public, "json", None, ok),
        ("GET", "/sensitivity.json", "/sensitivity.json?draws=100", public, "json", None, ok),
        ("GET", "/login", "/login", public, "page", None, ok),
        ("GET", "/openapi.json", "/openapi.json", public, "json", None, ok),
        ("GET", "/docs", "/docs", public, "page", None, ok),
        ("GET", "/docs/oauth2-redirect", "/docs/oauth2-redirect", public, "page", None, ok),
        ("GET", "/redoc", "/redoc", public, "page", None, ok),
        ("GET", "/static", "/static/style.css", public, "page", None, ok),
        # released national values: signed-in users, whichever agency
        ("GET", "/simulator.json", f"/simulator.json?release={rid}", signed_in, "json", None, ok),
        ("GET", "/releases/{release_id}.{fmt}", f"/releases/{rid}.csv", signed_in, "json", None, ok),
        ("GET", "/releases/{release_id}.{fmt}", f"/releases/{rid}.xml", signed_in, "json", None, ok),
        ("GET", "/releases/{release_id}.{fmt}", f"/releases/{rid}.xlsx", signed_in, "json", None, ok),
        # one's own agency's page (each user sees their own agency)
        ("GET", "/collect/{period}", "/collect/2025", signed_in, "page", None, ok),
        ("GET", "/collect/{period}.json", "/collect/2025.json", signed_in, "json", None, ok),
        ("GET", "/collect/{period}/template.xlsx", "/collect/2025/template.xlsx", signed_in, "json", None, ok),
        ("GET", "/collect/{period}/correct", "/collect/2025/correct", signed_in, "page", None, ok),
        ("GET", "/collect/{period}/correct.json", "/collect/2025/correct.json", signed_in, "json", None, ok),
        ("GET", "/collect/problems/{key}.csv", "/collect/problems/none.csv", signed_in, "json", None, (404,)),
        ("GET", "/account", "/account", signed_in, "page", None, ok),
        ("GET", "/account.json", "/account.json", signed_in, "json", None, ok),
        # unreleased values
        ("GET", "/api/submissions/{submission_id}", f"/api/submissions/{sid}", reads_own_unreleased, "api", None, ok),
        ("GET", "/discrepancy/{discrepancy_id}", f"/discrepancy/{did}", reads_discrepancy, "page", None, ok),
        ("GET", "/discrepancy/{discrepancy_id}.json", f"/discrepancy/{did}.json", reads_discrepancy, "json", None, ok),
        ("GET", "/reports/{period}.{fmt}", "/reports/2025.json", reads_every_unreleased, "json", None, ok),
        ("GET", "/services/{period}", "/services/2025Q4", reads_every_unreleased, "page", None, ok),
        ("GET", "/services/{period}.json", "/services/2025Q4.json", reads_every_unreleased, "json", None, ok),
        ("GET", "/services/{period}.csv", "/services/2025Q4.csv", reads_every_unreleased, "json", None, ok),
        ("GET", "/assess/{method}/{year}", "/assess/dti-2022/2022", reads_every_unreleased, "page", None, ok),
        ("GET", "/assess/{method}/{year}.json", "/assess/dti-2022/2022.json", reads_every_unreleased, "json", None, ok),
        ("GET", "/assess/{method}/{year}.csv", "/assess/dti-2022/2022.csv", reads_every_unreleased, "json", None, ok),
        ("GET", "/assess", "/assess", reads_every_unreleased, "page", None, ok),
        ("GET", "/assess.json", "/assess.json", reads_every_unreleased, "json", None, ok),
        (
            "GET",
            "/assess/{method}/units/{unit}",
            "/assess/dti-2022/units/P22",
            reads_every_unreleased,
            "page",
            None,
            ok,
        ),
        (
            "GET",
            "/assess/{method}/units/{unit}.json",
            "/assess/dti-2022/units/P22.json",
            reads_every_unreleased,
            "json",
            None,
            ok,
        ),
        ("GET", "/board/{period}", "/board/2025", lead_role, "page", None, ok),
        ("GET", "/board/{period}.json", "/board/2025.json", lead_role, "json", None, ok),
        ("GET", "/audit", "/audit", reads_audit, "page", None, ok),
        ("GET", "/audit.json", "/audit.json", reads_audit, "json", None, ok),
        ("GET", "/admin", "/admin", administrator, "page", None, ok),
        ("GET", "/admin.json", "/admin.json", administrator, "json", None, ok),
        # writes, each made to fail on the state of the data once authorised
        ("POST", "/collect/{period}/upload", "/collect/2025/upload", submits_anywhere, "upload", {}, (422,)),
        # the period's form names the agency whose values it holds: BGDDT's, whose 2025 values are released
        (
            "POST",
            "/collect/{period}/draft",
            "/collect/2025/draft",
            submits_own,
            "form",
            {"agency": OWN, "draft_version": "0", "indicator": "no_such_statistic", "value": "1"},
            (422,),
        ),
        (
            "POST",
            "/collect/{period}/form",
            "/collect/2025/form",
            submits_own,
            "form",
            {"agency": OWN, "draft_version": "0", "indicator": "ger_primary", "value": "104,5", "source": "MOET"},
            (409,),  # released: locked until the lead ministry opens a correction
        ),
        (
            "POST",
            "/collect/{period}/correct",
            "/collect/2025/correct",
            submits_own,
            "form",
            {"agency": OWN, "version": "1", "indicator": "ger_primary", "value": "104,5", "reason": "revised"},
            (409,),  # released: the lead ministry opens the correction first
        ),
        (
            "POST",
            "/collect/submission/{submission_id}/approve",
            f"/collect/submission/{sid}/approve",
            approves_own,
            "form",
            {"lock_version": "2"},
            (409,),
        ),
        (
            "POST",
            "/collect/submission/{submission_id}/unapprove",
            f"/collect/submission/{sid}/unapprove",
            approves_own,
            "form",
            {"lock_version": "999", "reason": "x"},
            (409,),
        ),
        (
            "POST",
            "/collect/submission/{submission_id}/justify",
            f"/collect/submission/{sid}/justify",
            submits_own,
            "form",
            {"rule": "no_such_rule", "text": "x"},
            (409,),
        ),
        ("POST", "/board/{period}/release", "/board/2025/release", lead_role, "form", {"recipient": "NOBODY"}, (409,)),
        (
            "POST",
            "/discrepancy/{discrepancy_id}/comment",
            f"/discrepancy/{did}/comment",
            comments,
            "form",
            {"text": " "},
            (422,),
        ),
        (
            "POST",
            "/discrepancy/{discrepancy_id}/resolve",
            f"/discrepancy/{did}/resolve",
            approves_own,
            "form",
            {"reason": " ", "lock_version": "1", "choose": OWN},
            (422,),
        ),
        (  # a value the number rule refuses: still 403 for who may not resolve, the rule speaks to who may
            "POST",
            "/discrepancy/{discrepancy_id}/resolve",
            f"/discrepancy/{did}/resolve",
            approves_own,
            "form",
            {"reason": "x", "lock_version": "1", "value": "1.234"},
            (422,),
        ),
        (
            "POST",
            "/admin/users",
            "/admin/users",
            administrator,
            "form",
            {"username": "newcomer", "agency": OWN, "role": "no_such_role", "password": PASSWORD},
            (422,),
        ),
        (
            "POST",
            "/admin/users/{username}",
            "/admin/users/viewer_vpcp",
            administrator,
            "form",
            {"role": "no_such_role"},
            (422,),
        ),
        (
            "POST",
            "/admin/users/{username}/sign-out-everywhere",
            "/admin/users/nobody/sign-out-everywhere",
            administrator,
            "form",
            {},
            (422,),
        ),
        (
            "POST",
            "/admin/agencies/{agency}/self-approval",
            "/admin/agencies/NOWHERE/self-approval",
            administrator,
            "form",
            {"allow": "yes"},
            (422,),
        ),
        (
            "POST",
            "/account/tokens/{token_id}/revoke",
            f"/account/tokens/{w['ctk_token']}/revoke",
            administrator,
            "form",
            {},
            (303,),
        ),
        (
            "POST",
            "/account/password",
            "/account/password",
            signed_in,
            "form",
            {"current": "not the password", "password": "a new long password"},
            (422,),
        ),
        (
            "POST",
            "/api/submissions",
            "/api/submissions",
            submits_own,
            "api",
            {"agency": OWN, "period": "2025", "values": [{"indicator": "ger_primary", "value": -1, "source": "x"}]},
            (409,),  # the period's values are approved, so locked
        ),
        ("POST", "/account/sign-out-everywhere", "/account/sign-out-everywhere", signed_in, "form", {}, (303,)),
        ("POST", "/logout", "/logout", public, "form", {}, (303,)),
    ]


NOT_IN_MATRIX = {("POST", "/login"): "sign-in has its own tests (throttling would lock this matrix's address)"}


def _routes(app: Any) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()

    def walk(routes: list[Any]) -> None:
        for r in routes:
            if hasattr(r, "original_router"):
                walk(r.original_router.routes)
            elif hasattr(r, "path"):
                for m in getattr(r, "methods", None) or {"GET"}:
                    if m != "HEAD":
                        out.add((m, r.path))

    walk(app.routes)
    return out


def test_every_route_is_in_the_matrix(world: dict[str, Any]) -> None:
    covered = {(c[0], c[1]) for c in cases(world)} | set(NOT_IN_MATRIX)
    assert _routes(world["app"]) - covered == set()


def _client(app: Any, p: tuple[str, str] | None) -> TestClient:
    return TestClient(app) if p is None else samples.sign_in(app, _name(p))


def _ask(client: TestClient, w: dict[str, Any], p: tuple[str, str] | None, case: Case) -> int:
    method, _, path, _, how, data, _ = case
    headers = {"accept": "text/html"} if how == "page" else {}
    if how == "api":
        if p is not None:
            headers["Authorization"] = f"Bearer {w['tokens'][_name(p)]}"
        if method == "GET":
            return TestClient(w["app"]).get(path, headers=headers).status_code
        return TestClient(w["app"]).post(path, json=data, headers=headers).status_code
    if method == "GET":
        return client.get(path, headers=headers, follow_redirects=False).status_code
    page = client.get("/account" if p else "/login").text
    form = {**(data or {}), "csrf": re.search(r'name="csrf" value="([^"]+)"', page).group(1)}
    files = {"file": ("bad.csv", b"indicator_code,value,source\nger_primary,abc,MOET\n")} if how == "upload" else None
    return client.post(path, data=form, files=files, follow_redirects=False).status_code


@pytest.mark.parametrize("p", PRINCIPALS, ids=lambda p: "anonymous" if p is None else _name(p))
def test_matrix(world: dict[str, Any], p: tuple[str, str] | None) -> None:
    client = _client(world["app"], p)
    wrong = []
    for case in cases(world):
        method, _, path, may, how, _, allowed = case
        got = _ask(client, world, p, case)
        if may(p):
            expected = allowed
        elif p is None:
            expected = (303,) if how == "page" and method == "GET" else (401,)
        else:
            expected = (403,)
        if got not in expected:
            wrong.append(f"{method} {path}: {got}, expected {expected}")
    assert not wrong, "\n".join(wrong)


HOSTILE = [
    ("GET", "/api/submissions/9223372036854775808", "api"),
    ("GET", "/api/submissions/0", "api"),
    ("GET", "/discrepancy/9223372036854775808.json", "json"),
    ("GET", "/discrepancy/99999999999999999999999", "page"),
    ("GET", "/releases/9223372036854775808.csv", "json"),
    ("GET", "/audit.json?before=9223372036854775808", "json"),
    ("GET", "/audit.json?before=-1", "json"),
    ("GET", "/collect/0000.json", "json"),
    ("GET", "/collect/9999Q4.json", "json"),
    ("GET", "/collect/2026Q5", "page"),
    ("GET", "/collect/9999Q4/correct.json", "json"),
    ("POST", "/collect/2026Q5/draft", "form"),
    ("GET", "/board/0000.json", "json"),
    ("GET", "/reports/9999Q4.json", "json"),
    ("GET", "/simulator.json?release=9223372036854775808", "json"),
    ("GET", "/simulator.json?osi=1e400", "json"),
    ("POST", "/collect/submission/9223372036854775808/approve", "form"),
    ("POST", "/discrepancy/9223372036854775808/comment", "form"),
    ("POST", "/account/tokens/9223372036854775808/revoke", "form"),
]


@pytest.mark.parametrize(("method", "path", "how"), HOSTILE)
def test_hostile_ids_and_periods_answer_4xx(world: dict[str, Any], method: str, path: str, how: str) -> None:
    """Ids beyond the database's integers, periods out of range, numbers beyond float range: 4xx, never 5xx."""
    p = ("administrator", LEAD)
    client = _client(world["app"], p)
    case: Case = (method, path, path, public, how, {"lock_version": "1", "text": "x"}, (200,))
    assert 400 <= _ask(client, world, p, case) < 500


def test_the_board_says_which_value_was_released_and_why(world: dict[str, Any]) -> None:
    lead = _client(world["app"], ("lead", LEAD))
    board = lead.get("/board/2025.json").json()
    # the fingerprint the lead ministry writes in the cover letter, the same on the board and the audit page
    assert re.fullmatch(r"[0-9A-F]{4}(-[0-9A-F]{4}){3}", board["audit"]["fingerprint"])
    assert lead.get("/audit.json").json()["fingerprint"]["code"] == board["audit"]["fingerprint"]
    released = {v["indicator"]: v for v in board["releases"][0]["released"]}
    assert "adult_literacy_pct" not in released  # held out: its discrepancy is open
    assert released["mean_years_schooling"] == {
        "indicator": "mean_years_schooling",
        "agency": OWN,
        "value": 8.4,
        "basis": "submitted",
        "submission": world["sid"],
        "discrepancy": None,
    }


def test_the_api_lists_the_first_100_problems_and_says_how_many(world: dict[str, Any]) -> None:
    values = [{"indicator": f"no_such_statistic_{k}", "value": 1, "source": "x"} for k in range(300)]
    with unit_of_work(world["engine"]) as s:  # a token of its own: the matrix signs everyone out everywhere
        token = issue_token(s, actor="setup", username=account("submitter", OWN))
    r = TestClient(world["app"]).post(
        "/api/submissions",
        json={"agency": OWN, "period": "2026", "values": values},
        headers={"Authorization": f"Bearer {token}"},
    )
    body = r.json()
    assert r.status_code == 422 and body["total"] == 300 and len(body["problems"]) == 100
    assert body["problems"][0]["message"] == "unknown indicator 'no_such_statistic_0'"


@pytest.mark.parametrize("p", [None, ("lead", LEAD)], ids=["anonymous", "lead"])
def test_head_answers_wherever_get_does(world: dict[str, Any], p: tuple[str, str] | None) -> None:
    """HEAD gives GET's status and headers, without the body, on every page, twin and download."""
    client = _client(world["app"], p)
    for method, _, path, _, how, _, _ in cases(world):
        if method != "GET" or how == "api" or path.startswith("/reports"):
            continue
        got, head = client.get(path, follow_redirects=False), client.head(path, follow_redirects=False)
        assert (head.status_code, head.content) == (got.status_code, b""), path
        assert head.headers.get("content-type") == got.headers.get("content-type"), path
