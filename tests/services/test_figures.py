"""A quarter's figures from the dossier records become a submission of their owner agency, and go on through the
workflow like any other: validated, then reconciled against the values typed in by the contributing ministry."""

from pathlib import Path

import pytest
from sqlalchemy import select

from egovindex.collection import reconcile, workflow
from egovindex.collection.access import AuthorisationError, get_user
from egovindex.collection.accounts import add_user
from egovindex.collection.intake import Row
from egovindex.collection.registry_store import ensure_registry
from egovindex.domain.periods import Period
from egovindex.services import figures, ingest, warehouse
from egovindex.store.collection import Discrepancy
from egovindex.store.db import make_engine, unit_of_work, upgrade
from services.hand import CATALOGUE, DOSSIERS, HEAD_C, HEAD_D
from services.hand import write as _write

Q3 = Period.parse("2026Q3")


@pytest.fixture
def stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from egovindex.settings import get_settings

    monkeypatch.setenv("EGOVINDEX_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    with unit_of_work(engine) as s:
        ensure_registry(s)
        add_user(s, actor="setup", username="vy", agency="VPCP", role="submitter")
        add_user(s, actor="setup", username="lan", agency="BKHCN", role="submitter")
    con = warehouse.connect(tmp_path / "services.duckdb")
    yield engine, con, tmp_path
    con.close()
    get_settings.cache_clear()


def test_the_quarters_figures_computed_by_hand(stores) -> None:  # type: ignore[no-untyped-def]
    engine, con, tmp = stores
    _write(tmp / "r" / "catalogue.csv", HEAD_C, CATALOGUE)
    _write(tmp / "r" / "dossiers" / "a.csv", HEAD_D, DOSSIERS)
    ingest.ingest([tmp / "r"], connection=con, rejects=tmp / "rejects.csv")
    got = {
        f.indicator: (f.part, f.whole, f.value) for f in figures.national(figures.Span.parse("2026Q3"), connection=con)
    }
    # on 30 September: PA and PD full online; PB, PG and PE (since 16 August) partial; PC offline; PF not yet
    assert got == {
        "share_services_level4": (2, 6, 33.3333),
        "share_services_l34": (5, 6, 83.3333),
        "online_dossier_rate": (6, 8, 75.0),
    }
    with unit_of_work(engine) as s:
        sub, _ = figures.submit(s, user=get_user(s, "vy"), period=Q3, connection=con)
        assert (sub.agency_code, sub.channel, sub.version) == ("VPCP", "dossiers", 1)
        values = {v.indicator_code: (v.value, v.source, v.evidence) for v in sub.values}
    assert values["online_dossier_rate"][:2] == (75.0, "dossier records")
    assert values["online_dossier_rate"][2].startswith("6 of 8 dossiers received online, 2026Q3")
    with unit_of_work(engine) as s, pytest.raises(AuthorisationError):
        figures.submit(s, user=get_user(s, "lan"), period=Q3, connection=con)  # the owner's figures, not BKHCN's
    with unit_of_work(engine) as s:  # the contributing ministry typed another rate: a discrepancy to reconcile
        workflow.submit(
            s,
            user=get_user(s, "lan"),
            agency="BKHCN",
            period=Q3,
            rows=[Row("online_dossier_rate", 81.0, "BKHCN survey")],
            channel="form",
            name="form",
        )
        opened = s.scalars(select(Discrepancy).where(Discrepancy.indicator_code == "online_dossier_rate")).all()
        assert [(d.owner_code, d.owner_value, d.other_value) for d in opened] == [("VPCP", 75.0, 81.0)]
        assert reconcile.listing(s, period=Q3, status="open")
