"""The Excel template of a method for one unit and year: generated from the tree, filled, read back into values with
their evidence; a workbook of another method, year or a value out of range is refused whole."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from egovindex.assessments import template, values


def _fill(data: bytes, answers: dict[str, object]) -> bytes:
    book = load_workbook(io.BytesIO(data))
    ws = book[template.SHEET]
    for row in ws.iter_rows(min_row=template.HEADER_ROW + 1):
        if row[0].value in answers:
            row[3].value = answers[row[0].value]
            row[4].value = "Quyết định 12/QĐ-UBND"
            row[5].value = "https://example.gov.vn/qd12"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_filled_template_reads_back_with_its_evidence() -> None:
    fw = values.method("dti-2022")
    blank = template.template(fw, 2022, "P22")
    criteria = [r[0] for r in load_workbook(io.BytesIO(blank))[template.SHEET].iter_rows(
        min_row=template.HEADER_ROW + 1, values_only=True)]  # fmt: skip
    assert criteria == [leaf.code for leaf in fw.leaves if leaf.scored]  # smart city is not scored: not asked
    unit, answers = template.read("qn.xlsx", _fill(blank, {"nhan_thuc_so": 0.9581, "the_che_so": "0,9"}), fw, 2022)
    assert unit == "P22"
    assert [(a.node, a.value) for a in answers] == [("nhan_thuc_so", 0.9581), ("the_che_so", 0.9)]
    assert answers[0].evidence == "Quyết định 12/QĐ-UBND https://example.gov.vn/qd12"


def test_a_wrong_template_or_value_is_refused() -> None:
    fw = values.method("dti-2022")
    blank = template.template(fw, 2022, "P22")
    with pytest.raises(values.AssessmentError, match="for year '2022', not '2023'"):
        template.read("qn.xlsx", _fill(blank, {"nhan_thuc_so": 0.5}), fw, 2023)
    with pytest.raises(values.AssessmentError, match="for method 'dti-2022', not 'dti-2025'"):
        template.read("qn.xlsx", _fill(blank, {"nhan_thuc_so": 0.5}), values.method("dti-2025"), 2022)
    with pytest.raises(values.AssessmentError, match=r"row 6, field value: 1.5 is not between 0 and 1"):
        template.read("qn.xlsx", _fill(blank, {"nhan_thuc_so": 1.5}), fw, 2022)
    with pytest.raises(values.AssessmentError, match="not an Excel workbook"):
        template.read("x.xlsx", b"PK\x03\x04 not really", fw, 2022)
    with pytest.raises(values.AssessmentError, match="no value was given"):
        template.read("qn.xlsx", blank, fw, 2022)


def test_the_command_line_writes_and_imports_a_template(store_env: Path) -> None:
    from egovindex.cli import app

    runner = CliRunner()
    out = store_env / "qn.xlsx"
    made = runner.invoke(app, ["assess", "template", "--method", "dti-2022", "--year", "2022", "--unit", "Quảng Ninh",
                               "--out", str(out)])  # fmt: skip
    assert made.exit_code == 0, made.output
    out.write_bytes(_fill(out.read_bytes(), {"nhan_thuc_so": 0.9581}))
    done = runner.invoke(app, ["assess", "import", str(out), "--method", "dti-2022", "--year", "2022"])
    assert done.exit_code == 0, done.output
    assert "1 values stored" in done.stderr and "P22" in done.stderr
