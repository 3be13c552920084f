"""Raw indicator series (ITU, World Bank, UNESCO, UNDP) -> Panel, for recomputing TII and HCI.

Two layouts are read: long (``iso3, indicator, year, value[, source]``) and wide (``iso3[, country], year,
<indicator>, <indicator>...``: every other numeric column becomes an indicator named after it). Blank values are
absent observations. Problems are collected for the whole file, naming row and column.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from egovindex.domain import SourceFile
from egovindex.engine.panel import Panel
from egovindex.sources.files import InputError, Problem, media_type, rows_of

LONG = ("iso3", "indicator", "year", "value")
ID_COLUMNS = {"iso3", "country", "country_name", "year", "source", "indicator", "value", "entity", "code"}

# Our World in Data grapher exports (Entity, Code, Year, <title>): titles -> indicator codes.
OWID_TITLES = {
    "fixed_telephone_subscriptions_(per_100_people)": "fixed_telephone_per100",
    "fixed_broadband_subscriptions_(per_100_people)": "fixed_broadband_per100",
    "mobile_cellular_subscriptions_(per_100_people)": "mobile_subs_per100",
    "individuals_using_the_internet_(%_of_population)": "internet_users_pct",
    "historical_and_more_recent_literacy_estimates": "adult_literacy_pct",
    "gross_enrolment_ratio,_primary,_both_sexes_(%)": "ger_primary",
}
OWID_RECODE = {"OWID_KOS": "XKX"}


def read_series(path: str | Path) -> tuple[Panel, SourceFile]:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(str(path), None, None, f"cannot read: {exc.strerror}")]) from None
    return parse_series(str(path), data)


def parse_series(name: str, data: bytes) -> tuple[Panel, SourceFile]:
    source = SourceFile.of_bytes(name, data, media_type=media_type(name))
    rows = [r for r in rows_of(name, data) if any(c.strip() for c in r)]
    if not rows:
        raise InputError([Problem(name, None, None, "the file is empty")])
    header = [re.sub(r"\s+", "_", h.strip().lower()) for h in rows[0]]
    owid = "code" in header and "entity" in header and "iso3" not in header
    if owid:  # OWID layout: Code is the ISO3 code; aggregates (blank code, OWID_*) are not countries
        header = ["iso3" if h == "code" else OWID_TITLES.get(h, h) for h in header]
        rows = [rows[0]] + [r for r in rows[1:] if _owid_country(r, header)]
    col = {h: i for i, h in enumerate(header)}
    missing = [c for c in ("iso3", "year") if c not in col]
    long = all(c in col for c in LONG)
    value_cols = [h for h in header if h not in ID_COLUMNS]
    if not long and not value_cols:
        missing += ["indicator", "value"]
    if missing:
        raise InputError([Problem(name, 1, c, f"missing column {c!r}") for c in missing])
    problems: list[Problem] = []
    records: list[tuple[str, str, str, float, str | None]] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, cells in enumerate(rows[1:], start=2):
        cells = cells + [""] * (len(header) - len(cells))
        iso3 = cells[col["iso3"]].strip().upper()
        iso3 = OWID_RECODE.get(iso3, iso3)
        year = cells[col["year"]].strip()
        if not re.fullmatch(r"[A-Z]{3}", iso3):
            problems.append(Problem(name, line, rows[0][col["iso3"]].strip(), f"{iso3!r} is not an ISO3 code"))
            continue
        if not re.fullmatch(r"\d{4}", year):
            problems.append(Problem(name, line, rows[0][col["year"]].strip(), f"{year!r} is not a year"))
            continue
        pairs = [(cells[col["indicator"]].strip(), "value")] if long else [(h, h) for h in value_cols]
        src = cells[col["source"]].strip() if "source" in col else None
        for indicator, column in pairs:
            text = cells[col[column]].strip()
            if text == "":
                continue
            try:
                value = float(text)
            except ValueError:
                problems.append(Problem(name, line, rows[0][col[column]].strip(), f"{text!r} is not a number"))
                continue
            key = (iso3, indicator, year)
            if key in seen:
                problems.append(Problem(name, line, column, f"{iso3} {indicator} {year} repeats row {seen[key]}"))
                continue
            seen[key] = line
            records.append((iso3, indicator, year, value, src))
    if problems:
        raise InputError(problems)
    return Panel.from_records(records), source


def _owid_country(row: list[str], header: list[str]) -> bool:
    code = row[header.index("iso3")].strip() if len(row) > header.index("iso3") else ""
    return bool(code) and (not code.startswith("OWID_") or code in OWID_RECODE)


def read_many(paths: list[Path]) -> tuple[Panel, list[SourceFile]]:
    """Several series files as one panel: where two files hold the same (iso3, indicator, year), the file
    named first wins, so later files only fill gaps. Problems of every file are reported together."""
    panels: list[Panel] = []
    sources: list[SourceFile] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            panel, source = read_series(path)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        panels.append(panel)
        sources.append(source)
    if problems:
        raise InputError(problems)
    merged: Panel | None = None
    for panel in panels:
        if merged is None:
            merged = panel
            continue
        new = [k not in merged._index for k in zip(panel.entity, panel.indicator, panel.time, strict=True)]
        merged = Panel.concat([merged, panel._take(np.array(new, dtype=bool))])
    return merged if merged is not None else Panel.from_records([]), sources
