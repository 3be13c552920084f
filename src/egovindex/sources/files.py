"""Reading input files: provenance records and errors that name the file, row and column."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: file, row (1-based, the header is row 1), column and message."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: {self.message}"


SHOWN = 100  # problems listed in a message, a page or an API answer; the total is always said


@dataclass
class InputError(ValueError):
    """Every problem found in an input, collected before anything is stored."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"{len(self.problems)} problem(s) in the input"
        shown = "\n".join(f"  {p}" for p in self.problems[:SHOWN])
        more = f"\n  ... and {len(self.problems) - SHOWN} more" if len(self.problems) > SHOWN else ""
        return f"{head}:\n{shown}{more}"


def media_type(path: str) -> str:
    suffix = Path(path.split("?")[0]).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if suffix == ".csv":
        return "text/csv"
    raise ValueError(f"{path}: unsupported file type {suffix or '(none)'}; give a .csv or .xlsx file")


def rows_of(name: str, data: bytes) -> Iterator[list[str]]:
    """Rows of a CSV or XLSX file as lists of strings (numbers from XLSX keep their full repr)."""
    if media_type(name) == "text/csv":
        yield from _csv_rows(name, data)
    else:
        yield from _xlsx_rows(name, data)


def _csv_rows(name: str, data: bytes) -> Iterator[list[str]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        raise InputError([Problem(name, None, None, "not a text file in UTF-8 or Windows-1252")])
    yield from csv.reader(io.StringIO(text, newline=""))


def _xlsx_rows(name: str, data: bytes) -> Iterator[list[str]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types (BadZipFile, KeyError, ...) for what is not a workbook
        raise InputError([Problem(name, None, None, f"not an Excel workbook ({type(exc).__name__})")]) from None
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield ["" if v is None else (repr(v) if isinstance(v, float) else str(v)) for v in row]
    finally:
        book.close()
