"""Public pages kept whole per state of the store: the same answer without running the page again, ETags and 304,
dropped when an edition changes, never kept for a signed-in visitor."""

import dataclasses
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from egovindex.store.db import make_engine, unit_of_work
from egovindex.store.editions import current_editions, save_edition
from egovindex.web.app import create_app
from samples import PASSWORD, sign_in


@pytest.fixture
def store(loaded_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A copy of the loaded store that a test may change."""
    from egovindex.settings import get_settings

    monkeypatch.setenv("EGOVINDEX_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    target = tmp_path / "copy.sqlite"
    with sqlite3.connect(loaded_store.removeprefix("sqlite:///")) as source, sqlite3.connect(target) as copy:
        source.backup(copy)  # the pages in the write-ahead log too
    return f"sqlite:///{target}"


def _changed_2024(url: str) -> None:
    """A new version of the 2024 edition in which Viet Nam's EGDI is 0.9 (as a correction of the UN's file would)."""
    with unit_of_work(make_engine(url)) as s:
        edition = next(e for e in current_editions(s, [2024]))
        rows = tuple(dataclasses.replace(r, egdi=0.9) if r.iso3 == "VNM" else r for r in edition.rows)
        source = dataclasses.replace(edition.source, sha256="0" * 64)
        save_edition(s, dataclasses.replace(edition, rows=rows, source=source))


def test_a_public_page_is_kept_and_tagged(store: str) -> None:
    app = create_app(store)
    client = TestClient(app)
    first = client.get("/egdi/2024.json")
    pages = app.state.site.pages
    hits = pages.hits
    second = client.get("/egdi/2024.json")
    assert pages.hits == hits + 1  # answered from the cache
    assert second.content == first.content and second.headers["etag"] == first.headers["etag"]
    assert second.headers["content-security-policy"]  # the kept answer keeps its headers
    again = client.get("/egdi/2024.json", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    other = client.get("/egdi/2024.json", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200 and other.content == first.content
    assert client.get("/egdi/2024.json?region=asean").content != first.content  # the query is part of the key


def test_a_change_of_the_editions_drops_what_was_kept(store: str) -> None:
    client = TestClient(create_app(store))
    before = client.get("/country/VNM.json")
    vnm = lambda body: next(h for h in body["history"] if h["edition"] == 2024)["egdi"]  # noqa: E731
    assert vnm(before.json()) == pytest.approx(0.77092)
    _changed_2024(store)
    after = client.get("/country/VNM.json", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and vnm(after.json()) == pytest.approx(0.9)
    assert after.headers["etag"] != before.headers["etag"]


def test_signed_in_pages_are_built_for_their_reader_but_tagged(store: str) -> None:
    from egovindex.collection.accounts import add_user
    from egovindex.collection.registry_store import ensure_registry

    with unit_of_work(make_engine(store)) as s:
        ensure_registry(s)
        add_user(s, actor="setup", username="lan", agency="BKHCN", role="submitter", password=PASSWORD)
    app = create_app(store)
    anonymous = TestClient(app)
    anonymous.get("/egdi/2024")
    lan = sign_in(app, "lan")
    page = lan.get("/egdi/2024")
    assert '<a href="/account">lan</a>' in page.text and 'href="/account"' not in anonymous.get("/egdi/2024").text
    assert lan.get("/egdi/2024", headers={"If-None-Match": page.headers["etag"]}).status_code == 304
    collect = lan.get("/collect/2026Q4.json")
    assert collect.status_code == 200 and collect.headers["etag"]
    assert lan.get("/collect/2026Q4.json", headers={"If-None-Match": collect.headers["etag"]}).status_code == 304


def test_errors_are_not_kept(store: str) -> None:
    app = create_app(store)
    client = TestClient(app)
    assert client.get("/egdi/1999.json").status_code == 404
    hits = app.state.site.pages.hits
    assert client.get("/egdi/1999.json").status_code == 404
    assert app.state.site.pages.hits == hits and "etag" not in client.get("/egdi/1999.json").headers


def _signed_in_lan(store: str):  # type: ignore[no-untyped-def]
    from egovindex.collection.accounts import add_user
    from egovindex.collection.registry_store import ensure_registry

    with unit_of_work(make_engine(store)) as s:
        ensure_registry(s)
        add_user(s, actor="setup", username="lan", agency="BKHCN", role="submitter", password=PASSWORD)
    app = create_app(store)
    return app, sign_in(app, "lan")


def test_a_signed_in_page_is_never_kept_for_others_whatever_the_cookie_headers(store: str) -> None:
    """Two Cookie headers (the session in the first): the application reads both, so the page is the signed-in
    user's; it must not be kept and served to anonymous visitors."""
    app, lan = _signed_in_lan(store)
    session = lan.cookies.get("egovindex_session")
    raw = TestClient(app)
    page = raw.get("/", headers=[("cookie", f"egovindex_session={session}"), ("cookie", "a=b")])
    assert '<a href="/account">lan</a>' in page.text and "private" in page.headers["cache-control"]
    anonymous = TestClient(app).get("/")
    assert 'href="/account"' not in anonymous.text


def test_the_kept_page_is_in_the_language_it_is_shown_in(store: str) -> None:
    app = create_app(store)
    english = TestClient(app).get("/egdi/2024", headers={"cookie": "lang =en"})  # read as lang=en by the pages
    vietnamese = TestClient(app).get("/egdi/2024")
    assert english.text != vietnamese.text and '<html lang="vi">' in vietnamese.text
    twice = TestClient(app).get("/egdi/2024", headers={"cookie": "lang=vi; lang=en"})
    assert '<html lang="vi">' in TestClient(app).get("/egdi/2024", cookies={"lang": "vi"}).text
    assert twice.status_code == 200


def test_the_kept_page_keeps_the_headers_of_its_scheme(store: str) -> None:
    app = create_app(store)
    TestClient(app, base_url="http://testserver").get("/egdi/2024")
    secure = TestClient(app, base_url="https://testserver").get("/egdi/2024")
    assert secure.headers["strict-transport-security"]
