"""The service index 766 as an assessment: the indicators that the year's dossier records determine are computed,
not asked; the others (announcements, petitions, data sharing) come as values of record; with all of them a unit
has its total and its class, by the portal's conventions (each indicator's points rounded before the groups' sums)."""

from __future__ import annotations

from pathlib import Path

import pytest

from egovindex.assessments import values
from egovindex.services import assessment, index766, ingest, stats, warehouse
from egovindex.store.db import make_engine, unit_of_work, upgrade
from services.hand import CATALOGUE, DOSSIERS, HEAD_C, HEAD_D, write

OTHERS = {"1.1": 1.0, "1.2": 0.9, "1.3": 1.0, "3.5": 0.8, "4.2b": 1.0, "4.3": 0.5, "4.4": 0.25, "4.5b": 0.6,
          "4.5a": 1.0, "5.2": 1.0, "5.3": 0.95}  # fmt: skip


def test_computed_and_recorded_indicators_give_the_total_and_class(store_env: Path) -> None:
    write(store_env / "r" / "catalogue.csv", HEAD_C, CATALOGUE)
    write(store_env / "r" / "dossiers" / "a.csv", HEAD_D, DOSSIERS)
    con = warehouse.connect()
    ingest.ingest([store_env / "r"], connection=con, rejects=store_env / "rejects.csv")
    year = {r["node"]: r for r in index766.score(stats.Span.parse("2026"), "agency", connection=con).rows
            if r["agency_code"] == "P01"}  # fmt: skip
    con.close()
    url = f"sqlite:///{store_env / 'a.sqlite'}"
    upgrade(url)
    fw = values.method("service-index-766")
    with unit_of_work(make_engine(url)) as session:
        first = assessment.rank(session, "service-index-766", 2026, level="province")
        p01 = next(r for r in first.rows if r["unit_code"] == "P01")
        assert p01["tien_do_ket_qua"] == year["tien_do_ket_qua"]["points"]  # computed from the records
        assert p01["score"] is None and p01["class"] is None  # group 1 needs announcements: not determined
        rows = [("P01", node, value) for node, value in OTHERS.items()]
        values.record(session, rows, fw=fw, year=2026, source="the agency's report", actor="test")
        [p01] = [r for r in assessment.rank(session, "service-index-766", 2026).rows if r["unit_code"] == "P01"]
    groups = ("cong_khai_minh_bach", "tien_do_ket_qua", "dich_vu_truc_tuyen", "so_hoa_ho_so", "muc_do_hai_long")
    assert p01["score"] == pytest.approx(round(sum(p01[g] for g in groups), 2))
    # group 1 by hand: 6 x 1 + 4 x 0.9 + 2 x 1 + 6 x (the records' synchronisation rate), each rounded to 2 decimals
    sync = round(6 * year["1.4"]["ratio"] + 1e-12, 2)
    assert p01["cong_khai_minh_bach"] == pytest.approx(6 + 3.6 + 2 + sync)
    assert p01["class"] == next(b.code for b in fw.classes if p01["score"] >= b.min)
