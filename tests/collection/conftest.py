"""A store with the registry loaded and one user per role, for the collection tests, on SQLite and on
PostgreSQL (EGOVINDEX_TEST_POSTGRES_URL, started by .ci/postgres.sh; required under CI)."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

import egovindex.store.collection  # noqa: F401 - the collection tables belong to the metadata
from egovindex.collection.accounts import add_user
from egovindex.collection.registry_store import ensure_registry
from egovindex.store.db import make_engine, unit_of_work, upgrade
from egovindex.store.models import Base

USERS = {
    "lan": ("BKHCN", "submitter"),
    "minh": ("BKHCN", "approver"),
    "hoa": ("BKHCN", "lead"),
    "an": ("BGDDT", "submitter"),
    "binh": ("BGDDT", "approver"),
    "admin": ("BKHCN", "administrator"),
    "thu": ("VPCP", "submitter"),
    "quan": ("VPCP", "approver"),
    "viewer": ("BTC", "viewer"),
}


def _url(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'collect.sqlite'}"
    url = os.environ.get("EGOVINDEX_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("EGOVINDEX_TEST_POSTGRES_URL is not set: .ci/run starts PostgreSQL for these tests")
        pytest.skip("no PostgreSQL for the tests (source .ci/postgres.sh; start_test_postgres)")
    eng = make_engine(url)
    with eng.begin() as conn:  # a clean schema for every test
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    eng.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def engine(tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from egovindex.settings import get_settings

    # the instance key and the audit log's signed head live in the data folder: one of the test's own
    monkeypatch.setenv("EGOVINDEX_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    url = _url(backend, tmp_path)
    upgrade(url)
    eng = make_engine(url)
    with unit_of_work(eng) as session:
        ensure_registry(session)
        for name, (agency, role) in USERS.items():
            add_user(session, actor="setup", username=name, agency=agency, role=role)
    yield eng
    eng.dispose()
    get_settings.cache_clear()


@pytest.fixture
def session(engine) -> Iterator[Session]:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as s:
        yield s
