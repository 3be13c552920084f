"""Rendering rows for people (Rich tables) and for programs (CSV, JSON); errors to stderr."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from functools import cache
from typing import Any

import typer


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@cache
def console() -> Any:
    """Rich console; when output is not a terminal, wide enough that tables are not squeezed."""
    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=200)


@cache
def err_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


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
    """Print rows as a table, CSV (header + rows) or JSON (``{"meta": ..., "rows": [...]}`` or a list)."""
    cols = list(columns or (rows[0].keys() if rows else []))
    if fmt is Format.json:
        payload: Any = (
            {"meta": meta, "rows": [{c: r.get(c) for c in cols} for r in rows]}
            if meta
            else [{c: r.get(c) for c in cols} for r in rows]
        )
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
    elif fmt is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(cols)
        for r in rows:
            writer.writerow(["" if r.get(c) is None else r.get(c) for c in cols])
    else:
        from rich.table import Table

        table = Table(title=title, header_style="bold")
        for c in cols:
            numeric = bool(rows) and isinstance(next((r.get(c) for r in rows if r.get(c) is not None), ""), int | float)
            table.add_column(c, justify="right" if numeric else "left")
        for r in rows:
            table.add_row(*[_cell(r.get(c), digits) for c in cols])
        console().print(table)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print an error to stderr and return the Exit to raise."""
    err_console().print(f"[red]error:[/red] {message}", highlight=False, markup=True, soft_wrap=True)
    return typer.Exit(code)
