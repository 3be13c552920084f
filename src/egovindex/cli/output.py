"""Rendering rows for people (Rich tables) and for programs (CSV, JSON); errors to stderr, one line each.

Text goes to the terminal as it is: the consoles never read Rich markup (``[bold]``) or emoji codes (``:smile:``) in
what they print, since names, reasons and file names come from users. Styling is given as ``style=`` or with
``rich.text.Text``, never inside the text. CSV cells that a spreadsheet would run as formulas are escaped.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from egovindex.cells import safe_cell
from egovindex.sources.files import SHOWN

if TYPE_CHECKING:
    from egovindex.sources.files import InputError


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


PLAIN = {"markup": False, "emoji": False, "highlight": False}  # what is printed is shown as it is


@cache
def console() -> Any:
    """Rich console; when output is not a terminal, wide enough that tables are not squeezed."""
    from rich.console import Console

    return Console(**PLAIN) if sys.stdout.isatty() else Console(width=200, **PLAIN)


@cache
def err_console() -> Any:
    from rich.console import Console

    return Console(stderr=True, **PLAIN)


def _cell(value: Any, digits: int) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def emit(
    rows: Sequence[dict[str, Any]],
    fmt: Format,
    *,
    title: str | None = None,
    columns: Sequence[str] | None = None,
    digits: int = 5,
    meta: dict[str, Any] | None = None,
) -> None:
    """Print rows as a table, CSV (header + rows) or JSON (``{"meta": ..., "rows": [...]}`` or a list). Numbers
    are given to ``digits`` decimals in every form: the precision of their source (5 for the UN's values)."""
    cols = list(columns or (rows[0].keys() if rows else []))
    rows = [{c: _rounded(r.get(c), digits) for c in cols} for r in rows]
    if fmt is Format.json:
        payload: Any = (
            {"meta": meta, "rows": [{c: r.get(c) for c in cols} for r in rows]}
            if meta
            else [{c: r.get(c) for c in cols} for r in rows]
        )
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
    elif fmt is Format.csv:
        # a carriage return inside a cell is quoted too (csv quotes only the line terminator's characters), else a
        # reader would start a new row there, whose first cell escapes nothing
        writer = csv.writer(sys.stdout, lineterminator="\n")
        quoted = csv.writer(sys.stdout, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow([safe_cell(c) for c in cols])
        for r in rows:
            cells = ["" if r.get(c) is None else safe_cell(r.get(c)) for c in cols]
            (quoted if any(isinstance(c, str) and "\r" in c for c in cells) else writer).writerow(cells)
    elif not rows:
        console().print(f"{title}: none" if title else "none")
    else:
        from rich.table import Table

        table = Table(title=title, header_style="bold")
        for c in cols:
            numeric = bool(rows) and isinstance(next((r.get(c) for r in rows if r.get(c) is not None), ""), int | float)
            table.add_column(c, justify="right" if numeric else "left")
        for r in rows:
            table.add_row(*[_cell(r.get(c), digits) for c in cols])
        console().print(table)


def _rounded(value: Any, digits: int) -> Any:
    """A float to ``digits`` decimals (no -0.0, no 0.9347600029999997); anything else as it is."""
    from egovindex.cells import rounded

    return rounded(value, digits) if isinstance(value, float) else value


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print an error to stderr, on one line, and return the Exit to raise."""
    say_error("error:", one_line(message))
    return typer.Exit(code)


def writable(path: Path) -> Path:
    """The path of a file about to be written, its folder created; a path that cannot be a file is an error line.
    Commands that work long before they write check their output first."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fail(f"cannot write {path}: {exc.strerror or exc}") from None
    if path.is_dir():
        raise fail(f"cannot write {path}: it is a folder")
    return path


def write_file(path: Path, data: bytes | str) -> None:
    """Write a file whole (text as UTF-8): to a neighbour first, then renamed, so that it is never half-written."""
    writable(path)
    partial = path.with_name(path.name + ".part")
    try:
        partial.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise fail(f"cannot write {path}: {exc.strerror or exc}") from None


def fail_input(exc: InputError, *, stores: bool = True) -> typer.Exit:
    """The problems of an input: one line when there is one, else a count and then a line per problem.
    ``stores``: the command stores what it reads, so the message says that nothing was."""
    tail = "; nothing was stored" if stores else ""
    if len(exc.problems) <= 1:
        return fail(f"{exc.problems[0] if exc.problems else 'the input could not be read'}{tail}")
    say_error("error:", f"{len(exc.problems)} problems in the input{tail}:")
    for problem in exc.problems[:SHOWN]:
        err_console().print(f"  {one_line(str(problem))}", soft_wrap=True)
    if len(exc.problems) > SHOWN:
        err_console().print(f"  ... and {len(exc.problems) - SHOWN} more", soft_wrap=True)
    return typer.Exit(2)


def say_error(label: str, message: str) -> None:
    """``label message`` on stderr, the label in red, the message exactly as given."""
    from rich.text import Text

    err_console().print(Text.assemble((label, "red"), " ", message), soft_wrap=True)


def one_line(message: str) -> str:
    """A message on one line: its lines joined, surrounding blanks dropped."""
    return " ".join(part.strip() for part in message.splitlines() if part.strip())
