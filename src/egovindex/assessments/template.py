"""An Excel workbook generated from a method's tree, for one unit and year: one row per scored criterion with its
maximum, a value cell (checked by Excel between 0 and the maximum) and the evidence (document number, link). Read
back whole, within limits, every problem named by file, row and field; the method, version, year and unit come
from the workbook's hidden sheet, so that a workbook cannot be read into another method or unit."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from egovindex import registry
from egovindex.assessments.values import AssessmentError, maximum
from egovindex.cells import escape_text

if TYPE_CHECKING:
    from egovindex.engine import Framework, Node

SHEET = "Answers"
META = "meta"
HEADER_ROW = 5
COLUMNS = ("node", "criterion", "maximum", "value", "evidence", "link")
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2_000


@dataclass(frozen=True)
class Answer:
    node: str
    value: float
    evidence: str
    row: int


def _maximum(fw: Framework, node: Node) -> float:
    """What the value cell takes: a ratio from 0 to 1 for a criterion scored by a threshold, else the maximum."""
    return maximum(fw, node.code)


def template(fw: Framework, year: int, unit: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    agency = registry.load().agency(unit)
    book = Workbook()
    ws = book.active
    ws.title = SHEET
    ws["A1"] = f"{fw.name_vi or fw.name} ({fw.id} {fw.version}) — {year} — {agency.name_vi} ({unit})"
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = (
        "Nhập giá trị của từng tiêu chí vào cột value (từ 0 đến giá trị tối đa; chỉ số từ 0 đến 1), số văn bản minh "
        "chứng vào cột evidence và đường dẫn vào cột link. Không sửa các cột khác."
    )
    ws["A3"] = (
        "Enter each criterion's value (0 to its maximum; an index from 0 to 1), the evidence (document number) and "
        "a link. Do not change the other columns. Assumptions of the method: " + ", ".join(fw.assumptions)
    )
    for col, name in enumerate(COLUMNS, start=1):
        cell = ws.cell(HEADER_ROW, col, name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    unlocked = Protection(locked=False)
    fill = PatternFill("solid", fgColor="FFF2CC")
    for r, leaf in enumerate((n for n in fw.leaves if n.scored), start=HEADER_ROW + 1):
        top = _maximum(fw, leaf)
        ws.cell(r, 1, leaf.code)
        ws.cell(r, 2, escape_text(f"{leaf.name_vi or leaf.name} / {leaf.name}"))
        ws.cell(r, 3, top)
        check = DataValidation(type="decimal", operator="between", formula1="0", formula2=str(top), allow_blank=True)
        ws.add_data_validation(check)
        check.add(ws.cell(r, 4))
        for c in (4, 5, 6):
            ws.cell(r, c).protection = unlocked
            ws.cell(r, c).fill = fill
    for col, width in zip("ABCDEF", (16, 70, 10, 12, 30, 40), strict=True):
        ws.column_dimensions[col].width = width
    ws.protection.sheet = True
    meta = book.create_sheet(META)
    for r, (k, v) in enumerate(
        (("method", fw.id), ("version", fw.version), ("year", str(year)), ("unit", unit)), start=1
    ):
        meta.cell(r, 1, k)
        meta.cell(r, 2, v)
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(name: str, data: bytes, fw: Framework, year: int) -> tuple[str, list[Answer]]:
    """The unit and its answers (rows with a value); nothing unless every row is good."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    if len(data) > MAX_BYTES:
        raise AssessmentError(f"{name}: {len(data)} bytes; the limit is {MAX_BYTES}")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True)  # formulas as written: refused below
    except (BadZipFile, OSError, KeyError, ValueError) as exc:
        raise AssessmentError(f"{name}: not an Excel workbook (.xlsx): {exc}") from None
    if SHEET not in book.sheetnames or META not in book.sheetnames:
        raise AssessmentError(f"{name}: not an egovindex assessment template (no sheets {SHEET} and {META})")
    meta = {str(r[0]): str(r[1]) for r in book[META].iter_rows(max_row=10, max_col=2, values_only=True) if r[0]}
    wanted = {"method": fw.id, "version": fw.version, "year": str(year)}
    for key, value in wanted.items():
        if meta.get(key) != value:
            raise AssessmentError(f"{name}: the template is for {key} {meta.get(key)!r}, not {value!r}")
    unit = meta.get("unit", "")
    if unit not in {a.code for a in registry.load().agencies}:
        raise AssessmentError(f"{name}: the template's unit {unit!r} is not an agency of the registry")
    leaves = {n.code: n for n in fw.leaves if n.scored}
    answers, problems = [], []
    seen: dict[str, int] = {}
    rows = book[SHEET].iter_rows(min_row=HEADER_ROW + 1, max_col=len(COLUMNS), values_only=True)
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        if r > HEADER_ROW + MAX_ROWS:
            raise AssessmentError(f"{name}: more than {MAX_ROWS} rows")
        node, _, _, value, evidence, link = (list(row) + [None] * len(COLUMNS))[: len(COLUMNS)]
        if node is None and value is None:
            continue
        if str(node) not in leaves:
            problems.append(f"{name}: row {r}, field node: {node!r} is not a criterion of {fw.id}")
            continue
        if str(node) in seen:
            problems.append(f"{name}: row {r}, field node: {node} was given on row {seen[str(node)]}")
            continue
        seen[str(node)] = r
        if value is None or str(value).strip() == "":
            continue
        if isinstance(value, str) and value.strip().startswith("="):
            problems.append(f"{name}: row {r}, field value: a formula without a value: type the value itself")
            continue
        try:
            number = float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)
        except (TypeError, ValueError):
            problems.append(f"{name}: row {r}, field value: {value!r} is not a number")
            continue
        top = _maximum(fw, leaves[str(node)])
        if not (math.isfinite(number) and 0 <= number <= top):
            problems.append(f"{name}: row {r}, field value: {number:g} is not between 0 and {top:g}")
            continue
        text = " ".join(str(x).strip() for x in (evidence, link) if x is not None and str(x).strip())
        answers.append(Answer(str(node), number, text, r))
    if problems:
        raise AssessmentError("\n".join(problems))
    if not answers:
        raise AssessmentError(f"{name}: no value was given")
    return unit, answers
