"""Data and stores shared by the tests: the education statistics of BGDDT (owner) that CTK also reports, and a
web site on a copy of the loaded store with one user (and API token) per role in the data's own agency (BGDDT),
another agency (VPCP) and the lead ministry (BKHCN), where BGDDT's 2025 values are approved and released to UIS
and adult literacy is held out by an open discrepancy with CTK."""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from egovindex.collection.intake import Row
from egovindex.domain.periods import Period

PASSWORD = "a long enough test password"
OWN, OTHER, LEAD = "BGDDT", "VPCP", "BKHCN"
YEAR = Period.parse("2025")
EDU = [
    Row("adult_literacy_pct", 96.1, "census"),
    Row("ger_primary", 104.0, "MOET"),
    Row("ger_secondary", 85.0, "MOET"),
    Row("ger_tertiary", 30.0, "MOET"),
    Row("expected_years_schooling", 13.0, "MOET"),
    Row("mean_years_schooling", 8.4, "MOET"),
]


def account(role: str, agency: str) -> str:
    return f"{role}_{agency}".lower()


@dataclass
class Site:
    app: Any
    engine: Any
    sid: int  # BGDDT's approved and released 2025 submission
    did: int  # the open discrepancy on adult literacy between BGDDT and CTK
    rid: int  # the release to UIS
    tokens: dict[str, str] = field(default_factory=dict)  # account -> API token
    ctk_token: int = 0  # the id of the CTK clerk's token


def site(loaded_store: str, folder: Path) -> Iterator[Site]:
    """Build the site in ``folder`` (its own data folder too); yields it, then restores the settings."""
    import pytest

    from egovindex.collection import audit, reconcile, workflow
    from egovindex.collection.access import ROLES, get_user
    from egovindex.collection.accounts import add_user, issue_token
    from egovindex.collection.registry_store import ensure_registry
    from egovindex.settings import get_settings
    from egovindex.store.db import make_engine, unit_of_work
    from egovindex.web.app import create_app

    with sqlite3.connect(loaded_store.removeprefix("sqlite:///")) as src, sqlite3.connect(folder / "s.sqlite") as dst:
        src.backup(dst)  # the whole store, whatever is still in its write-ahead log
    url = f"sqlite:///{folder / 's.sqlite'}"
    mp = pytest.MonkeyPatch()
    mp.setenv("EGOVINDEX_DATA_DIR", str(folder))
    get_settings.cache_clear()
    engine = make_engine(url)
    app = create_app(url)
    tokens: dict[str, str] = {}
    with unit_of_work(engine) as s:
        ensure_registry(s)
        for role in ROLES:
            for agency in (OWN, OTHER, LEAD):
                name = account(role, agency)
                add_user(s, actor="setup", username=name, agency=agency, role=role, password=PASSWORD)
                tokens[name] = issue_token(s, actor="setup", username=name)
        add_user(s, actor="setup", username="ctk_clerk", agency="CTK", role="submitter", password=PASSWORD)
        issue_token(s, actor="setup", username="ctk_clerk")
    with unit_of_work(engine) as s:
        # a copy of a store whose log has entries is a restore: its head file is signed anew, as `audit seal` does
        # (the shared reference store gets entries once an earlier test opened it with the web application)
        head = audit.head_file(s)
        if head is not None and not head.exists():
            audit.seal(s, user=get_user(s, account("administrator", LEAD)), reason="bản sao của kho dữ liệu tham chiếu")
    with unit_of_work(engine) as s:
        sid = workflow.submit(
            s, user=get_user(s, account("submitter", OWN)), agency=OWN, period=YEAR, rows=EDU, channel="json", name="t"
        )[0].id
        workflow.submit(
            s,
            user=get_user(s, "ctk_clerk"),
            agency="CTK",
            period=YEAR,
            rows=[Row("adult_literacy_pct", 95.0, "LFS")],
            channel="json",
            name="t",
        )
    with unit_of_work(engine) as s:
        workflow.approve(s, user=get_user(s, account("approver", OWN)), submission_id=sid)
        did = reconcile.listing(s, period=YEAR, status="open")[0]["id"]
        rid = workflow.release(s, user=get_user(s, account("lead", LEAD)), recipient="UIS", period=YEAR).release.id
    with unit_of_work(engine) as s:
        # two provinces' DTI 2022 main indices as published (dti.gov.vn/xep-hang-2022): rankings and profiles to show
        from egovindex.assessments import values

        fw = values.method("dti-2022")
        nodes = [leaf.code for leaf in fw.leaves if leaf.scored]
        published = {
            "P48": (1.0, 0.9, 0.8253, 0.8487, 0.7578, 0.8575, 0.7836, 0.5197),
            "P22": (0.9581, 0.9, 0.7648, 0.625, 0.5382, 0.8385, 0.5904, 0.4505),
        }
        rows = [(unit, node, v) for unit, vs in published.items() for node, v in zip(nodes, vs, strict=True)]
        values.record(s, rows, fw=fw, year=2022, source="dti.gov.vn/xep-hang-2022", actor="setup")
    yield Site(app, engine, sid, did, rid, tokens, ctk_token=len(tokens) + 1)
    mp.undo()
    get_settings.cache_clear()


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def sign_in(app: Any, username: str, password: str = PASSWORD) -> Any:
    """A test client signed in through the sign-in form, as a browser would."""
    from fastapi.testclient import TestClient

    client = TestClient(app)
    token = CSRF.search(client.get("/login").text).group(1)  # type: ignore[union-attr]
    r = client.post("/login", data={"username": username, "password": password, "csrf": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def csrf_of(client: Any, page: str = "/account") -> str:
    """The form token of a client's session, read from a page that has a form."""
    return CSRF.search(client.get(page).text).group(1)  # type: ignore[union-attr]


@contextlib.contextmanager
def live_server(app: Any) -> Iterator[str]:
    """The application served by uvicorn in a thread on a free loopback port; yields its base URL."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=30)


def floats_in(value: object) -> list[float]:
    """Every float inside a JSON value (for checks of the precision an output gives)."""
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in floats_in(v)]
    if isinstance(value, list):
        return [f for v in value for f in floats_in(v)]
    return []
