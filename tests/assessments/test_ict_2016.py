"""ICT application 2016 (Decision 62/QĐ-BTTTT) from Quảng Bình's published category indices: they read into the
method's six categories; the online-services category, published as counts without an index, stays empty; the
unofficial overall (the mean of the categories, as before 2016) and its level say which assumptions they rest on."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from egovindex.assessments import scoring, values
from egovindex.store.db import make_engine, unit_of_work, upgrade


def test_quang_binh_2016(reference: Path, tmp_path: Path) -> None:
    with (reference / "vn" / "ict_application_2016_category_results_partial.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["province_vi"] == "Quảng Bình" and r["category_index_0_1"]]
    fw = values.method("vn-ict-2016")
    path = tmp_path / "qb.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["unit", "node", "value"])
        writer.writerows([r["province_vi"], r["category_id"], r["category_index_0_1"]] for r in rows)
    read = values.read_csv(path, fw, 2016, level="province")
    assert sorted(node for _, node, _ in read) == sorted(
        ["ha_tang_ky_thuat", "ung_dung_cntt_trong_hoat_dong", "trang_cong_ttdt", "co_che_chinh_sach", "nhan_luc"]
    )  # every published index is a category of the method; online services has none
    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    upgrade(url)
    with unit_of_work(make_engine(url)) as session:
        values.record(session, read, fw=fw, year=2016, source="stttt.quangbinh.gov.vn", actor="test")
        [row] = scoring.rank(session, "vn-ict-2016", 2016, level="province").rows
        ranking = scoring.rank(session, "vn-ict-2016", 2016, block="province")
    # the mean of the five categories with an index: (0.934 + 0.607 + 0.781 + 1.000 + 0.714) / 5
    assert row["score"] == pytest.approx(0.8072) and row["class"] == "tot" and row["rank"] == 1
    assert row["dich_vu_cong_truc_tuyen"] is None and row["co_che_chinh_sach"] == 1.0
    assert {"unofficial_overall", "level_cut_offs", "online_services_counts"} <= set(ranking.assumptions)
    with pytest.raises(values.AssessmentError, match="is not a unit of level 'ministry'"):
        values.read_csv(path, fw, 2016, level="ministry")
