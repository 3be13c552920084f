"""Hostile requests never answer 5xx, on every route: the pages, their JSON twins, the downloads, the forms and the
API, as the lead ministry's administrator (signed in through /login, with the session's form token in every form
and a bearer token for the API) and as an anonymous visitor (with an anonymous session's form token, so that forms
get past the token check into the code behind them).

schemathesis generates the requests from the OpenAPI schema, which documents every route: the negative mode
(requests the schema forbids) over every operation, the positive mode over the pages and forms, and the stateful
phase (sequences that follow the schema's links). A list of explicit hostile requests (periods out of range, ids
beyond the database's integers, numbers beyond float range, 131,072-character texts) each answers a 4xx with a
message; pages answer the error page, in Vietnamese by default.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import anyio
import httpx
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error

import samples
from egovindex.collection.accounts import issue_token
from egovindex.store.db import unit_of_work
from egovindex.translations import catalogue
from egovindex.web import routedoc

PASSWORD = samples.PASSWORD
ADMIN = samples.account("administrator", samples.LEAD)  # the lead ministry's administrator
FORM = "application/x-www-form-urlencoded"
SESSION_ENDING = {"/logout", "/account/sign-out-everywhere", "/account/password", "/account/tokens/{token_id}/revoke"}
"""Forms after which the visitor signs in again (and takes a new token): they may end the session or the token."""
SETTINGS = settings(
    deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True, print_blob=False
)
"""Repeatable runs (the same requests every time), bounded so that the module takes about a minute on two cores."""
NEGATIVE_EXAMPLES, POSITIVE_EXAMPLES, SCENARIOS, STEPS = 10, 8, 16, 10


@dataclass
class World:
    app: Any
    engine: Any
    schema: Any
    sid: int
    did: int
    rid: int


@pytest.fixture(scope="module")
def world(loaded_store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    yield from _build(loaded_store, tmp_path_factory)


def _build(loaded_store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The shared site (tests/samples.py): users of every role in BGDDT, VPCP and the lead ministry, BGDDT's 2025
    values approved and released, an open discrepancy with CTK."""
    for site in samples.site(loaded_store, tmp_path_factory.mktemp("hostile")):
        schema = schemathesis.openapi.from_asgi("/openapi.json", site.app)
        yield World(site.app, site.engine, schema, site.sid, site.did, site.rid)


@dataclass
class Visitor:
    """Who sends the requests: a user signed in through /login (with a bearer token for the API), or nobody (with
    an anonymous session, for its form token)."""

    world: World
    username: str | None
    accept: str | None = None
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""
    token: str | None = None
    statuses: Counter[int] = field(default_factory=Counter)

    def renew(self) -> Visitor:
        client = TestClient(self.world.app, client=("visitor", 1))  # not the address the fuzzed sign-ins throttle
        if self.username is not None:
            token = _csrf(client.get("/login").text)
            data = {"username": self.username, "password": PASSWORD, "csrf": token}
            assert client.post("/login", data=data, follow_redirects=False).status_code == 303
            with unit_of_work(self.world.engine) as s:
                self.token = issue_token(s, actor="setup", username=self.username)
        self.csrf = _csrf(client.get("/account" if self.username else "/login").text)
        self.cookies = {"egovindex_session": client.cookies["egovindex_session"]}
        return self

    def headers(self) -> dict[str, str]:
        out = {"Accept": self.accept} if self.accept else {}
        if self.token:
            out["Authorization"] = f"Bearer {self.token}"
        return out

    def send(self, case: Any) -> Any:
        if case.media_type == FORM and isinstance(case.body, dict):
            case.body = {**case.body, "csrf": self.csrf}
        if isinstance(case.query, dict) and isinstance(case.query.get("draws"), int) and case.query["draws"] > 300:
            case.query["draws"] = 300  # the bands' cost grows with the draws: their bounds are tested, not their cost
        response = case.call(headers=self.headers(), cookies=self.cookies)
        self.statuses[response.status_code] += 1
        if case.method.upper() == "POST" and case.path in SESSION_ENDING and response.status_code < 400:
            self.renew()
        return response


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


VISITORS = {
    "administrator": (ADMIN, "text/html"),  # a browser: errors answer the error page
    "anonymous": (None, None),  # a program: errors answer JSON
}


@pytest.fixture(scope="module", params=list(VISITORS))
def visitor(request: pytest.FixtureRequest, world: World) -> Visitor:
    username, accept = VISITORS[request.param]
    return Visitor(world, username, accept).renew()


def _operations(world: World) -> list[Any]:
    return [result.ok() for result in world.schema.get_all_operations()]


def _fuzz(visitor: Visitor, operations: list[Any], mode: Any, examples: int) -> tuple[list[str], int]:
    """Every operation with ``examples`` generated requests; the server errors found, and how many operations could
    be fuzzed in this mode."""
    errors, fuzzed = [], 0
    visitor.statuses.clear()
    for operation in operations:

        @given(operation.as_strategy(generation_mode=mode))
        @settings(SETTINGS, max_examples=examples)
        def run(case: Any) -> None:
            case.validate_response(visitor.send(case), checks=[not_a_server_error])

        try:
            run()
            fuzzed += 1
        except Unsatisfiable:
            pass  # nothing the schema forbids can be sent (e.g. no parameters)
        except Exception as exc:
            errors.append(f"{operation.method.upper()} {operation.path}: {exc}")
    return errors, fuzzed


def test_every_route_is_in_the_schema(world: World) -> None:
    """Pages and forms are documented next to their JSON twins and the API (only FastAPI's own documentation and
    the static files are not)."""
    documented = {(op.method.upper(), op.path) for op in _operations(world)}
    routes = set()

    def walk(items: list[Any]) -> None:
        for r in items:
            if hasattr(r, "original_router"):
                walk(r.original_router.routes)
            elif hasattr(r, "path"):
                routes.update((m, r.path) for m in getattr(r, "methods", None) or {"GET"} if m != "HEAD")

    walk(world.app.routes)
    own = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/static"}
    assert {r for r in routes if r[1] not in own} - documented == set()
    tags = {t for op in _operations(world) for t in op.definition.raw.get("tags", [])}
    assert {routedoc.PAGES, routedoc.FORMS} <= tags


def test_negative_requests_never_answer_5xx(world: World, visitor: Visitor) -> None:
    started = time.monotonic()
    errors, fuzzed = _fuzz(visitor, _operations(world), schemathesis.GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES)
    print(
        f"negative, {visitor.username or 'anonymous'}: {fuzzed} operations, {dict(visitor.statuses)}, "
        f"{time.monotonic() - started:.1f}s"
    )
    assert not errors, "\n\n".join(errors)


def test_valid_requests_to_pages_and_forms_never_answer_5xx(world: World, visitor: Visitor) -> None:
    started = time.monotonic()
    ours = [op for op in _operations(world) if {routedoc.PAGES, routedoc.FORMS} & set(op.definition.raw["tags"])]
    errors, fuzzed = _fuzz(visitor, ours, schemathesis.GenerationMode.POSITIVE, POSITIVE_EXAMPLES)
    print(
        f"positive, pages and forms, {visitor.username or 'anonymous'}: {fuzzed} operations, "
        f"{dict(visitor.statuses)}, {time.monotonic() - started:.1f}s"
    )
    assert fuzzed == len(ours) >= 29
    assert not errors, "\n\n".join(errors)


EXAMPLE = {
    "agency": "BKHCN",
    "period": "2026Q3",
    "values": [{"indicator": "mobile_subs_per100", "value": 140.5, "source": "VNNIC"}],
}


def test_sequences_that_follow_the_links_never_answer_5xx(world: World) -> None:
    """The stateful phase: scenarios start with ``POST /api/submissions`` and follow the schema's links (to the
    submission, its period's page, the discrepancies, the releases, the forms on them). Every other submission is
    the documented example, so that the links start from a stored submission: the scenarios are the lead
    ministry's approver's, who may submit (the administrator may not, so no link would be followed)."""
    started = time.monotonic()
    username = "approver_bkhcn"
    visitor = Visitor(world, username).renew()
    calls: Counter[str] = Counter()

    class Scenarios(world.schema.as_state_machine()):  # type: ignore[misc]
        def before_call(self, case: Any) -> None:
            if case.operation.path == "/api/submissions" and calls["POST /api/submissions"] % 2 == 0:
                case.body = EXAMPLE

        def call(self, case: Any, **kwargs: Any) -> Any:
            response = visitor.send(case)
            calls[f"{case.method.upper()} {case.operation.path}"] += 1
            calls[f"{case.method.upper()} {case.operation.path} {response.status_code}"] += 1
            return response

        def validate_response(self, response: Any, case: Any, *args: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=[not_a_server_error])

    Scenarios.run(settings=settings(SETTINGS, max_examples=SCENARIOS, stateful_step_count=STEPS))
    print(f"stateful, {username}: {dict(calls)}, {time.monotonic() - started:.1f}s")
    assert calls["POST /api/submissions 201"] and calls["GET /api/submissions/{submission_id} 200"]


# ------------------------------------------------------------------------------------------- explicit list
BAD_PERIODS = ["0000", "9999Q4", "2026Q5"]
BAD_IDS = [str(2**63), str(10**30)]
BAD_NUMBERS = ["1e400", "-1e400", "nan", "inf"]
LONG = "x" * 131_072
LEAD, APPROVER, SUBMITTER = "lead_bkhcn", "approver_bgddt", "submitter_bgddt"
SID, DID = "1", "1"  # the world's submission and discrepancy (checked by the test)


@dataclass(frozen=True)
class Hostile:
    """One hostile request, sent by a user allowed to make it (so that the value reaches the code behind the
    door): ``how`` is page (HTML asked for), json, form (HTML asked for), api (JSON body) or upload."""

    method: str
    path: str
    who: str
    how: str
    data: Any = None

    def __str__(self) -> str:
        shown = re.sub(r"x{100,}", lambda m: f"x*{len(m.group())}", f"{self.method} {self.path} {self.data or ''}")
        return f"{shown} as {self.who}"


def _hostile() -> list[tuple[str, Hostile]]:
    """The list, each request with the kind of hostile value it carries."""
    sid, did = SID, DID
    api = {"agency": "BGDDT", "period": "2025Q4", "values": [{"indicator": "ger_primary", "value": 1, "source": "x"}]}
    typed = {"agency": "BGDDT", "draft_version": "0", "indicator": "ger_primary", "value": "1", "source": "x"}
    fix = {"agency": "BGDDT", "version": "1", "indicator": "ger_primary", "value": "1", "reason": "x"}
    out: list[Hostile] = []
    kinds: list[tuple[str, int]] = []  # (kind, where its requests end in the list)
    for p in BAD_PERIODS:
        out += [
            Hostile("GET", f"/collect/{p}", APPROVER, "page"),
            Hostile("GET", f"/collect/{p}.json", APPROVER, "json"),
            Hostile("GET", f"/collect/{p}/template.xlsx", APPROVER, "json"),
            Hostile("POST", f"/collect/{p}/upload", APPROVER, "upload"),
            Hostile("POST", f"/collect/{p}/draft", APPROVER, "form", typed),
            Hostile("POST", f"/collect/{p}/form", APPROVER, "form", typed),
            Hostile("GET", f"/collect/{p}/correct", APPROVER, "page"),
            Hostile("GET", f"/collect/{p}/correct.json", APPROVER, "json"),
            Hostile("POST", f"/collect/{p}/correct", APPROVER, "form", fix),
            Hostile("GET", f"/board/{p}", LEAD, "page"),
            Hostile("GET", f"/board/{p}.json", LEAD, "json"),
            Hostile("POST", f"/board/{p}/release", LEAD, "form", {"recipient": "UIS"}),
            Hostile("GET", f"/reports/{p}.json", LEAD, "json"),
            Hostile("GET", f"/reports/{p}.html", LEAD, "page"),
            Hostile("POST", "/api/submissions", SUBMITTER, "api", {**api, "period": p}),
        ]
    kinds.append(("period", len(out)))
    for i in BAD_IDS:
        out += [
            Hostile("GET", f"/api/submissions/{i}", APPROVER, "api"),
            Hostile("GET", f"/discrepancy/{i}", APPROVER, "page"),
            Hostile("GET", f"/discrepancy/{i}.json", APPROVER, "json"),
            Hostile("POST", f"/discrepancy/{i}/comment", APPROVER, "form", {"text": "x"}),
            Hostile("POST", f"/discrepancy/{i}/resolve", APPROVER, "form", {"reason": "x", "lock_version": "1"}),
            Hostile("POST", f"/collect/submission/{i}/justify", SUBMITTER, "form", {"rule": "x", "text": "x"}),
            Hostile("POST", f"/collect/submission/{i}/approve", APPROVER, "form", {"lock_version": "1"}),
            Hostile(
                "POST", f"/collect/submission/{i}/unapprove", APPROVER, "form", {"lock_version": "1", "reason": "x"}
            ),
            Hostile("GET", f"/releases/{i}.csv", APPROVER, "json"),
            Hostile("POST", f"/account/tokens/{i}/revoke", ADMIN, "form", {}),
            Hostile("GET", f"/audit?before={i}", ADMIN, "page"),
            Hostile("GET", f"/audit.json?before={i}", ADMIN, "json"),
            Hostile("GET", f"/simulator?release={i}&draws=100", APPROVER, "page"),
            Hostile("GET", f"/simulator.json?release={i}", APPROVER, "json"),
            Hostile("POST", f"/collect/submission/{sid}/approve", APPROVER, "form", {"lock_version": i}),
            Hostile(
                "POST", f"/collect/submission/{sid}/unapprove", APPROVER, "form", {"lock_version": i, "reason": "x"}
            ),
            Hostile("POST", f"/discrepancy/{did}/resolve", APPROVER, "form", {"reason": "x", "lock_version": i}),
            Hostile("POST", "/collect/2025/draft", APPROVER, "form", {**typed, "draft_version": i}),
            Hostile("POST", "/collect/2025/form", APPROVER, "form", {**typed, "draft_version": i}),
            Hostile("POST", "/collect/2025/correct", APPROVER, "form", {**fix, "version": i}),
        ]
    kinds.append(("id", len(out)))
    for n in BAD_NUMBERS:
        for page, how in (("/simulator", "page"), ("/simulator.json", "json")):
            for q in ("osi", "tii", "hci", "rank", "region_rank", "edition", "year_from", "release"):
                out.append(Hostile("GET", f"{page}?{q}={n}&draws=100", APPROVER, how))
            out.append(Hostile("GET", f"{page}?raw=fixed_broadband_per100={n}&draws=100", APPROVER, how))
        out += [
            Hostile("GET", f"/simulator?raw_name_0=fixed_broadband_per100&raw_value_0={n}&draws=100", APPROVER, "page"),
            Hostile("GET", f"/simulator?draws={n}", APPROVER, "page"),
            Hostile("GET", f"/simulator?seed={n}&draws=100", APPROVER, "page"),
            Hostile("GET", f"/sensitivity.json?draws={n}", APPROVER, "json"),
            Hostile("GET", f"/sensitivity.json?seed={n}&draws=100", APPROVER, "json"),
            Hostile("GET", f"/compare.json?edition={n}", APPROVER, "json"),
            Hostile("GET", f"/egdi/{n}.json", APPROVER, "json"),
            Hostile("GET", f"/audit.json?before={n}", ADMIN, "json"),
            Hostile(
                "POST",
                f"/discrepancy/{did}/resolve",
                APPROVER,
                "form",
                {"reason": "x", "lock_version": "1", "value": n},
            ),
            Hostile("POST", f"/discrepancy/{did}/resolve", APPROVER, "form", {"reason": "x", "lock_version": n}),
            Hostile("POST", f"/collect/submission/{sid}/approve", APPROVER, "form", {"lock_version": n}),
            Hostile(
                "POST", f"/collect/submission/{sid}/unapprove", APPROVER, "form", {"lock_version": n, "reason": "x"}
            ),
            Hostile(
                "POST", "/api/submissions", SUBMITTER, "api", {**api, "values": [{**api["values"][0], "value": n}]}
            ),
            Hostile("POST", "/collect/2025/form", APPROVER, "form", {**typed, "value": n}),
            Hostile("POST", "/collect/2025/correct", APPROVER, "form", {**fix, "value": n}),
            Hostile("POST", "/collect/2025/draft", APPROVER, "form", {**typed, "draft_version": n}),
        ]
    raw = (
        b'{"agency": "BGDDT", "period": "2025Q4", "values": [{"indicator": "ger_primary", "value": %s, "source": "x"}]}'
    )
    out += [Hostile("POST", "/api/submissions", SUBMITTER, "api", raw % n) for n in (b"1e400", b"NaN", b"-Infinity")]
    kinds.append(("number", len(out)))
    forms = [
        (f"/discrepancy/{did}/comment", APPROVER, {"text": LONG}),
        (f"/collect/submission/{sid}/justify", SUBMITTER, {"rule": "x", "text": LONG}),
        (f"/collect/submission/{sid}/justify", SUBMITTER, {"rule": LONG, "text": "x", "indicator": LONG}),
        (f"/collect/submission/{sid}/unapprove", APPROVER, {"lock_version": "1", "reason": LONG}),
        (f"/discrepancy/{did}/resolve", APPROVER, {"lock_version": "1", "reason": LONG, "choose": "BGDDT"}),
        (f"/discrepancy/{did}/resolve", APPROVER, {"lock_version": "1", "reason": "x", "choose": LONG}),
        (f"/discrepancy/{did}/resolve", APPROVER, {"lock_version": "1", "reason": "x", "value": LONG}),
        ("/board/2025/release", LEAD, {"recipient": LONG}),
        ("/board/2025/release", LEAD, {"recipient": "UIS", "reason": LONG}),
        ("/login", None, {"username": LONG, "password": "x"}),
        ("/login", None, {"username": "x", "password": LONG}),
        ("/login", None, {"username": "x", "password": "x", "next": LONG}),
        ("/admin/users", ADMIN, {"username": LONG, "agency": "BGDDT", "role": "viewer", "password": PASSWORD}),
        ("/admin/users", ADMIN, {"username": "newcomer1", "agency": "BGDDT", "role": "viewer", "password": LONG}),
        ("/admin/users", ADMIN, {"username": "newcomer2", "agency": LONG, "role": "viewer", "password": PASSWORD}),
        ("/admin/users", ADMIN, {"username": "newcomer3", "agency": "BGDDT", "role": LONG, "password": PASSWORD}),
        (
            "/admin/users",
            ADMIN,
            {"username": "newcomer4", "agency": "BGDDT", "role": "viewer", "password": PASSWORD, "full_name": LONG},
        ),
        ("/admin/users/ctk_clerk", ADMIN, {"role": LONG}),
        ("/admin/users/ctk_clerk", ADMIN, {"agency": LONG}),
        ("/admin/users/ctk_clerk", ADMIN, {"active": LONG}),
        (f"/admin/users/{LONG}", ADMIN, {"role": "viewer"}),
        (f"/admin/users/{LONG}/sign-out-everywhere", ADMIN, {}),
        (f"/admin/agencies/{LONG}/self-approval", ADMIN, {"allow": "yes"}),
        ("/admin/agencies/BGDDT/self-approval", ADMIN, {"allow": LONG}),
        ("/account/password", SUBMITTER, {"current": LONG, "password": "a new long password"}),
        ("/account/password", SUBMITTER, {"current": PASSWORD, "password": LONG}),
        (f"/collect/{LONG}/upload", APPROVER, None),
        ("/collect/2025/draft", APPROVER, {**typed, "value": LONG}),
        ("/collect/2025/draft", APPROVER, {**typed, "source": LONG}),
        ("/collect/2025/draft", APPROVER, {**typed, "indicator": LONG}),
        ("/collect/2025/draft", APPROVER, {**typed, "agency": LONG}),
        ("/collect/2025/form", APPROVER, {**typed, "method_note": LONG}),
        ("/collect/2025/form", APPROVER, {**typed, "evidence": LONG}),
        (f"/collect/{LONG}/draft", APPROVER, typed),
        ("/collect/2025/correct", APPROVER, {**fix, "reason": LONG}),
        ("/collect/2025/correct", APPROVER, {**fix, "value": LONG}),
        ("/collect/2025/correct", APPROVER, {**fix, "source": LONG}),
        ("/collect/2025/correct", APPROVER, {**fix, "indicator": LONG}),
        (f"/board/{LONG}/release", LEAD, {"recipient": "UIS"}),
    ]
    out += [
        Hostile("POST", path, who or "anonymous", "upload" if data is None else "form", data)
        for path, who, data in forms
    ]
    for page, how in (("/compare", "page"), ("/compare.json", "json")):
        out += [
            Hostile("GET", f"{page}?c={LONG}", APPROVER, how),
            Hostile("GET", f"{page}?c=VNM&c={LONG}", APPROVER, how),
        ]
    for page, how in (("/simulator", "page"), ("/simulator.json", "json")):
        out += [
            Hostile("GET", f"{page}?country={LONG}&draws=100", APPROVER, how),
            Hostile("GET", f"{page}?raw={LONG}&draws=100", APPROVER, how),
            Hostile("GET", f"{page}?raw=fixed_broadband_per100={LONG}&draws=100", APPROVER, how),
            Hostile("GET", f"{page}?raw_name_0={LONG}&raw_value_0=1&draws=100", APPROVER, how),
        ]
    out += [
        Hostile("GET", f"/sensitivity.json?country={LONG}&draws=100", APPROVER, "json"),
        Hostile("GET", f"/login?next={LONG}", "anonymous", "page"),
        Hostile("GET", f"/country/{LONG}", APPROVER, "page"),
        Hostile("GET", f"/country/{LONG}.json", APPROVER, "json"),
        Hostile("GET", f"/collect/{LONG}", APPROVER, "page"),
        Hostile("GET", f"/collect/{LONG}.json", APPROVER, "json"),
        Hostile("GET", f"/collect/{LONG}/correct", APPROVER, "page"),
        Hostile("GET", f"/collect/{LONG}/correct.json", APPROVER, "json"),
        Hostile("GET", f"/reports/2025.{LONG}", LEAD, "json"),
        Hostile("GET", f"/releases/1.{LONG}", APPROVER, "json"),
        Hostile("GET", f"/static/{LONG}", "anonymous", "page"),
        Hostile("GET", "/static/../../../etc/passwd", "anonymous", "page"),
        Hostile("POST", "/api/submissions", SUBMITTER, "api", {**api, "agency": LONG}),
        Hostile(
            "POST", "/api/submissions", SUBMITTER, "api", {**api, "values": [{**api["values"][0], "source": LONG}]}
        ),
        Hostile(
            "POST", "/api/submissions", SUBMITTER, "api", {**api, "values": [{**api["values"][0], "indicator": LONG}]}
        ),
        Hostile("POST", "/api/submissions", SUBMITTER, "api", {**api, "values": [{**api["values"][0], "value": LONG}]}),
    ]
    for q in ("region", "subregion", "group", "sort"):
        out += [
            Hostile("GET", f"/egdi/2024?{q}={LONG}", APPROVER, "page"),
            Hostile("GET", f"/egdi/2024.json?{q}={LONG}", APPROVER, "json"),
        ]
    kinds.append(("text", len(out)))
    start, listed = 0, []
    for kind, end in kinds:
        listed += [(kind, case) for case in out[start:end]]
        start = end
    return listed


HOSTILE = _hostile()


@pytest.fixture(scope="module")
def calm(loaded_store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Visitor]]:
    """A world of its own (the fuzzing changes its world), with a visitor for each user of the list."""
    yield from _visitors(loaded_store, tmp_path_factory)


def _visitors(loaded_store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Visitor]]:
    for w in _build(loaded_store, tmp_path_factory):
        yield {
            who: Visitor(w, None if who == "anonymous" else who).renew()
            for who in (ADMIN, LEAD, APPROVER, SUBMITTER, "anonymous")
        }


TRIED: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def figures() -> Iterator[None]:
    """The figures of the list, printed at the end of the module."""
    yield
    for kind in ("period", "id", "number", "text", "all"):
        if TRIED[f"{kind} tried"]:
            print(f"\nhostile requests, {kind}: {TRIED[f'{kind} tried']} tried, {TRIED[f'{kind} 4xx']} answered 4xx")


@pytest.mark.parametrize(("kind", "case"), HOSTILE, ids=[f"{k}: {c}" for k, c in HOSTILE])
def test_hostile_request_answers_4xx_with_a_message(calm: dict[str, Visitor], kind: str, case: Hostile) -> None:
    """Periods out of range, ids beyond the database's integers, numbers beyond float range and 131,072-character
    texts, in every route that takes them: a 4xx with a message (the Vietnamese error page for pages), never 5xx."""
    assert (calm[ADMIN].world.sid, calm[ADMIN].world.did) == (int(SID), int(DID))
    status, problem = _send(calm[case.who], case)
    for key in (kind, "all"):
        TRIED[f"{key} tried"] += 1
        TRIED[f"{key} 4xx"] += 400 <= status < 500
    assert 400 <= status < 500 and problem is None, f"{case}: {status} {problem or ''}"


def _send(v: Visitor, case: Hostile) -> tuple[int, str | None]:
    """Send the request straight to the application (URLs of 131,072 characters are beyond what HTTP clients
    send): the status, and what is wrong with the answer (None: a 4xx with a message, in the error page for
    pages)."""
    headers = {"host": "testserver", "cookie": "; ".join(f"{k}={c}" for k, c in v.cookies.items())}
    if case.how in ("page", "form", "upload"):
        headers["accept"] = "text/html"
    body = b""
    if case.how == "api":
        if v.token:
            headers["authorization"] = f"Bearer {v.token}"
        body = case.data if isinstance(case.data, bytes) else json.dumps(case.data).encode()
        headers["content-type"] = "application/json"
    elif case.method == "POST":
        files = (
            {"file": ("v.csv", b"indicator_code,value,source\nger_primary,1,MOET\n")} if case.how == "upload" else None
        )
        encoded = httpx.Request("POST", "http://testserver/", data={**(case.data or {}), "csrf": v.csrf}, files=files)
        body = encoded.read()
        headers["content-type"] = encoded.headers["content-type"]
    headers["content-length"] = str(len(body))
    try:
        status, answer_headers, content = _asgi(v.world.app, case.method, case.path, headers, body)
    except Exception as exc:  # the server error middleware answered 500 and raised
        return 500, f"{type(exc).__name__}: {exc}"[:300]
    text = content.decode("utf-8", "replace")
    if not 400 <= status < 500:
        return status, text[:300]
    if headers.get("accept") == "text/html":
        said = re.search(r'<p class="error" role="alert">([^<]+)</p>', text)
        if not answer_headers.get("content-type", "").startswith("text/html") or '<html lang="vi">' not in text:
            return status, f"not the Vietnamese error page: {text[:200]}"
        if said is None or said.group(1) not in catalogue("vi").values():
            return status, f"no message in Vietnamese: {text[:300]}"
        return status, None
    detail = json.loads(content).get("detail")
    return status, None if detail else f"no message: {text[:200]}"


def _asgi(
    app: Any, method: str, target: str, headers: dict[str, str], body: bytes
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request to an ASGI application, without a client's limits."""
    path, _, query = target.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote(path),
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.encode(), val.encode()) for k, val in headers.items()],
        "client": ("hostile", 1),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []
    received = False

    async def receive() -> dict[str, Any]:
        nonlocal received
        if received:
            return {"type": "http.disconnect"}
        received = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    anyio.run(app, scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode().lower(): val.decode() for k, val in start["headers"]}, content
