"""Shared fixtures. Reference data come from EGOVINDEX_REFERENCE_DATA (default ../shared/data); under CI
(CI=true) a missing reference folder is a failure, elsewhere the tests that need it are skipped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REFERENCE = Path(os.environ.get("EGOVINDEX_REFERENCE_DATA", Path(__file__).parents[1] / ".." / "shared" / "data"))


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("CI") and not REFERENCE.is_dir():
        raise pytest.UsageError(f"reference data not found at {REFERENCE.resolve()} (required under CI)")


@pytest.fixture(scope="session")
def reference() -> Path:
    if not REFERENCE.is_dir():
        pytest.skip(f"reference data not found at {REFERENCE}")
    return REFERENCE.resolve()


@pytest.fixture
def store_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: Path) -> Path:
    """Settings pointing at an empty SQLite store in a temporary folder."""
    from egovindex.settings import get_settings

    monkeypatch.setenv("EGOVINDEX_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("EGOVINDEX_DATABASE_URL", f"sqlite:///{tmp_path / 'data' / 'test.sqlite'}")
    monkeypatch.setenv("EGOVINDEX_REFERENCE_DATA", str(reference))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def loaded_store(tmp_path_factory: pytest.TempPathFactory, reference: Path) -> str:
    """A store with every reference edition loaded (built once per session)."""
    from egovindex.sources import load as loader
    from egovindex.store.db import make_engine, upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'ref.sqlite'}"
    upgrade(url)
    loader.store(make_engine(url), loader.parse_all(loader.reference_files(reference)))
    return url
