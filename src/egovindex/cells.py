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


UN_DECIMALS = 5  # the UN publishes EGDI and its components to 4 or 5 decimals; analysis never shows more
RATE_DECIMALS = 4  # shares and rates of national statistics


def rounded(value: Any, digits: int = UN_DECIMALS) -> Any:
    """Every float inside ``value`` (dicts, lists, tuples) to ``digits`` decimals, as every face shows results
    of the analysis: no 0.9847566666666665, no -0.0; NaN and infinities, and anything that is not a float, as
    they are."""
    if isinstance(value, float):
        return round(value, digits) + 0.0 if value == value and abs(value) != float("inf") else value
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(v, digits) for v in value]
    return value
