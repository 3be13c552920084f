"""Migrations match the models; loads are versioned and transactional."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

import egovindex.store.collection  # noqa: F401 - the collection tables belong to the same metadata
from egovindex.sources import load as loader
from egovindex.sources.undata import parse_undata, read_undata
from egovindex.store.db import make_engine, unit_of_work, upgrade
from egovindex.store.editions import current_editions, edition_history
from egovindex.store.models import Base, CountryScore


def test_migrations_match_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite'}"
    upgrade(url)
    with make_engine(url).connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_loading_is_versioned_never_overwritten(tmp_path: Path, reference: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    path = reference / "egdi/egdi_2024.csv"
    from egovindex.store.editions import save_editions

    first = save_editions(engine, read_undata(path))
    again = save_editions(engine, read_undata(path))
    assert [(r.version, r.status) for r in first + again] == [(1, "added"), (1, "unchanged")]
    revised = path.read_bytes().replace(b"Viet Nam,VNM,71,0.77092", b"Viet Nam,VNM,71,0.77093")
    assert revised != path.read_bytes()
    third = save_editions(engine, parse_undata("revised_2024.csv", revised))
    assert [(r.version, r.status) for r in third] == [(2, "added")]
    with unit_of_work(engine) as session:
        (current,) = current_editions(session, [2024])
        assert current.row("VNM").egdi == 0.77093 and current.source.uri == "revised_2024.csv"
        assert [(v.year, v.version) for v in edition_history(session)] == [(2024, 1), (2024, 2)]
        assert session.scalar(select(func.count()).select_from(CountryScore)) == 386


def test_stored_edition_reads_back_identically(loaded_store: str, reference: Path) -> None:
    with unit_of_work(make_engine(loaded_store)) as session:
        stored = {e.year: e for e in current_editions(session)}
    for path in loader.reference_files(reference):
        (parsed,) = read_undata(path)
        assert stored[parsed.year].rows == parsed.rows
        assert stored[parsed.year].decimals == parsed.decimals
        assert stored[parsed.year].source.sha256 == parsed.source.sha256


def test_a_new_store_and_its_signed_head_are_for_the_instance_account_only(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from egovindex.collection.registry_store import ensure_registry
    from egovindex.settings import get_settings
    from egovindex.store.db import make_engine, unit_of_work, upgrade

    monkeypatch.setenv("EGOVINDEX_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    upgrade(url)
    with unit_of_work(make_engine(url)) as s:
        ensure_registry(s)
    for name in ("new.sqlite", "new.sqlite.audit-head.json", "secret_key"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600, name
    get_settings.cache_clear()
