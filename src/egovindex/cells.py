"""Cells of the CSV files and workbooks that people open in a spreadsheet: text that a spreadsheet would run as a
formula (CSV/Excel injection) is written with a leading apostrophe; numbers stay numbers.

One function for every face: the CLI's ``--format csv``, the web's downloads, the templates and the exports.
"""

from __future__ import annotations

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_text(text: str) -> str:
    """Text for a spreadsheet cell that can never run as a formula."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def safe_cell(value: Any) -> Any:
    """A cell value: text escaped, anything else (numbers, negative ones too; dates; None) as it is."""
    return escape_text(value) if isinstance(value, str) else value
