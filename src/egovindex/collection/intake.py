"""Getting values in: the Excel template generated for an agency and a period, CSV files, and JSON records.

Every channel ends as a list of ``Row`` (indicator, value, source, method note, evidence, file row). Problems are
collected for the whole file and name the file, row and column: wrong sheet or moved columns, formulas, text in a
numeric cell, unknown or duplicated indicators. Numbers may use the Vietnamese notation ("12,5"; "1.234,5").
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from egovindex import registry
from egovindex.cells import escape_text  # the one escaping of cells; importable from here too
from egovindex.collection.periods import Period
from egovindex.sources.files import InputError, Problem

if TYPE_CHECKING:
    from egovindex.registry import Indicator

DATA_SHEET = "Data"
META_SHEET = "meta"
COLUMNS = ("indicator_code", "indicator", "unit", "value", "source", "method_note", "evidence")
REQUIRED = ("indicator_code", "value", "source")
HEADER_ROW = 6  # rows 1-5 hold the title and the instructions
SIMPLE_COMMA = re.compile(r"[+-]?\d+,\d+")


@dataclass(frozen=True)
class Row:
    indicator: str
    value: float
    source: str
    method_note: str = ""
    evidence: str = ""
    row: int | None = None


def indicators_for(agency: str, period: Period) -> list[Indicator]:
    """The indicators an agency reports for a period: those it owns or contributes to, of the period's cadence."""
    reg = registry.load()
    day = period.end
    out = []
    for ind in reg.indicators:
        if ind.cadence != period.cadence:
            continue
        reporters = {c for r in ind.reporters() for c in reg.successor_at(r, day)}
        if agency in reporters or agency in ind.reporters():
            out.append(ind)
    return out


def parse_number(text: str) -> float:
    """A number as typed: "12.5", "12,5", "1.234,5" (Vietnamese notation), "1,234.5"."""
    from babel.numbers import NumberFormatError, parse_decimal

    text = text.strip().replace("\u00a0", " ").replace(" ", "")
    try:
        return float(text)
    except ValueError:
        pass
    if SIMPLE_COMMA.fullmatch(text):  # the common case, without the locale machinery
        return float(text.replace(",", "."))
    for locale in ("vi", "en"):
        try:
            return float(parse_decimal(text, locale=locale, strict=True))
        except (NumberFormatError, ValueError):
            continue
    raise ValueError(text)


# ------------------------------------------------------------------------------------------- template
def template(agency: str, period: Period) -> bytes:
    """An Excel workbook for one agency and period: instructions in Vietnamese and English, one row per
    indicator, numeric validation on the value cells, everything but the input cells locked."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    reg = registry.load()
    a = reg.agency(agency)
    indicators = indicators_for(agency, period)
    book = Workbook()
    ws = book.active
    ws.title = DATA_SHEET
    ws["A1"] = f"{a.name_vi} / {a.name} — kỳ báo cáo / period {period} — hạn nộp / due {period.deadline:%d/%m/%Y}"
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = (
        "Nhập số liệu vào cột value (số, dùng dấu phẩy thập phân nếu muốn: 12,5); ghi nguồn (source), "
        "phương pháp (method_note) và đường dẫn minh chứng (evidence). Không sửa các cột khác."
    )
    ws["A3"] = (
        "Enter each value in the value column (a number; a decimal comma is accepted: 12,5); give its source, a "
        "method note and evidence links. Do not change the other columns or the layout."
    )
    ws["A4"] = "Không dùng công thức / No formulas: type the value itself."
    for col, name in enumerate(COLUMNS, start=1):
        cell = ws.cell(HEADER_ROW, col, name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    unlocked = Protection(locked=False)
    input_fill = PatternFill("solid", fgColor="FFF2CC")
    for r, ind in enumerate(indicators, start=HEADER_ROW + 1):
        ws.cell(r, 1, ind.code)
        ws.cell(r, 2, escape_text(f"{ind.name_vi} / {ind.name}"))
        ws.cell(r, 3, ind.unit)
        check = DataValidation(
            type="decimal",
            operator="between",
            formula1=str(ind.range[0]),
            formula2=str(ind.range[1]),
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Giá trị ngoài khoảng / Out of range",
            error=f"{ind.code}: {ind.range[0]:g} – {ind.range[1]:g} {ind.unit}",
        )
        ws.add_data_validation(check)
        check.add(ws.cell(r, 4))
        for c in range(4, 8):
            ws.cell(r, c).protection = unlocked
            ws.cell(r, c).fill = input_fill
    for col, width in zip("ABCDEFG", (30, 60, 20, 14, 40, 40, 40), strict=True):
        ws.column_dimensions[col].width = width
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    meta = book.create_sheet(META_SHEET)
    for r, (k, v) in enumerate((("agency", agency), ("period", str(period)), ("registry", reg.digest)), start=1):
        meta.cell(r, 1, k)
        meta.cell(r, 2, v)
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ------------------------------------------------------------------------------------------- reading
def read_xlsx(name: str, data: bytes, *, agency: str, period: Period) -> list[Row]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), data_only=False)
    except Exception as exc:  # openpyxl raises several types for a file that is not a workbook
        raise InputError([Problem(name, None, None, f"not an Excel workbook: {exc}")]) from None
    if DATA_SHEET not in book.sheetnames:
        raise InputError(
            [
                Problem(
                    name,
                    None,
                    None,
                    f"no sheet {DATA_SHEET!r} (sheets: {', '.join(book.sheetnames)});"
                    " use the template generated for this agency and period",
                )
            ]
        )
    problems: list[Problem] = []
    if META_SHEET in book.sheetnames:
        meta = {str(r[0].value): str(r[1].value) for r in book[META_SHEET].iter_rows(max_col=2) if r[0].value}
        for key, expected in (("agency", agency), ("period", str(period))):
            if meta.get(key) and meta[key] != expected:
                problems.append(
                    Problem(
                        name, None, f"{META_SHEET}!{key}", f"this template is for {key} {meta[key]}, not {expected}"
                    )
                )
    ws = book[DATA_SHEET]
    header = [str(c.value).strip() if c.value is not None else "" for c in ws[HEADER_ROW]]
    for col, expected in enumerate(COLUMNS):
        got = header[col] if col < len(header) else ""
        if got != expected:
            problems.append(
                Problem(
                    name,
                    HEADER_ROW,
                    _col(col),
                    f"expected column {expected!r}, found {got!r}: the columns were moved or renamed",
                )
            )
    if problems:
        raise InputError(problems)
    records = []
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        cells = {COLUMNS[c]: ws.cell(r, c + 1) for c in range(len(COLUMNS))}
        if all(cell.value in (None, "") for cell in cells.values()):
            continue
        rec: dict[str, Any] = {}
        for key, cell in cells.items():
            if cell.data_type == "f":
                problems.append(
                    Problem(
                        name,
                        r,
                        f"{_col(COLUMNS.index(key))} ({key})",
                        f"a formula ({cell.value}) is not accepted: type the value",
                    )
                )
                rec[key] = None
            else:
                rec[key] = cell.value
        records.append((r, rec))
    rows = _rows(name, records, problems, column_names={k: f"{_col(i)} ({k})" for i, k in enumerate(COLUMNS)})
    _check(name, rows, agency, period, problems)
    return rows


def read_csv(name: str, data: bytes, *, agency: str, period: Period) -> list[Row]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError([Problem(name, None, None, "not UTF-8 text")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    lines = [r for r in reader if any(c.strip() for c in r)]
    if not lines:
        raise InputError([Problem(name, None, None, "the file is empty")])
    header = [h.strip() for h in lines[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError([Problem(name, 1, c, f"missing column {c!r}") for c in missing])
    problems: list[Problem] = []
    records = []
    for i, line in enumerate(lines[1:], start=2):
        rec = {h: (line[j].strip() if j < len(line) else "") for j, h in enumerate(header)}
        for key, expected in (("agency", agency), ("period", str(period))):
            if rec.get(key) and rec[key] != expected:
                problems.append(Problem(name, i, key, f"{rec[key]!r} does not match the {key} submitted ({expected})"))
        records.append((i, rec))
    rows = _rows(name, records, problems, column_names={k: k for k in COLUMNS})
    _check(name, rows, agency, period, problems)
    return rows


def read_records(records: list[dict[str, Any]], *, agency: str, period: Period, name: str = "request") -> list[Row]:
    """JSON records (the API): ``[{"indicator_code" or "indicator", "value", "source", ...}]``."""
    problems: list[Problem] = []
    normalised = [
        (i, {**r, "indicator_code": r.get("indicator_code", r.get("indicator"))})
        for i, r in enumerate(records, start=1)
    ]
    rows = _rows(name, normalised, problems, column_names={k: k for k in COLUMNS})
    _check(name, rows, agency, period, problems)
    return rows


def _col(index: int) -> str:
    return "ABCDEFGHIJ"[index]


def _rows(
    name: str, records: list[tuple[int, dict[str, Any]]], problems: list[Problem], column_names: dict[str, str]
) -> list[Row]:
    reg = registry.load()
    known = {i.code for i in reg.indicators}
    rows: list[Row] = []
    for line, rec in records:
        code = str(rec.get("indicator_code") or "").strip()
        value = rec.get("value")
        source = str(rec.get("source") or "").strip()
        if code not in known:
            problems.append(Problem(name, line, column_names["indicator_code"], f"unknown indicator {code!r}"))
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue  # left blank: not submitted this time (completeness reports it)
        if isinstance(value, bool) or not isinstance(value, int | float):
            try:
                value = parse_number(str(value))
            except ValueError:
                problems.append(Problem(name, line, column_names["value"], f"{value!r} is not a number"))
                continue
        if not source:
            problems.append(Problem(name, line, column_names["source"], "every value needs its source"))
            continue
        rows.append(
            Row(
                code,
                float(value),
                source,
                str(rec.get("method_note") or "").strip(),
                str(rec.get("evidence") or "").strip(),
                line,
            )
        )
    return rows


def _check(name: str, rows: list[Row], agency: str, period: Period, problems: list[Problem]) -> None:
    """Duplicates and indicators the agency does not report; raise with every problem of the file."""
    reg = registry.load()
    try:
        reg.agency(agency)
    except KeyError:
        problems.append(Problem(name, None, None, f"unknown agency {agency!r}"))
        raise InputError(problems) from None
    allowed = {i.code for i in indicators_for(agency, period)}
    seen: dict[str, int | None] = {}
    for r in rows:
        if r.indicator in seen:
            problems.append(
                Problem(
                    name, r.row, "indicator_code", f"{r.indicator} appears again (first at row {seen[r.indicator]})"
                )
            )
            continue
        seen[r.indicator] = r.row
        if r.indicator not in allowed:
            ind = reg.indicator(r.indicator)
            if ind.cadence != period.cadence:
                msg = f"{r.indicator} is {ind.cadence}, not reported for the {period.cadence} period {period}"
            else:
                msg = f"{agency} does not report {r.indicator}: it is owned by {ind.owner}" + (
                    f" with {', '.join(ind.contributors)}" if ind.contributors else ""
                )
            problems.append(Problem(name, r.row, "indicator_code", msg))
    if problems:
        raise InputError(problems)
