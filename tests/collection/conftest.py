"""A store with the registry loaded and one user per role, for the collection tests."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from egovindex.collection.auth import add_user
from egovindex.collection.registry_store import ensure_registry
from egovindex.store.db import make_engine, unit_of_work, upgrade

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


@pytest.fixture
def engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'collect.sqlite'}"
    upgrade(url)
    eng = make_engine(url)
    with unit_of_work(eng) as session:
        ensure_registry(session)
        for name, (agency, role) in USERS.items():
            add_user(session, actor="setup", username=name, agency=agency, role=role)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine) -> Iterator[Session]:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as s:
        yield s
