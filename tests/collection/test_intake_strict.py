"""The one strict reader behind every channel (Excel template, CSV, JSON records, the command line): limits on size,
rows, columns, cell length and unpacked size; the number rule; malformed CSV rows and columns; a hostile workbook
read without its empty grid."""

import io
import json
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from egovindex.collection.intake import (
    HEADER_ROW,
    Limits,
    parse_number,
    read,
    read_csv,
    read_records,
    read_xlsx,
    template,
)
from egovindex.domain.periods import Period
from egovindex.sources.files import InputError

Q4 = Period.parse("2026Q4")
SMALL = Limits(max_bytes=100_000, max_rows=50, max_columns=12, max_cell_chars=100, max_unpacked_bytes=2_000_000)
HEAD = "indicator_code,value,source\n"


def _problems(fn, *args, **kwargs) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as err:
        fn(*args, **kwargs)
    return [str(p) for p in err.value.problems]


def _workbook(cells: dict[str, object], values: dict[str, object] | None = None) -> bytes:
    """The agency's own template with values typed in and ``cells`` typed anywhere."""
    book = load_workbook(io.BytesIO(template("BKHCN", Q4)))
    ws = book["Data"]
    for r in range(HEADER_ROW + 1, HEADER_ROW + 7):
        if ws.cell(r, 1).value in (values or {}):
            ws.cell(r, 4, (values or {})[ws.cell(r, 1).value])
            ws.cell(r, 5, "VNNIC")
    for ref, value in cells.items():
        ws[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rezip(data: bytes, change: dict[str, bytes]) -> bytes:
    """The workbook with some of its parts replaced or added."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info.filename, change.pop(info.filename, src.read(info.filename)))
        for name, body in change.items():
            z.writestr(name, body)
    return out.getvalue()


# ------------------------------------------------------------------------------------------- numbers
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1234", 1234),
        ("1234.5", 1234.5),
        ("1234,5", 1234.5),
        ("12,5", 12.5),
        ("0,125", 0.125),
        ("0.125", 0.125),
        ("1234.567", 1234.567),
        ("1,2345", 1.2345),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("1.234.567,25", 1234567.25),
        ("1,234,567.25", 1234567.25),
        ("12.345.678", 12345678),
        ("1,234,567", 1234567),
        ("1 234 567", 1234567),
        ("1\u00a0234,5", 1234.5),
        ("1\u202f234.5", 1234.5),
        ("-3,25", -3.25),
        ("+7", 7),
        (" 7 ", 7),
        ("007", 7),
    ],
)
def test_numbers_that_are_accepted(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("1.234", "ambiguous"),
        ("1,234", "ambiguous"),
        ("-12.500", "ambiguous"),
        ("999,000", "ambiguous"),
        ("1_30", "not a number"),
        ("nan", "not a number"),
        ("NaN", "not a number"),
        ("inf", "not a number"),
        ("-Infinity", "not a number"),
        ("1e999", "not a number"),
        ("1e5", "not a number"),
        ("1" + "0" * 400, "too large"),
        ("1" + "0" * 400 + ",5", "too large"),
        ("1.234.5", "not a number"),
        ("1,23,456", "not a number"),
        ("1.234,567.8", "not a number"),
        ("1,234,5", "not a number"),
        ("12 34", "not a number"),
        ("1 234.567,8", "not a number"),
        ("1..2", "not a number"),
        (".5", "not a number"),
        ("5.", "not a number"),
        ("١٢", "not a number"),
        ("0x10", "not a number"),
        ("12%", "not a number"),
        ("", "not a number"),
        ("-", "not a number"),
    ],
)
def test_numbers_that_are_refused(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_number(text)


def test_an_ambiguous_number_says_how_to_write_it() -> None:
    with pytest.raises(ValueError) as err:
        parse_number("1.234")
    message = str(err.value)
    assert message.startswith("'1.234' is ambiguous") and "1234" in message and "1,234" in message
    with pytest.raises(ValueError, match="'hai mươi' is not a number"):
        parse_number("hai mươi")


# ------------------------------------------------------------------------------------------- CSV
def test_csv_rows_with_the_wrong_number_of_fields() -> None:
    text = HEAD + "mobile_subs_per100,140,5,VNNIC\nfixed_broadband_per100,24\nmobile_broadband_per100,95,VNNIC\n"
    assert _problems(read_csv, "q.csv", text.encode(), agency="BKHCN", period=Q4) == [
        "q.csv, row 2, column 'field 4': 4 fields where the header has 3; put a value that holds a comma in "
        'double quotes ("12,5")',
        "q.csv, row 3, column 'source': 2 fields where the header has 3",
    ]


def test_csv_duplicate_unknown_and_unnamed_columns() -> None:
    text = "indicator_code,value,source,value,remarks,\nmobile_subs_per100,1,x,2,y,\n"
    assert _problems(read_csv, "q.csv", text.encode(), agency="BKHCN", period=Q4) == [
        "q.csv, row 1, column 'value': the column appears twice (fields 2 and 4)",
        "q.csv, row 1, column 'remarks': unknown column; the columns are indicator_code, indicator, unit, value, "
        "source, method_note, evidence, agency, period",
        "q.csv, row 1, column 'field 6': a column without a name",
    ]


def test_csv_ambiguous_and_non_finite_numbers_name_the_row_and_field() -> None:
    text = HEAD + 'mobile_subs_per100,"1.234",VNNIC\nfixed_broadband_per100,nan,VNNIC\nmobile_broadband_per100,1_30,x\n'
    problems = _problems(read_csv, "q.csv", text.encode(), agency="BKHCN", period=Q4)
    assert problems[0].startswith("q.csv, row 2, column 'value': '1.234' is ambiguous")
    assert problems[1:] == [
        "q.csv, row 3, column 'value': 'nan' is not a number",
        "q.csv, row 4, column 'value': '1_30' is not a number: underscores are not accepted",
    ]


def test_csv_row_numbers_count_blank_lines_and_quoted_line_breaks() -> None:
    text = HEAD + '\nmobile_subs_per100,140.5,"VNNIC\nreport"\n,,\nfixed_broadband_per100,abc,x\n'
    assert _problems(read_csv, "q.csv", text.encode(), agency="BKHCN", period=Q4) == [
        "q.csv, row 6, column 'value': 'abc' is not a number"
    ]


def test_csv_limits() -> None:
    big = HEAD + "mobile_subs_per100,1,x\n" * 6000
    assert _problems(read_csv, "q.csv", big.encode(), agency="BKHCN", period=Q4, limits=SMALL) == [
        f"q.csv: {len(big)} bytes; the limit is 100000 bytes"
    ]
    rows = HEAD + "mobile_subs_per100,1,x\n" * 60
    assert _problems(read_csv, "q.csv", rows.encode(), agency="BKHCN", period=Q4, limits=SMALL) == [
        "q.csv, row 52: more than 50 rows of values; the limit is 50 rows"
    ]
    wide = ",".join(["indicator_code", "value", "source"] + [f"c{i}" for i in range(20)]) + "\n"
    assert _problems(read_csv, "q.csv", wide.encode(), agency="BKHCN", period=Q4, limits=SMALL) == [
        "q.csv, row 1: 23 columns; the limit is 12 columns"
    ]
    long = HEAD + "mobile_subs_per100,140.5," + "x" * 101 + "\n"
    assert _problems(read_csv, "q.csv", long.encode(), agency="BKHCN", period=Q4, limits=SMALL) == [
        "q.csv, row 2, column 'source': 101 characters; the limit is 100 characters"
    ]
    field = HEAD + "mobile_subs_per100,140.5," + "x" * 200_000 + "\n"
    big_limits = Limits(max_bytes=1_000_000, max_rows=50, max_columns=12, max_cell_chars=100)
    problems = _problems(read_csv, "q.csv", field.encode(), agency="BKHCN", period=Q4, limits=big_limits)
    assert problems == ["q.csv, row 2: a field of more than 131072 characters; the limit is 100 characters"]


def test_csv_bad_quoting_and_binary() -> None:
    quoted = HEAD + 'mobile_subs_per100,"140.5"x,VNNIC\n'
    assert "row 2" in _problems(read_csv, "q.csv", quoted.encode(), agency="BKHCN", period=Q4)[0]
    assert _problems(read_csv, "q.csv", b"\xff\xfe\x00bin", agency="BKHCN", period=Q4) == ["q.csv: not UTF-8 text"]
    nul = HEAD + "mobile_subs_per100,1\x00,x\n"
    assert "row 2" in _problems(read_csv, "q.csv", nul.encode(), agency="BKHCN", period=Q4)[0]


# ------------------------------------------------------------------------------------------- JSON records
def test_json_records_limits_and_types() -> None:
    ok = {"indicator": "mobile_subs_per100", "value": 140.5, "source": "VNNIC"}
    assert _problems(read_records, [ok] * 51, agency="BKHCN", period=Q4, limits=SMALL) == [
        "request: 51 records; the limit is 50 records"
    ]
    bad = [
        {**ok, "source": "x" * 101},
        {**ok, "indicator": "fixed_broadband_per100", "value": float("nan")},
        {**ok, "indicator": "mobile_broadband_per100", "value": 10**400},
        {**ok, "indicator": "share_services_level4", "value": True},
        {**ok, "indicator": "share_services_l34", "value": [1]},
        {**ok, "indicator": "online_dossier_rate", "remarks": "?"},
        {**ok, "indicator": "online_dossier_rate", "value": "1.234"},
    ]
    problems = _problems(read_records, bad, agency="BKHCN", period=Q4, limits=SMALL)
    assert problems[:6] == [
        "request, row 1, column 'source': 101 characters; the limit is 100 characters",
        "request, row 2, column 'value': nan is not a finite number",
        "request, row 3, column 'value': the number is too large",
        "request, row 4, column 'value': True is not a number",
        "request, row 5, column 'value': expected a number or text, not a list",
        "request, row 6, column 'remarks': unknown column; the columns are indicator_code, indicator, unit, value, "
        "source, method_note, evidence, agency, period",
    ]
    assert problems[6].startswith("request, row 7, column 'value': '1.234' is ambiguous")
    assert read_records([{**ok, "value": "1.234,5"}], agency="BKHCN", period=Q4)[0].value == 1234.5


# ------------------------------------------------------------------------------------------- Excel
def test_a_value_typed_at_the_last_row_is_refused_without_reading_the_empty_grid() -> None:
    data = _workbook({"A1048576": "x"}, {"mobile_subs_per100": 140.5})
    assert len(data) < 12_000
    limits = Limits()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        problems = _problems(read_xlsx, "q4.xlsx", data, agency="BKHCN", period=Q4, limits=limits)
    finally:
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert problems == [
        f"q4.xlsx, row 1048576, column 'A': cell A1048576 is beyond the last row that may hold values "
        f"({HEADER_ROW + limits.max_rows}: at most {limits.max_rows} rows of values)"
    ]
    assert elapsed < 2, elapsed
    assert peak < 20_000_000, peak


def test_a_declared_dimension_is_not_trusted() -> None:
    data = _workbook({}, {"mobile_subs_per100": 140.5})
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    lying = _rezip(data, {"xl/worksheets/sheet1.xml": sheet.replace(b'ref="A1:G12"', b'ref="A1:XFD1048576"')})
    started = time.perf_counter()
    rows = read_xlsx("q4.xlsx", lying, agency="BKHCN", period=Q4)
    assert time.perf_counter() - started < 2
    assert [(r.indicator, r.value) for r in rows] == [("mobile_subs_per100", 140.5)]


def test_cells_beyond_the_columns() -> None:
    far = _workbook({"XFD7": "x"})
    assert _problems(read_xlsx, "q4.xlsx", far, agency="BKHCN", period=Q4, limits=SMALL) == [
        "q4.xlsx, row 7, column 'XFD': cell XFD7 is beyond the last column that may hold values (L: at most 12 columns)"
    ]
    near = _workbook({"H8": "note", "I6": "remarks"}, {"mobile_subs_per100": 140.5})
    assert _problems(read_xlsx, "q4.xlsx", near, agency="BKHCN", period=Q4) == [
        "q4.xlsx, row 6, column 'I': unknown column 'remarks': the template's columns are A to G",
        "q4.xlsx, row 8, column 'H': cell H8 is outside the template's columns A to G: clear it",
    ]


def test_excel_numbers_are_numbers_and_text_follows_the_number_rule() -> None:
    data = _workbook({}, {"mobile_subs_per100": 1.234, "fixed_broadband_per100": "1.234"})
    problems = _problems(read_xlsx, "q4.xlsx", data, agency="BKHCN", period=Q4)
    assert len(problems) == 1 and problems[0].startswith("q4.xlsx, row 9, column 'D (value)': '1.234' is ambiguous")
    rows = read_xlsx("q4.xlsx", _workbook({}, {"mobile_subs_per100": 1.234}), agency="BKHCN", period=Q4)
    assert [(r.indicator, r.value) for r in rows] == [("mobile_subs_per100", 1.234)]


def test_excel_cell_length_and_non_finite_cells() -> None:
    long = _workbook({"E7": "x" * 301}, {"mobile_subs_per100": 140.5})
    assert _problems(read_xlsx, "q4.xlsx", long, agency="BKHCN", period=Q4, limits=Limits(max_cell_chars=300)) == [
        "q4.xlsx, row 7, column 'E (source)': 301 characters; the limit is 300 characters"
    ]
    data = _workbook({}, {"mobile_subs_per100": 140.5})
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    inf = _rezip(data, {"xl/worksheets/sheet1.xml": sheet.replace(b"<v>140.5</v>", b"<v>1e999</v>")})
    assert _problems(read_xlsx, "q4.xlsx", inf, agency="BKHCN", period=Q4) == [
        "q4.xlsx, row 7, column 'D (value)': inf is not a finite number"
    ]


def test_zip_bombs_are_refused_before_parsing() -> None:
    data = _workbook({}, {"mobile_subs_per100": 140.5})
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    padded = sheet.replace(b"<sheetData>", b"<sheetData>" + b" " * 50_000_000)
    bomb = _rezip(data, {"xl/worksheets/sheet1.xml": padded})
    assert len(bomb) < 200_000
    problems = _problems(read_xlsx, "q4.xlsx", bomb, agency="BKHCN", period=Q4)
    assert len(problems) == 1 and "unpacks to" in problems[0] and "the limit is" in problems[0]
    strings = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b"<si><t>a</t></si>" * 500_000
        + b"</sst>"
    )
    parts = zipfile.ZipFile(io.BytesIO(data))
    rels = parts.read("xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Id="rIdS" Target="sharedStrings.xml" '
        b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>',
    )
    types = parts.read("[Content_Types].xml").replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    many = _rezip(
        data, {"xl/sharedStrings.xml": strings, "xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types}
    )
    started = time.perf_counter()
    problems = _problems(read_xlsx, "q4.xlsx", many, agency="BKHCN", period=Q4, limits=Limits(max_rows=100))
    assert time.perf_counter() - started < 2
    assert len(problems) == 1 and "shared strings" in problems[0], problems


def test_not_a_workbook_and_the_file_types() -> None:
    assert "not an Excel workbook" in _problems(read_xlsx, "x.xlsx", b"PK nothing", agency="BKHCN", period=Q4)[0]
    assert _problems(read, "q.xls", b"x", agency="BKHCN", period=Q4) == [
        "q.xls: unsupported file type '.xls'; give the Excel template (.xlsx), a CSV file (.csv) or JSON records "
        "(.json)"
    ]
    rows = read(
        "q.json",
        json.dumps([{"indicator": "mobile_subs_per100", "value": "140,5", "source": "x"}]).encode(),
        agency="BKHCN",
        period=Q4,
    )
    assert rows[0].value == 140.5
    assert _problems(read, "q.json", b"{", agency="BKHCN", period=Q4)[0].startswith("q.json: not JSON")


# ------------------------------------------------------------------------------------------- command line
def test_the_command_line_applies_the_limits(store_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from egovindex.cli import app
    from egovindex.settings import get_settings

    runner = CliRunner()
    assert runner.invoke(app, ["registry", "load"]).exit_code == 0
    assert runner.invoke(app, ["users", "add", "lan", "--agency", "BKHCN", "--role", "submitter"]).exit_code == 0
    hostile = store_env / "q4.xlsx"
    hostile.write_bytes(_workbook({"A1048576": "x"}, {"mobile_subs_per100": 140.5}))
    started = time.perf_counter()
    result = runner.invoke(app, ["collect", "submit", str(hostile), "--agency", "BKHCN", "--user", "lan"])
    assert time.perf_counter() - started < 5
    assert result.exit_code == 2 and "A1048576" in result.output and "nothing was stored" in result.output
    monkeypatch.setenv("EGOVINDEX_UPLOAD_MAX_BYTES", "1000")
    get_settings.cache_clear()
    big = store_env / "q.csv"
    big.write_text(HEAD + "mobile_subs_per100,140.5,VNNIC\n" * 100)
    result = runner.invoke(app, ["collect", "submit", str(big), "--agency", "BKHCN", "--user", "lan", "-p", "2026Q4"])
    assert result.exit_code == 2 and "the limit is 1000 bytes" in result.output, result.output


def _as_excel_saves_it(data: bytes, date_cell: str) -> bytes:
    """The workbook as Excel writes one: texts in a shared table (one of them in rich-text runs with a phonetic
    guide), relative part names, and ``date_cell`` formatted as a date."""
    import re

    parts = zipfile.ZipFile(io.BytesIO(data))
    sheet = parts.read("xl/worksheets/sheet1.xml").decode()
    texts: list[str] = []

    def shared(m: re.Match[str]) -> str:
        texts.append(m.group(3))
        return f'<c r="{m.group(1)}"{m.group(2)} t="s"><v>{len(texts) - 1}</v></c>'

    sheet = re.sub(r'<c r="([A-Z]+[0-9]+)"([^>]*?) t="inlineStr"><is><t>(.*?)</t></is></c>', shared, sheet)
    sheet = re.sub(rf'<c r="{date_cell}"( s="[0-9]+")?', f'<c r="{date_cell}" s="99"', sheet)
    items = "".join(
        "<si><r><t>VN</t></r><r><t>NIC</t></r><rPh sb='0' eb='1'><t>x</t></rPh></si>"
        if t == "VNNIC"
        else f"<si><t>{t}</t></si>"
        for t in texts
    )
    strings = f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{items}</sst>'
    styles = parts.read("xl/styles.xml").decode()
    count = int(re.search(r'<cellXfs count="([0-9]+)"', styles).group(1))
    styles = styles.replace("</cellXfs>", '<xf numFmtId="0"/>' * (99 - count) + '<xf numFmtId="14"/></cellXfs>')
    rels = parts.read("xl/_rels/workbook.xml.rels").decode().replace('Target="/xl/', 'Target="')
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdS" Target="sharedStrings.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>',
    )
    types = parts.read("[Content_Types].xml").replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    return _rezip(
        data,
        {
            "xl/worksheets/sheet1.xml": sheet.encode(),
            "xl/sharedStrings.xml": strings.encode(),
            "xl/styles.xml": styles.encode(),
            "xl/_rels/workbook.xml.rels": rels.encode(),
            "[Content_Types].xml": types,
        },
    )


def test_a_workbook_as_excel_saves_it() -> None:
    data = _as_excel_saves_it(
        _workbook({}, {"mobile_subs_per100": 140.5, "mobile_broadband_per100": 95, "fixed_broadband_per100": "24,8"}),
        date_cell="D8",
    )
    assert load_workbook(io.BytesIO(data))["Data"]["E7"].value == "VNNIC"  # what openpyxl reads, as a check
    problems = _problems(read_xlsx, "q4.xlsx", data, agency="BKHCN", period=Q4)
    assert problems == ["q4.xlsx, row 8, column 'D (value)': 1900-04-04 00:00:00 is not a number"]
    fixed = _as_excel_saves_it(_workbook({}, {"mobile_subs_per100": 140.5, "fixed_broadband_per100": "24,8"}), "D8")
    rows = read_xlsx("q4.xlsx", fixed, agency="BKHCN", period=Q4)
    assert [(r.indicator, r.value, r.source) for r in rows] == [
        ("mobile_subs_per100", 140.5, "VNNIC"),
        ("fixed_broadband_per100", 24.8, "VNNIC"),
    ]
