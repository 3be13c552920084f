"""Getting values in: the Excel template generated for an agency and a period, CSV files, and JSON records.

Every channel (the web page, the API, the command line) goes through one strict reader and ends as a list of ``Row``
(indicator, value, source, method note, evidence, file row). Problems are collected for the whole file and name the
file, row and column: wrong sheet or moved columns, formulas, text in a numeric cell, unknown or duplicated
indicators, CSV rows with too many or too few fields, duplicate, unknown or unnamed columns, ambiguous numbers. A file
with any problem stores nothing.

Limits (``Limits``, from the settings ``upload_max_*``) are checked before anything is parsed and while reading, and
what exceeds one is refused with the file, the row or cell, and the limit: the size of the file; for a workbook the
unpacked size of its parts (zip bombs) and the number of its shared texts; rows of values, columns, and the
characters of one cell; the number of JSON records. A workbook is read as a stream of the cells its sheet holds: the
declared dimension is not used and empty rows cost nothing, so a value typed at A1048576 is refused at once.

Numbers typed as text (CSV, JSON strings, text cells of the template) follow one rule (``parse_number``):

- digits with an optional sign: ``1234``, ``-3``;
- one decimal separator, a comma or a dot: ``1234,5``, ``1234.5``, ``0,125``, ``1234.567``;
- thousands grouped by three digits, with the dot or the comma repeated (``12.345.678``, ``1,234,567``) or with a
  space (also the no-break and the narrow no-break space: ``1 234 567``); a decimal part follows the other
  separator: ``1.234,5`` (Vietnamese), ``1,234.5`` (English), ``1 234,5``, ``1 234.5``;
- a single dot or comma after one to three digits (not starting with 0) and followed by exactly three digits is
  ambiguous (``1.234``: one thousand two hundred and thirty-four in Vietnamese, one and a bit in English) and is
  refused with how to write it: ``1234`` (or ``1.234,0``) for the whole number, ``1.2340`` for the decimal one;
- everything else is refused: underscores (``1_30``), exponents (``1e5``), ``nan``, ``inf``, digits other than 0-9,
  a separator at the start or the end (``.5``, ``5.``), groups that are not of three digits, and numbers beyond the
  range of a double (about 1.8e308).

Numeric cells of a workbook and JSON numbers are numbers already, not ambiguous: they are taken as they are when they
are finite.
"""

from __future__ import annotations

import csv
import io
import json
import math
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from egovindex import registry
from egovindex.cells import escape_text  # the one escaping of cells; importable from here too
from egovindex.domain.periods import Period
from egovindex.sources.files import InputError, Problem

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from egovindex.registry import Indicator

__all__ = ["escape_text"]

DATA_SHEET = "Data"
META_SHEET = "meta"
COLUMNS = ("indicator_code", "indicator", "unit", "value", "source", "method_note", "evidence")
REQUIRED = ("indicator_code", "value", "source")
KNOWN = (*COLUMNS, "agency", "period")  # the columns of a CSV file and the keys of a JSON record
HEADER_ROW = 6  # rows 1-5 hold the title and the instructions
SPACES = " \u00a0\u202f"  # space, no-break space, narrow no-break space: thousands separators
NUMBER_CHARS = re.compile(r"[+-]?[0-9][0-9.,\u0020\u00a0\u202f]*")
EXCEL_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
MAX_PARTS = 1_000  # parts of a workbook
MAX_DEPTH = 64  # nesting of XML elements in a workbook part
MAX_ITEM_ELEMENTS = 1_000  # elements inside one cell or one shared text (rich text runs)


def _setting(name: str) -> Any:
    """A limit's default: the setting's default, so that there is one of each."""

    def default() -> Any:
        from egovindex.settings import Settings

        return Settings.model_fields[f"upload_{name}"].default

    return field(default_factory=default)


@dataclass(frozen=True)
class Limits:
    """What one input may hold; ``Limits.from_settings()`` for the configured ones."""

    max_bytes: int = _setting("max_bytes")
    max_rows: int = _setting("max_rows")
    max_columns: int = _setting("max_columns")
    max_cell_chars: int = _setting("max_cell_chars")
    max_unpacked_bytes: int = _setting("max_unpacked_bytes")

    @classmethod
    def from_settings(cls) -> Limits:
        from egovindex.settings import get_settings

        s = get_settings()
        return cls(
            max_bytes=s.upload_max_bytes,
            max_rows=s.upload_max_rows,
            max_columns=s.upload_max_columns,
            max_cell_chars=s.upload_max_cell_chars,
            max_unpacked_bytes=s.upload_max_unpacked_bytes,
        )

    @property
    def last_row(self) -> int:
        """The last row of the template's sheet that may hold a value."""
        return HEADER_ROW + self.max_rows

    @property
    def max_strings(self) -> int:
        """Shared texts a workbook may hold: one per cell of the template's columns, and a margin."""
        return (HEADER_ROW + self.max_rows) * len(COLUMNS) + 100


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


# ------------------------------------------------------------------------------------------- numbers
def parse_number(text: str) -> float:
    """A number typed as text, by the rule of the module's docstring; ValueError with a message that says why not
    (and, for an ambiguous one, how to write it)."""
    shown = _shown(text)
    s = text.strip()
    if not NUMBER_CHARS.fullmatch(s) or not s[-1].isascii() or not s[-1].isdigit():
        if "_" in s and any(c in "0123456789" for c in s):
            raise ValueError(f"{shown} is not a number: underscores are not accepted")
        raise ValueError(f"{shown} is not a number")
    sign = s[0] if s[0] in "+-" else ""
    body = s[len(sign) :]
    for space in SPACES[1:]:
        body = body.replace(space, " ")
    seps = [c for c in body if not c.isdigit()]
    kinds = set(seps)
    whole, fraction = body, ""
    if not kinds:
        pass
    elif len(kinds) == 1 and seps.count(seps[0]) == 1 and seps[0] in ".,":
        # one dot or one comma: a decimal separator, unless it could separate thousands
        whole, fraction = body.split(seps[0])
        if len(fraction) == 3 and re.fullmatch(r"[1-9][0-9]{0,2}", whole):
            sep, other = (".", ",") if seps[0] == "." else (",", ".")
            names = {".": "dot", ",": "comma"}
            raise ValueError(
                f"{shown} is ambiguous: a single {names[sep]} before three digits may separate thousands or decimals "
                f"(and so may a {names[other]}: {whole}{other}{fraction}); write {sign}{whole}{fraction} for the "
                f"whole number, or {sign}{whole}{sep}{fraction}0 for the decimal one"
            )
    elif len(kinds) == 1:
        # one kind repeated, or spaces: thousands only
        whole = _grouped(body, seps[0], shown)
    elif len(kinds) == 2 and seps[-1] in ".," and seps.count(seps[-1]) == 1:
        # thousands, then the decimal separator
        decimal = seps[-1]
        head, fraction = body.split(decimal)
        whole = _grouped(head, (kinds - {decimal}).pop(), shown)
    else:
        raise ValueError(f"{shown} is not a number: the separators are mixed")
    value = float(f"{sign}{whole}.{fraction or 0}")
    if not math.isfinite(value):
        raise ValueError(f"{shown} is too large to be a number")
    return value


def typed_number(value: float, decimal: str = ".") -> str:
    """A number as a person would type it, which ``parse_number`` reads back as the same number: no thousands
    separators, ``decimal`` (a dot or a comma) before the decimals, and a 0 added where three decimals after one to
    three digits would be ambiguous (``123,4560``). The value of a form's field filled in for the user."""
    from decimal import Decimal

    text = format(Decimal(repr(float(value))), "f")  # the shortest repr that reads back, without an exponent
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    fraction = fraction.rstrip("0")
    if len(fraction) == 3 and re.fullmatch(r"[1-9][0-9]{0,2}", whole):
        fraction += "0"
    return f"{sign}{whole}{decimal}{fraction}" if fraction else f"{sign}{whole}"


def _grouped(text: str, sep: str, shown: str) -> str:
    """The digits of a whole number written with thousands separators: groups of three after the first."""
    groups = text.split(sep)
    if not re.fullmatch(r"[1-9][0-9]{0,2}", groups[0]) or not all(re.fullmatch(r"[0-9]{3}", g) for g in groups[1:]):
        raise ValueError(f"{shown} is not a number: the digits are not in groups of three between separators")
    return "".join(groups)


def _shown(value: Any) -> str:
    """A value as a message quotes it, shortened."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _number(value: Any) -> float:
    """The value of a cell, a CSV field or a JSON value as a number (ValueError saying why not)."""
    if isinstance(value, bool):
        raise ValueError(f"{value} is not a number")
    if isinstance(value, str):
        return parse_number(value)
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:
            raise ValueError("the number is too large") from None
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a finite number")
        return value
    raise ValueError(f"{_shown(value)} is not a number")


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
def read(name: str, data: bytes, *, agency: str, period: Period, limits: Limits | None = None) -> list[Row]:
    """A file by its type: the Excel template (.xlsx), a CSV file (.csv) or JSON records (.json)."""
    base = re.split(r"[\\/]", name)[-1]
    suffix = "." + base.rsplit(".", 1)[1].lower() if "." in base else ""
    readers = {".xlsx": read_xlsx, ".csv": read_csv, ".json": read_json}
    if suffix not in readers:
        raise InputError(
            [
                Problem(
                    name,
                    None,
                    None,
                    f"unsupported file type {_shown(suffix) if suffix else '(none)'}; give the Excel template (.xlsx), "
                    "a CSV file (.csv) or JSON records (.json)",
                )
            ]
        )
    return readers[suffix](name, data, agency=agency, period=period, limits=limits)


def check_size(name: str, size: int, limits: Limits) -> None:
    """Refuse a file larger than the limit, before it is read."""
    if size > limits.max_bytes:
        raise InputError([Problem(name, None, None, f"{size} bytes; the limit is {limits.max_bytes} bytes")])


def read_xlsx(name: str, data: bytes, *, agency: str, period: Period, limits: Limits | None = None) -> list[Row]:
    """The Excel template: the ``Data`` sheet from its header row (``HEADER_ROW``) down, columns A to G."""
    from openpyxl.utils.cell import get_column_letter

    limits = limits or Limits.from_settings()
    book = _Workbook(name, data, limits)
    if DATA_SHEET not in book.sheets:
        raise InputError(
            [
                Problem(
                    name,
                    None,
                    None,
                    f"no sheet {DATA_SHEET!r} (sheets: {', '.join(book.sheets)});"
                    " use the template generated for this agency and period",
                )
            ]
        )
    problems: list[Problem] = []
    meta = book.meta()
    for key, expected in (("agency", agency), ("period", str(period))):
        if meta.get(key) and meta[key] != expected:
            problems.append(
                Problem(name, None, f"{META_SHEET}!{key}", f"this template is for {key} {meta[key]}, not {expected}")
            )
    cells: dict[int, dict[int, tuple[Any, str]]] = {}
    skipped: set[int] = set()  # rows with a cell refused on its own
    found: list[Problem] = []  # problems of single cells and rows
    for row, column, value, kind in book.values(DATA_SHEET, first_row=HEADER_ROW):
        letter = get_column_letter(column)
        if column > len(COLUMNS):
            if row not in skipped:
                found.append(
                    Problem(
                        name, row, letter, f"unknown column {_shown(str(value))}: the template's columns are A to G"
                    )
                    if row == HEADER_ROW
                    else Problem(
                        name, row, letter, f"cell {letter}{row} is outside the template's columns A to G: clear it"
                    )
                )
            skipped.add(row)
            continue
        label = f"{letter} ({COLUMNS[column - 1]})"
        if isinstance(value, str) and len(value) > limits.max_cell_chars:
            found.append(
                Problem(name, row, label, f"{len(value)} characters; the limit is {limits.max_cell_chars} characters")
            )
            skipped.add(row)
            continue
        if column in cells.setdefault(row, {}):
            found.append(Problem(name, row, label, f"cell {letter}{row} appears twice in the workbook"))
            skipped.add(row)
            continue
        cells[row][column] = (value, kind)
    header = cells.get(HEADER_ROW, {})
    for col, expected in enumerate(COLUMNS):
        value = header.get(col + 1, (None, ""))[0]
        got = str(value).strip() if value is not None else ""
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
        raise InputError(problems + found)
    records = []
    for r in sorted(cells):
        if r <= HEADER_ROW or r in skipped:
            continue
        rec: dict[str, Any] = {}
        for c, (value, kind) in sorted(cells[r].items()):
            key = COLUMNS[c - 1]
            if kind == "f":
                found.append(
                    Problem(
                        name,
                        r,
                        f"{_col(c - 1)} ({key})",
                        f"a formula ({_shown(str(value))[1:-1]}) is not accepted: type the value",
                    )
                )
                rec[key] = None
            else:
                rec[key] = value
        records.append((r, rec))
    rows = _rows(name, records, found, column_names={k: f"{_col(i)} ({k})" for i, k in enumerate(COLUMNS)})
    _check(name, rows, agency, period, found)
    return rows


def template_meta(name: str, data: bytes, limits: Limits | None = None) -> dict[str, str] | None:
    """What the hidden ``meta`` sheet of a template says (agency, period, registry), or None without one."""
    book = _Workbook(name, data, limits or Limits.from_settings())
    return book.meta() if META_SHEET in book.sheets else None


def read_csv(name: str, data: bytes, *, agency: str, period: Period, limits: Limits | None = None) -> list[Row]:
    """A CSV file in UTF-8: a header of known columns (each once), then rows with exactly as many fields."""
    limits = limits or Limits.from_settings()
    check_size(name, len(data), limits)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError([Problem(name, None, None, "not UTF-8 text")]) from None
    problems: list[Problem] = []
    records = []
    for line, rec in _csv_records(name, text, limits, problems):
        _belongs(name, line, rec, agency, period, problems)
        records.append((line, rec))
    rows = _rows(name, records, problems, column_names={k: k for k in COLUMNS})
    _check(name, rows, agency, period, problems)
    return rows


def read_json(name: str, data: bytes, *, agency: str, period: Period, limits: Limits | None = None) -> list[Row]:
    """A JSON file of records, as the API takes them: a list, or ``{"values": [...]}``."""
    limits = limits or Limits.from_settings()
    check_size(name, len(data), limits)
    try:
        payload = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InputError([Problem(name, None, None, f"not JSON: {_shown(str(exc))[1:-1]}")]) from None
    records = payload.get("values") if isinstance(payload, dict) else payload
    if not isinstance(records, list):
        raise InputError([Problem(name, None, None, 'expected a list of records or {"values": [...]}')])
    return read_records(records, agency=agency, period=period, name=name, limits=limits)


def read_records(
    records: list[dict[str, Any]],
    *,
    agency: str,
    period: Period,
    name: str = "request",
    limits: Limits | None = None,
) -> list[Row]:
    """JSON records (the API): ``[{"indicator_code" or "indicator", "value", "source", ...}]``."""
    limits = limits or Limits.from_settings()
    if len(records) > limits.max_rows:
        raise InputError([Problem(name, None, None, f"{len(records)} records; the limit is {limits.max_rows} records")])
    problems: list[Problem] = []
    normalised = []
    for i, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            problems.append(
                Problem(name, i, None, 'expected a record: {"indicator": ..., "value": ..., "source": ...}')
            )
            continue
        rec: dict[str, Any] = {}
        for key, value in record.items():
            if key not in KNOWN:
                problems.append(Problem(name, i, str(key)[:60], f"unknown column; the columns are {', '.join(KNOWN)}"))
            elif isinstance(value, list | dict):
                kind = "list" if isinstance(value, list) else "record"
                problems.append(Problem(name, i, key, f"expected a number or text, not a {kind}"))
            elif isinstance(value, str) and len(value) > limits.max_cell_chars:
                problems.append(
                    Problem(name, i, key, f"{len(value)} characters; the limit is {limits.max_cell_chars} characters")
                )
            else:
                rec[key] = value
                continue
            break
        else:
            if rec.get("indicator_code") is None:
                rec["indicator_code"] = rec.get("indicator")
            _belongs(name, i, rec, agency, period, problems)
            normalised.append((i, rec))
    rows = _rows(name, normalised, problems, column_names={k: k for k in COLUMNS})
    _check(name, rows, agency, period, problems)
    return rows


def _col(index: int) -> str:
    return "ABCDEFGHIJ"[index]


def _csv_records(name: str, text: str, limits: Limits, problems: list[Problem]) -> Iterator[tuple[int, dict[str, str]]]:
    """The records of a CSV text with the line each starts on; structural problems go to ``problems`` (their rows
    are left out), limits and unreadable text end the reading."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    count = 0
    while True:
        line = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                message = (
                    f"a field of more than {csv.field_size_limit()} characters; "
                    f"the limit is {limits.max_cell_chars} characters"
                )
                raise InputError([Problem(name, line, None, message)]) from None
            raise InputError([*problems, Problem(name, line, None, f"not readable as CSV from here: {exc}")]) from None
        if not any(f.strip() for f in fields):
            continue
        if header is None:
            header = _csv_header(name, line, fields, limits)
            continue
        count += 1
        if count > limits.max_rows:
            raise InputError(
                [
                    Problem(
                        name,
                        line,
                        None,
                        f"more than {limits.max_rows} rows of values; the limit is {limits.max_rows} rows",
                    )
                ]
            )
        if len(fields) > len(header):
            problems.append(
                Problem(
                    name,
                    line,
                    f"field {len(header) + 1}",
                    f"{len(fields)} fields where the header has {len(header)}; put a value that holds a comma in "
                    'double quotes ("12,5")',
                )
            )
            continue
        if len(fields) < len(header):
            problems.append(
                Problem(name, line, header[len(fields)], f"{len(fields)} fields where the header has {len(header)}")
            )
            continue
        long = [(h, f) for h, f in zip(header, fields, strict=True) if len(f) > limits.max_cell_chars]
        for h, f in long:
            problems.append(
                Problem(name, line, h, f"{len(f)} characters; the limit is {limits.max_cell_chars} characters")
            )
        if not long:
            yield line, {h: f.strip() for h, f in zip(header, fields, strict=True)}
    if header is None:
        raise InputError([Problem(name, None, None, "the file is empty")])


def _csv_header(name: str, line: int, fields: list[str], limits: Limits) -> list[str]:
    """The column names: each known and given once, the required ones present."""
    if len(fields) > limits.max_columns:
        raise InputError(
            [Problem(name, line, None, f"{len(fields)} columns; the limit is {limits.max_columns} columns")]
        )
    header = [h.strip() for h in fields]
    problems = []
    first: dict[str, int] = {}
    for j, h in enumerate(header, start=1):
        if not h:
            problems.append(Problem(name, line, f"field {j}", "a column without a name"))
        elif h in first:
            problems.append(Problem(name, line, h[:60], f"the column appears twice (fields {first[h]} and {j})"))
        elif h not in KNOWN:
            problems.append(Problem(name, line, h[:60], f"unknown column; the columns are {', '.join(KNOWN)}"))
        first.setdefault(h, j)
    problems += [Problem(name, line, c, f"missing column {c!r}") for c in REQUIRED if c not in header]
    if problems:
        raise InputError(problems)
    return header


def _belongs(name: str, line: int, rec: dict[str, Any], agency: str, period: Period, problems: list[Problem]) -> None:
    """A record that names an agency or a period names the ones submitted."""
    for key, expected in (("agency", agency), ("period", str(period))):
        if rec.get(key) and str(rec[key]) != expected:
            problems.append(
                Problem(name, line, key, f"{_shown(rec[key])} does not match the {key} submitted ({expected})")
            )


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
            problems.append(Problem(name, line, column_names["indicator_code"], f"unknown indicator {_shown(code)}"))
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue  # left blank: not submitted this time (completeness reports it)
        try:
            number = _number(value)
        except ValueError as exc:
            problems.append(Problem(name, line, column_names["value"], str(exc)))
            continue
        if not source:
            problems.append(Problem(name, line, column_names["source"], "every value needs its source"))
            continue
        rows.append(
            Row(
                code,
                number,
                source,
                str(rec.get("method_note") or "").strip(),
                str(rec.get("evidence") or "").strip(),
                line,
            )
        )
    problems.sort(key=lambda p: p.row or 0)  # the file's order; the checks across rows follow
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


# ------------------------------------------------------------------------------------------- workbooks
class _Workbook:
    """A workbook (.xlsx) read as streams of XML events, part by part, within the limits: its size and unpacked
    size are checked before any part is read; each part is read element by element and what has been read is
    dropped, so memory does not grow with a part; a sheet gives the cells it holds, gaps cost nothing and its
    declared dimension is not read."""

    def __init__(self, name: str, data: bytes, limits: Limits) -> None:
        self.name, self.limits = name, limits
        check_size(name, len(data), limits)
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
            raise self._not_a_workbook(str(exc)) from None
        if len(infos) > MAX_PARTS:
            raise InputError([Problem(name, None, None, f"{len(infos)} parts; the limit is {MAX_PARTS} parts")])
        # zipfile never unpacks more than a part's declared size (it stops there and checks the CRC), so the sum of
        # the declared sizes bounds what can be read
        unpacked = sum(i.file_size for i in infos)
        if unpacked > limits.max_unpacked_bytes:
            raise InputError(
                [
                    Problem(
                        name, None, None, f"unpacks to {unpacked} bytes; the limit is {limits.max_unpacked_bytes} bytes"
                    )
                ]
            )
        self.parts = {i.filename for i in infos}
        main = next((t for kind, t in self._relationships("").values() if kind == "officeDocument"), None)
        if main is None or main not in self.parts:
            raise self._not_a_workbook("no workbook part")
        self.sheets: dict[str, str] = {}
        self.date1904 = False
        rels = self._relationships(main)
        for event, el, tag in self._events(main, {"sheet", "workbookPr"}):
            if event != "item":
                continue
            if tag == "workbookPr":
                self.date1904 = el.get("date1904", "").lower() in ("1", "true")
            elif tag == "sheet":
                kind, target = rels.get(el.get(f"{{{R_NS}}}id", ""), ("", ""))
                if kind == "worksheet" and target in self.parts:
                    self.sheets[str(el.get("name", ""))] = target
        kinds = {kind: target for kind, target in rels.values() if target in self.parts}
        self.strings = self._strings(kinds["sharedStrings"]) if "sharedStrings" in kinds else []
        self.date_styles = self._date_styles(kinds["styles"]) if "styles" in kinds else set()

    def meta(self) -> dict[str, str]:
        """The ``meta`` sheet's pairs (column A: key, column B: value), empty without one."""
        if META_SHEET not in self.sheets:
            return {}
        pairs: dict[int, dict[int, Any]] = {}
        for row, column, value, _ in self.values(META_SHEET, first_row=1):
            if column <= 2:
                pairs.setdefault(row, {})[column] = value
        return {str(p[1]): "" if p.get(2) is None else str(p[2]) for p in pairs.values() if p.get(1)}

    def values(self, sheet: str, *, first_row: int) -> Iterator[tuple[int, int, Any, str]]:
        """The cells of a sheet that hold something, from ``first_row`` down: (row, column, value, kind); a cell
        beyond the rows or the columns of the limits ends the reading, naming the cell and the limit."""
        from openpyxl.utils.cell import get_column_letter

        limits = self.limits
        budget = limits.last_row * limits.max_columns
        count = 0
        for row, column, value, kind in self._cells(self.sheets[sheet]):
            count += 1
            if count > budget:
                raise InputError(
                    [
                        Problem(
                            self.name, row, None, f"more than {budget} cells in sheet {sheet!r}; the limit is {budget}"
                        )
                    ]
                )
            if value is None or value == "":
                continue
            letter = get_column_letter(column)
            if row > limits.last_row:
                raise InputError(
                    [
                        Problem(
                            self.name,
                            row,
                            letter,
                            f"cell {letter}{row} is beyond the last row that may hold values "
                            f"({limits.last_row}: at most {limits.max_rows} rows of values)",
                        )
                    ]
                )
            if column > limits.max_columns:
                raise InputError(
                    [
                        Problem(
                            self.name,
                            row,
                            letter,
                            f"cell {letter}{row} is beyond the last column that may hold values "
                            f"({get_column_letter(limits.max_columns)}: at most {limits.max_columns} columns)",
                        )
                    ]
                )
            if row >= first_row:
                yield row, column, value, kind

    def _cells(self, part: str) -> Iterator[tuple[int, int, Any, str]]:
        """Every cell element of a sheet part, in the order of the file: (row, column, value, kind)."""
        from openpyxl.utils.cell import column_index_from_string

        row = column = 0
        for event, el, tag in self._events(part, {"c"}):
            if event == "start":
                if tag == "row":
                    number = el.get("r")
                    if number is None:
                        row += 1
                    elif number.isascii() and number.isdigit() and len(number) <= 7:
                        row = int(number)
                    else:
                        raise self._not_a_workbook(f"a row numbered {_shown(number)}")
                    column = 0
                continue
            ref = el.get("r")
            cell_row = row
            if ref is None:
                column += 1
            else:
                match = CELL_REF.fullmatch(ref)
                if match is None:
                    raise self._not_a_workbook(f"a cell at {_shown(ref)}, which is not a cell reference")
                column, cell_row = column_index_from_string(match.group(1)), int(match.group(2))
            value, kind = self._value(el, cell_row, column)
            yield cell_row, column, value, kind

    def _value(self, el: Element, row: int, column: int) -> tuple[Any, str]:
        """A cell's value as the workbook stores it: text, number, boolean, date, or a formula ("=...", kind f)."""
        kind = el.get("t", "n")
        formula = stored = inline = None
        for child in el:
            tag = _local(child.tag)
            if tag == "f":
                formula = child
            elif tag == "v":
                stored = child.text
            elif tag == "is":
                inline = child
        if formula is not None:
            return "=" + (formula.text or ""), "f"
        if kind == "inlineStr":
            return (None if inline is None else _text(inline)), "s"
        if stored is None:
            return None, kind
        if kind == "s":
            if not (stored.isascii() and stored.isdigit() and int(stored) < len(self.strings)):
                raise self._not_a_workbook(f"row {row}, column {column} refers to a text the workbook does not hold")
            return self.strings[int(stored)], "s"
        if kind == "b":
            return stored.strip() in ("1", "true"), "b"
        if kind != "n":  # str (a formula's text), e (an error such as #N/A), d (an ISO date): text
            return stored, "s"
        text = stored.strip()
        if not EXCEL_NUMBER.fullmatch(text):
            raise self._not_a_workbook(f"row {row}, column {column} holds {_shown(text)} as a number")
        number: float = int(text) if text.lstrip("+-").isdigit() and len(text) < 19 else float(text)
        style = el.get("s", "0")
        if style.isdigit() and int(style) in self.date_styles and math.isfinite(number):
            from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

            try:
                return from_excel(number, CALENDAR_MAC_1904 if self.date1904 else CALENDAR_WINDOWS_1900), "d"
            except (OverflowError, ValueError):
                return number, "n"
        return number, "n"

    def _strings(self, part: str) -> list[str]:
        """The shared texts, at most as many as the template's cells."""
        strings: list[str] = []
        limit = self.limits.max_strings
        for event, el, _ in self._events(part, {"si"}):
            if event != "item":
                continue
            if len(strings) >= limit:
                raise InputError(
                    [
                        Problem(
                            self.name,
                            None,
                            None,
                            f"more than {limit} shared strings (different texts); the limit for "
                            f"{self.limits.max_rows} rows of values is {limit}",
                        )
                    ]
                )
            strings.append(_text(el))
        return strings

    def _date_styles(self, part: str) -> set[int]:
        """The cell styles whose number format is a date or a time."""
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

        formats: dict[int, str] = {}
        styles: list[int] = []
        section = ""
        for event, el, tag in self._events(part, {"numFmt", "xf"}):
            if event == "start":
                section = tag if tag in ("numFmts", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs") else section
            elif tag == "numFmt" and section == "numFmts" and str(el.get("numFmtId", "")).isdigit():
                formats[int(el.get("numFmtId", ""))] = str(el.get("formatCode", ""))
            elif tag == "xf" and section == "cellXfs":
                number = str(el.get("numFmtId", "0"))
                styles.append(int(number) if number.isdigit() and len(number) < 6 else 0)
        return {
            i for i, f in enumerate(styles) if is_date_format(formats.get(f) or BUILTIN_FORMATS.get(f) or "General")
        }

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """A part's relationships: id -> (kind, such as "worksheet", and the target part)."""
        folder, base = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", base + ".rels")
        if rels not in self.parts:
            return {}
        out = {}
        for event, el, _ in self._events(rels, {"Relationship"}):
            target = str(el.get("Target", ""))
            if event != "item" or el.get("TargetMode") == "External":
                continue
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out[str(el.get("Id", ""))] = (str(el.get("Type", "")).rsplit("/", 1)[-1], path)
        return out

    def _events(self, part: str, items: set[str]) -> Iterator[tuple[str, Element, str]]:
        """("start", element, local name) for each element outside the items, with its attributes, and ("item",
        element, local name) for each complete item; every element is dropped once read."""
        import zlib
        from xml.etree.ElementTree import ParseError, iterparse

        stack: list[Element] = []
        inside = count = 0
        try:
            with self.zip.open(part) as src:
                for event, el in iterparse(src, events=("start", "end")):
                    tag = _local(el.tag)
                    if event == "start":
                        stack.append(el)
                        if len(stack) > MAX_DEPTH:
                            raise self._not_a_workbook(f"{part}: elements nested more than {MAX_DEPTH} deep")
                        if inside or tag in items:
                            inside += 1
                            count += 1
                            if count > MAX_ITEM_ELEMENTS:
                                raise self._not_a_workbook(f"{part}: a {tag} of more than {MAX_ITEM_ELEMENTS} elements")
                        else:
                            yield "start", el, tag
                        continue
                    stack.pop()
                    if inside:
                        inside -= 1
                        if inside:
                            continue
                        count = 0
                        yield "item", el, tag
                    if stack:
                        stack[-1].remove(el)
        except (ParseError, KeyError, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as exc:
            raise self._not_a_workbook(f"{part}: {exc}") from None

    def _not_a_workbook(self, why: str) -> InputError:
        return InputError([Problem(self.name, None, None, f"not an Excel workbook: {_shown(why)[1:-1]}")])


R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def _text(el: Element) -> str:
    """The text of a shared or inline string: its runs, without phonetic guides."""
    parts = []
    for child in el:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)
