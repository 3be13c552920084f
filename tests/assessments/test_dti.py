"""DTI 2022 from the published main indices: the five provinces whose eight main indices are published score within
1e-4 of the published provincial DTI, in the published order; values are versioned, bad files are refused whole;
the command line imports and ranks."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from egovindex.assessments import scoring, values
from egovindex.assessments.units import UnitError, key, resolve

MAIN = ("nhan_thuc_so", "the_che_so", "ha_tang_so", "nhan_luc_so", "an_toan_thong_tin_mang",
        "hoat_dong_chinh_quyen_so", "hoat_dong_kinh_te_so", "hoat_dong_xa_hoi_so")  # fmt: skip


def published(reference: Path) -> list[dict[str, str]]:
    with (reference / "vn" / "dti_2022_provinces.csv").open(encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["nhan_thuc_so"]]  # the rows whose main indices are published


def long_csv(rows: list[dict[str, str]], path: Path) -> Path:
    """The published wide table as the long CSV that ``assess import`` reads, provinces as the source spells them."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["unit", "node", "value"])
        for r in rows:
            writer.writerows([r["province_vi"], node, r[node]] for node in MAIN)
    return path


def test_the_five_published_provinces_within_1e_4_in_the_published_order(
    session, reference: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    rows = published(reference)
    assert len(rows) == 5
    fw = values.method("dti-2022")
    read = values.read_csv(long_csv(rows, tmp_path / "dti.csv"), fw, 2022)
    assert {u for u, _, _ in read} == {"P48", "P79", "P22", "P46", "P92"}  # names as the source spells them
    values.record(session, read, fw=fw, year=2022, source="dti.gov.vn/xep-hang-2022", actor="test")
    ranking = scoring.rank(session, "dti-2022", 2022, level="province")
    assert [r["unit_code"] for r in ranking.rows] == ["P48", "P79", "P22", "P46", "P92"]
    assert [r["rank"] for r in ranking.rows] == [1, 2, 3, 4, 5]
    for r, pub in zip(ranking.rows, rows, strict=True):
        assert r["score"] == pytest.approx(float(pub["pdti"]), abs=1e-4)
    # the common foundations in points: 0.1 x 1000 x (1 + 0.9 + 0.8253 + 0.8487 + 0.7578) / 5 ... for Đà Nẵng
    da_nang = ranking.rows[0]
    assert da_nang["nen_tang_chung"] == pytest.approx(100 * (1.0 + 0.9 + 0.8253 + 0.8487 + 0.7578))
    assert da_nang["hoat_dong"] == pytest.approx(200 * 0.8575 + 150 * 0.7836 + 150 * 0.5197)
    assert set(ranking.assumptions) == {"pillars_not_derived", "no_classes"}


def test_values_are_versioned_and_a_bad_file_stores_nothing(session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fw = values.method("dti-2022")
    good = tmp_path / "good.csv"
    good.write_text("unit,node,value\nĐà Nẵng,pdti,0.8002\n", encoding="utf-8")
    first = values.record(session, values.read_csv(good, fw, 2022), fw=fw, year=2022, source="a", actor="t")
    again = values.record(session, values.read_csv(good, fw, 2022), fw=fw, year=2022, source="a", actor="t")
    assert (first.stored, again.stored, again.unchanged) == (1, 0, 1)
    good.write_text("unit,node,value\nĐà Nẵng,pdti,0.81\n", encoding="utf-8")
    values.record(session, values.read_csv(good, fw, 2022), fw=fw, year=2022, source="b", actor="t")
    kept = values.current(session, "dti-2022", 2022)
    assert [(v.value, v.source) for v in kept] == [(0.81, "b")]  # in force; the older value is kept, superseded
    # a value given at the index itself is read as it is
    assert scoring.rank(session, "dti-2022", 2022).rows[0]["score"] == 0.81
    bad = tmp_path / "bad.csv"
    bad.write_text("unit,node,value\nAtlantis,pdti,0.5\nĐà Nẵng,pillar,0.5\nHuế,pdti,lots\n", encoding="utf-8")
    with pytest.raises(values.AssessmentError) as refused:
        values.read_csv(bad, fw, 2022)
    assert str(refused.value).splitlines() == [
        f"{bad}: row 2, field unit: 'Atlantis': no agency of the registry on 2022-12-31 has this code, name or alias",
        f"{bad}: row 3, field node: 'pillar' is not a node of dti-2022",
        f"{bad}: row 4, field value: 'lots' is not a number",
    ]


def test_units_by_code_name_or_alias() -> None:
    import datetime as dt

    assert key("TP. Hồ Chí Minh") == key("Hồ Chí Minh") == "ho chi minh"
    assert key("Thừa Thiên - Huế") == key("Thừa Thiên Huế")
    day = dt.date(2022, 12, 31)
    assert resolve("TP. Cần Thơ", day) == resolve("p92", day) == "P92"
    assert resolve("TP. Đà Nẵng", dt.date(2025, 12, 31)) == "N48"  # the province after the 2025 merger
    with pytest.raises(UnitError, match="no agency"):
        resolve("Quảng Nam", dt.date(2025, 12, 31))  # merged into Đà Nẵng


def test_the_command_line_imports_and_ranks(store_env: Path, reference: Path) -> None:
    from egovindex.cli import app

    path = long_csv(published(reference), store_env / "dti.csv")
    runner = CliRunner()
    done = runner.invoke(app, ["assess", "import", str(path), "--method", "dti-2022", "--year", "2022"])
    assert done.exit_code == 0, done.output
    assert "40 values stored" in done.stderr
    out = runner.invoke(app, ["assess", "rank", "--method", "dti-2022", "--year", "2022", "--format", "csv"])
    lines = out.stdout.splitlines()
    assert lines[0] == "unit_code,unit_name,score,rank,class,nen_tang_chung,hoat_dong"
    assert lines[1] == "P48,Đà Nẵng,0.80018,1,,433.18,366.995"  # 0.800175 to 5 decimals; points of the groups
    listed = json.loads(runner.invoke(app, ["assess", "methods", "--format", "json"]).stdout)
    assert {m["id"] for m in listed} >= {"dti-2022", "dti-2025", "vn-ict-2016", "service-index-766"}
    wrong = runner.invoke(app, ["assess", "rank", "--method", "dti-2022", "--year", "2022", "--level", "commune"])
    assert wrong.exit_code != 0 and "has no level 'commune'" in wrong.stderr and "Traceback" not in wrong.output
