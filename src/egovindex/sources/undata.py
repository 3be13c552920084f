"""UN Data Center exports of the E-Government Survey (any edition, CSV or XLSX) -> Editions.

Handles the header variants seen in public copies (the Data Center's own, renamed columns, the UNU-EGOV layout),
trailing spaces in country names, 4 or 5 decimals, files with several survey years, and placeholder rows
(EGDI = 0: not yet a Member State, not online, no data), which are kept as "not assessed", never as scores.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from egovindex.domain import Edition, EditionRow, SourceFile
from egovindex.sources.countries import UnknownCountryError, to_iso3
from egovindex.sources.files import InputError, Problem, media_type, rows_of

COMPONENTS = ("egdi", "osi", "tii", "hci", "epi")

HEADER_ALIASES = {
    "survey year": "survey_year",
    "survey_year": "survey_year",
    "year": "survey_year",
    "country name": "country_name",
    "country": "country_name",
    "country_name": "country_name",
    "country-name": "country_name",
    "country-code": "iso3",
    "iso3": "iso3",
    "country code": "iso3",
    "e-government rank": "egdi_rank",
    "rank": "egdi_rank",
    "egdi_rank": "egdi_rank",
    "e-gov-rank": "egdi_rank",
    "egdi rank": "egdi_rank",
    "e-government index": "egdi",
    "e_index": "egdi",
    "egdi": "egdi",
    "e-gov-index": "egdi",
    "e-government development index": "egdi",
    "e-participation index": "epi",
    "e_participation": "epi",
    "epi": "epi",
    "e-pat-index": "epi",
    "online service index": "osi",
    "online_service": "osi",
    "osi": "osi",
    "human capital index": "hci",
    "human_capital": "hci",
    "hci": "hci",
    "telecommunication infrastructure index": "tii",
    "tele_infra": "tii",
    "tii": "tii",
    "region": "region",
}
REQUIRED = ("egdi", "osi", "tii", "hci")


def canonical_header(name: str) -> str | None:
    key = re.sub(r"\s+", " ", name.replace("\ufeff", "").strip().lower())
    return HEADER_ALIASES.get(key) or HEADER_ALIASES.get(key.replace("_", " "))


def year_from_name(name: str) -> int | None:
    found = re.findall(r"(?<!\d)(20\d\d)(?!\d)", Path(name.split("?")[0]).name)
    return int(found[-1]) if found else None


def read_undata(path: str | Path, *, edition: int | None = None) -> list[Edition]:
    """Read a UN Data Center export from a local file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(str(path), None, None, f"cannot read: {exc.strerror}")]) from None
    return parse_undata(str(path), data, edition=edition)


def parse_undata(name: str, data: bytes, *, edition: int | None = None) -> list[Edition]:
    """Parse an export's bytes; ``name`` is its path or URL (for messages and provenance)."""
    try:
        source = SourceFile.of_bytes(name, data, media_type=media_type(name), producer="UN DESA E-Government Survey")
    except ValueError as exc:
        raise InputError([Problem(name, None, None, str(exc))]) from None
    rows = [r for r in rows_of(name, data) if any(c.strip() for c in r)]
    if not rows:
        raise InputError([Problem(name, None, None, "the file is empty")])
    columns = _columns(name, rows[0])
    year_default = edition or year_from_name(name)
    problems: list[Problem] = []
    if "survey_year" not in columns and year_default is None:
        problems.append(Problem(name, 1, "Survey Year", "no survey-year column and no year in the file name"))
    parsed: dict[int, list[tuple[EditionRow, dict[str, str]]]] = {}
    for line, cells in enumerate(rows[1:], start=2):
        got = _parse_row(name, line, cells, rows[0], columns, year_default, problems)
        if got is not None:
            parsed.setdefault(got[0], []).append((got[1], got[2]))
    _check_duplicates(name, parsed, problems)
    if problems:
        raise InputError(problems)
    return [
        Edition(year=year, rows=tuple(r for r, _ in items), source=source, decimals=_decimals(items))
        for year, items in sorted(parsed.items())
    ]


def _columns(name: str, header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for i, cell in enumerate(header):
        canon = canonical_header(cell)
        if canon and canon not in columns:
            columns[canon] = i
    missing = [c for c in REQUIRED if c not in columns]
    if "country_name" not in columns and "iso3" not in columns:
        missing.insert(0, "country_name")
    if missing:
        raise InputError(
            [
                Problem(name, 1, c, f"missing column {c!r} (header: {', '.join(h.strip() for h in header)})")
                for c in missing
            ]
        )
    return columns


def _number(text: str) -> float:
    """A decimal number; a lone decimal comma ("0,7709") is accepted."""
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


def _parse_row(
    name: str,
    line: int,
    cells: list[str],
    header: list[str],
    columns: dict[str, int],
    year_default: int | None,
    problems: list[Problem],
) -> tuple[int, EditionRow, dict[str, str]] | None:
    def cell(key: str) -> str:
        i = columns.get(key)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    before = len(problems)
    values: dict[str, float | None] = {}
    texts: dict[str, str] = {}
    for key in COMPONENTS:
        text = cell(key)
        texts[key] = text
        if key not in columns or text == "":
            values[key] = None
            continue
        try:
            values[key] = _number(text)
        except ValueError:
            problems.append(Problem(name, line, header[columns[key]].strip(), f"{text!r} is not a number"))
    rank_text = cell("egdi_rank")
    rank = None
    if rank_text:
        try:
            rank = int(float(rank_text))
        except ValueError:
            problems.append(Problem(name, line, header[columns["egdi_rank"]].strip(), f"{rank_text!r} is not a rank"))
    year = year_default
    if "survey_year" in columns:
        try:
            year = int(float(cell("survey_year")))
        except ValueError:
            col = header[columns["survey_year"]].strip()
            problems.append(Problem(name, line, col, f"{cell('survey_year')!r} is not a year"))
    country = cell("country_name")
    iso3 = cell("iso3").upper()
    if not iso3:
        try:
            iso3 = to_iso3(country)
        except UnknownCountryError as exc:
            problems.append(Problem(name, line, header[columns["country_name"]].strip(), str(exc)))
    if len(problems) > before or year is None:
        return None
    for key in REQUIRED:
        if values[key] is None:
            values[key] = 0.0
    assessed, reason = _status(values, rank)
    row = EditionRow(
        row=line,
        country_name=country or iso3,
        iso3=iso3,
        rank=rank,
        egdi=values["egdi"],
        osi=values["osi"],
        tii=values["tii"],
        hci=values["hci"],
        epi=values["epi"],
        region=cell("region") or None,
        assessed=assessed,
        reason=reason,
    )
    return year, row, texts


def _status(values: dict[str, float | None], rank: int | None) -> tuple[bool, str | None]:
    """Placeholder rows (EGDI = 0) are not assessed; say why as well as the file lets us tell."""
    if values["egdi"] not in (0.0, None):
        return True, None
    if rank is None and all(not values[k] for k in REQUIRED):
        return False, "not a Member State at the time of the survey"
    reasons = [
        text
        for key, text in (
            ("osi", "not online: no national portal found"),
            ("hci", "no human-capital data"),
            ("tii", "no telecommunication-infrastructure data"),
        )
        if values[key] == 0.0
    ]
    return False, "; ".join(reasons) or "no data"


def _check_duplicates(
    name: str, parsed: dict[int, list[tuple[EditionRow, dict[str, str]]]], problems: list[Problem]
) -> None:
    for year, items in parsed.items():
        seen: dict[str, int] = {}
        for row, _ in items:
            if row.iso3 in seen:
                problems.append(
                    Problem(
                        name,
                        row.row,
                        "country",
                        f"{row.country_name!r} ({row.iso3}) appears again in {year}; first at row {seen[row.iso3]}",
                    )
                )
            else:
                seen[row.iso3] = row.row


def _decimals(items: Iterable[tuple[EditionRow, dict[str, str]]]) -> int:
    """Effective decimals of the published EGDI: trailing zeros padded by the export do not count."""
    best = 0
    for _, texts in items:
        text = texts.get("egdi", "")
        if "." in text and "e" not in text.lower():
            best = max(best, len(text.split(".")[1].rstrip("0")))
    return min(best, 5) if best else 5
