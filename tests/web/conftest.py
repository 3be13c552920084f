"""A store for the web tests: the registry, and BKHCN's submitters lan and thao and approver minh."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from egovindex.collection.accounts import add_user
from egovindex.collection.registry_store import ensure_registry
from egovindex.store.db import make_engine, unit_of_work, upgrade
from samples import PASSWORD


@pytest.fixture
def app_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from egovindex.settings import get_settings

    monkeypatch.setenv("EGOVINDEX_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    url = f"sqlite:///{tmp_path / 'web.sqlite'}"
    upgrade(url)
    with unit_of_work(make_engine(url)) as s:
        ensure_registry(s)
        for name, role in (("lan", "submitter"), ("thao", "submitter"), ("minh", "approver")):
            add_user(s, actor="setup", username=name, agency="BKHCN", role=role, password=PASSWORD)
    yield url
    get_settings.cache_clear()
