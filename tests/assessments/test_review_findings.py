"""Defects found by a review of the assessments, each reproduced first: values beyond their maximum, units that did
not exist in the year, a ratio template read as points, duplicated or formula cells, new evidence on an unchanged
value, a successor built from part of its predecessors, computed values over recorded groups, a cut points node in
the explanation, units outside the method's levels, a trend that reaches before the first year."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from egovindex.assessments import comparable, explain, scoring, template, values


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "v.csv"
    path.write_text("unit,node,value\n" + text, encoding="utf-8")
    return path


def test_a_value_beyond_its_maximum_is_refused(tmp_path: Path) -> None:
    with pytest.raises(values.AssessmentError, match=r"row 2, field value: 51\.97 is above the maximum 1 of"):
        values.read_csv(_csv(tmp_path, "P48,hoat_dong_xa_hoi_so,51.97\n"), values.method("dti-2022"), 2022)
    with pytest.raises(values.AssessmentError, match="above the maximum 18 of cong_khai_minh_bach"):
        values.read_csv(_csv(tmp_path, "P01,cong_khai_minh_bach,19\n"), values.method("service-index-766"), 2026)
    with pytest.raises(values.AssessmentError, match=r"above the maximum 1 of 1\.1"):  # a ratio, not points
        values.read_csv(_csv(tmp_path, "P01,1.1,5.4\n"), values.method("service-index-766"), 2026)


def test_a_unit_code_must_exist_in_the_year(tmp_path: Path) -> None:
    with pytest.raises(values.AssessmentError, match=r"P49 does not exist on 2026-12-31"):
        values.read_csv(_csv(tmp_path, "P49,nhan_thuc_so,0.9\n"), values.method("dti-2025"), 2026)


def test_a_unit_outside_the_method_s_levels_is_refused(tmp_path: Path) -> None:
    with pytest.raises(values.AssessmentError, match="BKHCN is not a unit of any level of dti-2022"):
        values.read_csv(_csv(tmp_path, "BKHCN,nhan_thuc_so,0.9\n"), values.method("dti-2022"), 2022)


def test_the_766_template_asks_for_ratios() -> None:
    fw = values.method("service-index-766")
    book = load_workbook(io.BytesIO(template.template(fw, 2026, "P01")))
    rows = {r[0]: r[2] for r in book[template.SHEET].iter_rows(min_row=template.HEADER_ROW + 1, values_only=True)}
    assert rows["1.1"] == 1.0  # a ratio from 0 to 1: its points follow from the method


def _filled(rows: list[tuple[str, object]]) -> bytes:
    fw = values.method("dti-2022")
    book = load_workbook(io.BytesIO(template.template(fw, 2022, "P22")))
    ws = book[template.SHEET]
    for i, (node, value) in enumerate(rows):
        ws.cell(template.HEADER_ROW + 1 + i, 1, node)
        ws.cell(template.HEADER_ROW + 1 + i, 4, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_duplicate_rows_and_formulas_in_a_template_are_refused() -> None:
    fw = values.method("dti-2022")
    with pytest.raises(values.AssessmentError, match="row 7, field node: nhan_thuc_so was given on row 6"):
        template.read("t.xlsx", _filled([("nhan_thuc_so", 0.5), ("nhan_thuc_so", 0.6)]), fw, 2022)
    with pytest.raises(values.AssessmentError, match="row 6, field value: a formula without a value: type the value"):
        template.read("t.xlsx", _filled([("nhan_thuc_so", "=0.5+0.2")]), fw, 2022)


def test_new_evidence_on_an_unchanged_value_is_a_new_version(session) -> None:  # type: ignore[no-untyped-def]
    fw = values.method("dti-2022")
    rows = [("P22", "nhan_thuc_so", 0.9)]
    values.record(session, rows, fw=fw, year=2022, source="t", actor="t", evidence={("P22", "nhan_thuc_so"): "QĐ 1"})
    again = values.record(
        session, rows, fw=fw, year=2022, source="t", actor="t", evidence={("P22", "nhan_thuc_so"): "QĐ 99"}
    )
    assert again.stored == 1 and [v.evidence for v in values.current(session, "dti-2022", 2022)] == ["QĐ 99"]
    with pytest.raises(values.AssessmentError, match="P22 nhan_thuc_so twice"):
        values.record(session, rows + rows, fw=fw, year=2022, source="t", actor="t")


def test_a_successor_with_an_unscored_predecessor_is_left_out(session) -> None:  # type: ignore[no-untyped-def]
    fw = values.method("dti-2022")
    values.record(session, [("P48", "pdti", 0.8)], fw=fw, year=2022, source="t", actor="t")
    found = comparable.comparable(session, "dti-2022", 2022, rule="largest", weights={"P48": 1.2, "P49": 1.5})
    assert found.rows == [] and found.left_out == ["N48: no score for P49"]


def test_a_recorded_group_counts_before_computed_indicators_below_it(session) -> None:  # type: ignore[no-untyped-def]
    fw = values.method("service-index-766")
    groups = {"cong_khai_minh_bach": 15, "tien_do_ket_qua": 18, "dich_vu_truc_tuyen": 20, "so_hoa_ho_so": 20,
              "muc_do_hai_long": 15}  # fmt: skip
    values.record(session, [("P01", g, v) for g, v in groups.items()], fw=fw, year=2027, source="t", actor="t")
    computed = {"P01": {"2.1": 0.912, "1.4": 1.0}}
    [row] = scoring.rank(session, "service-index-766", 2027, computed=computed).rows
    assert row["score"] == 88 and row["tien_do_ket_qua"] == 18  # the recorded group, not 20 x 0.912


def test_the_explanation_of_a_unit_with_recorded_groups_in_points(session) -> None:  # type: ignore[no-untyped-def]
    fw = values.method("service-index-766")
    values.record(session, [("P01", "cong_khai_minh_bach", 15), ("P01", "tien_do_ket_qua", 18),
                            ("P01", "dich_vu_truc_tuyen", 20), ("P01", "so_hoa_ho_so", 20),
                            ("P01", "muc_do_hai_long", 15), ("P22", "service_index_766", 93)],
                  fw=fw, year=2027, source="t", actor="t")  # fmt: skip
    e = explain.explain(session, "service-index-766", 2027, "P01")
    lost = {c["node"]: c["lost"] for c in e.criteria}
    assert lost["cong_khai_minh_bach"] == pytest.approx(3) and lost["tien_do_ket_qua"] == pytest.approx(2)
    assert e.reached_rank == 1 and sum(c["to"] - c["from"] for c in e.changes) == pytest.approx(5, abs=1e-6)


def test_the_trend_stops_at_the_first_year() -> None:
    from egovindex.services import dashboard, stats

    months = dashboard.months_before(stats.Span.parse("1990Q1"))
    assert [m.label for m in months] == ["1990-01", "1990-02", "1990-03"]


def test_the_explanation_spreads_weights_over_the_categories_a_unit_has(session) -> None:  # type: ignore[no-untyped-def]
    fw = values.method("vn-ict-2016")
    qb = {"ha_tang_ky_thuat": 0.934, "ung_dung_cntt_trong_hoat_dong": 0.607, "trang_cong_ttdt": 0.781,
          "co_che_chinh_sach": 1.0, "nhan_luc": 0.714}  # fmt: skip
    others = {"P68": 0.98, "P22": 0.9}
    rows = [("P44", k, v) for k, v in qb.items()] + [(u, k, v) for u, v in others.items() for k in qb]
    values.record(session, rows, fw=fw, year=2016, source="t", actor="t")
    e = explain.explain(session, "vn-ict-2016", 2016, "P44", places=2)
    lost = {c["node"]: c["lost"] for c in e.criteria}
    assert lost["ung_dung_cntt_trong_hoat_dong"] == pytest.approx((1 - 0.607) / 5)  # five categories, not six
    assert lost["dich_vu_cong_truc_tuyen"] is None
    assert e.reached_rank == 1  # to 0.98 takes 0.1728 of the 0.1928 the five categories can still add
