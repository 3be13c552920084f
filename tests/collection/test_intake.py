"""Getting values in: template, Excel, CSV and JSON, and every kind of bad input."""

import io

import pytest
from openpyxl import load_workbook

from egovindex.collection.intake import (
    HEADER_ROW,
    Row,
    escape_text,
    parse_number,
    read_csv,
    read_records,
    read_xlsx,
    template,
)
from egovindex.domain.periods import Period, PeriodError
from egovindex.sources.files import InputError

Q4 = Period.parse("2026Q4")


def _filled(values: dict[str, object], **extra: object) -> bytes:
    book = load_workbook(io.BytesIO(template("BKHCN", Q4)))
    ws = book["Data"]
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        code = ws.cell(r, 1).value
        if code in values:
            ws.cell(r, 4, values[code])
            ws.cell(r, 5, "VNNIC and operators' reports")
    for cell, value in extra.items():
        ws[cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _problems(fn, *args, **kwargs) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as err:
        fn(*args, **kwargs)
    return [str(p) for p in err.value.problems]


def test_periods() -> None:
    p = Period.parse("2026q4")
    assert (str(p), p.start.isoformat(), p.end.isoformat(), p.deadline.isoformat()) == (
        "2026Q4",
        "2026-10-01",
        "2026-12-31",
        "2027-01-15",
    )
    assert str(p.previous()) == "2026Q3" and str(Period.parse("2026Q1").previous()) == "2025Q4"
    assert str(p.year_ago()) == "2025Q4" and Period.parse("2025").cadence == "annual"
    with pytest.raises(PeriodError, match="not a period"):
        Period.parse("Q4 2026")


def test_numbers_in_vietnamese_and_english_notation() -> None:
    assert [parse_number(t) for t in ("12,5", "1.234,5", "1,234.5", "12.5", " 7 ")] == [12.5, 1234.5, 1234.5, 12.5, 7]
    with pytest.raises(ValueError):
        parse_number("mười hai")


def test_template_has_the_agency_s_indicators_validation_and_protection() -> None:
    book = load_workbook(io.BytesIO(template("BKHCN", Q4)))
    ws = book["Data"]
    codes = [ws.cell(r, 1).value for r in range(HEADER_ROW + 1, ws.max_row + 1)]
    assert codes == [
        "mobile_subs_per100",
        "mobile_broadband_per100",
        "fixed_broadband_per100",
        "share_services_level4",
        "share_services_l34",
        "online_dossier_rate",
    ]
    assert ws.protection.sheet and not ws.cell(HEADER_ROW + 1, 4).protection.locked
    assert ws.cell(HEADER_ROW + 1, 1).protection.locked
    assert len(ws.data_validations.dataValidation) == len(codes)
    assert "Nhập số liệu" in ws["A2"].value and "Enter each value" in ws["A3"].value
    assert book["meta"].sheet_state == "hidden"


def test_filled_template_reads_back() -> None:
    rows = read_xlsx(
        "q4.xlsx", _filled({"mobile_subs_per100": 140.5, "fixed_broadband_per100": "24,8"}), agency="BKHCN", period=Q4
    )
    assert [(r.indicator, r.value, r.row) for r in rows] == [
        ("mobile_subs_per100", 140.5, 7),
        ("fixed_broadband_per100", 24.8, 9),
    ]


def test_formulas_text_and_moved_columns_are_rejected() -> None:
    data = _filled({"mobile_subs_per100": "=120+20", "fixed_broadband_per100": "hai mươi"})
    assert _problems(read_xlsx, "q4.xlsx", data, agency="BKHCN", period=Q4) == [
        "q4.xlsx, row 7, column 'D (value)': a formula (=120+20) is not accepted: type the value",
        "q4.xlsx, row 9, column 'D (value)': 'hai mươi' is not a number",
    ]
    moved = _filled({}, D6="source", E6="value")
    problems = _problems(read_xlsx, "q4.xlsx", moved, agency="BKHCN", period=Q4)
    assert problems[0] == (
        "q4.xlsx, row 6, column 'D': expected column 'value', found 'source': the columns were moved or renamed"
    )


def test_wrong_sheet_wrong_template_and_not_a_workbook() -> None:
    book = load_workbook(io.BytesIO(_filled({})))
    book["Data"].title = "Sheet1"
    out = io.BytesIO()
    book.save(out)
    assert "no sheet 'Data'" in _problems(read_xlsx, "x.xlsx", out.getvalue(), agency="BKHCN", period=Q4)[0]
    other = _problems(read_xlsx, "x.xlsx", _filled({}), agency="BKHCN", period=Period.parse("2026Q3"))
    assert other == ["x.xlsx, column 'meta!period': this template is for period 2026Q4, not 2026Q3"]
    assert "not an Excel workbook" in _problems(read_xlsx, "x.xlsx", b"PK nothing", agency="BKHCN", period=Q4)[0]


def test_csv_unknown_duplicate_and_another_agency_s_indicator() -> None:
    text = (
        "indicator_code,value,source\n"
        "mobile_subs_per100,140.5,VNNIC\n"
        "mobile_subs_per100,141,VNNIC\n"
        "tv_per1000,3,x\n"
        "expected_years_schooling,12,x\n"
        "fixed_broadband_per100,24,\n"
    )
    assert _problems(read_csv, "q4.csv", text.encode(), agency="BKHCN", period=Q4) == [
        "q4.csv, row 4, column 'indicator_code': unknown indicator 'tv_per1000'",
        "q4.csv, row 6, column 'source': every value needs its source",
        "q4.csv, row 3, column 'indicator_code': mobile_subs_per100 appears again (first at row 2)",
        "q4.csv, row 5, column 'indicator_code': expected_years_schooling is annual, not reported for the quarterly "
        "period 2026Q4",
    ]
    owned = _problems(
        read_csv, "q.csv", b"indicator_code,value,source\nmobile_subs_per100,1,x\n", agency="BGDDT", period=Q4
    )
    assert owned == [
        "q.csv, row 2, column 'indicator_code': BGDDT does not report mobile_subs_per100: it is owned by BKHCN"
    ]
    assert (
        "unknown agency 'XYZ'"
        in _problems(read_csv, "q.csv", b"indicator_code,value,source\n", agency="XYZ", period=Q4)[0]
    )


def test_json_records_and_injection_escape() -> None:
    rows = read_records(
        [{"indicator": "mobile_subs_per100", "value": "140,5", "source": '=HYPERLINK("x")'}], agency="BKHCN", period=Q4
    )
    assert rows == [Row("mobile_subs_per100", 140.5, '=HYPERLINK("x")', "", "", 1)]
    assert escape_text(rows[0].source) == '\'=HYPERLINK("x")'
    assert [escape_text(t) for t in ("+1", "-1", "@a", "ok")] == ["'+1", "'-1", "'@a", "ok"]
