"""Periods: quarters ("2026Q4") and years ("2026"), with their submission deadlines."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from egovindex import registry

FIRST_YEAR, LAST_YEAR = 1990, 2100  # statistics before 1990 or after 2100 are typing mistakes, not periods


class PeriodError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int | None = None  # None for a year

    @classmethod
    def parse(cls, text: str) -> Period:
        """A quarter ("2026Q4", "2026-q4") or a year ("2026") of FIRST_YEAR to LAST_YEAR; anything else is a
        PeriodError whose message is one line."""
        m = re.fullmatch(r"[ \t]*([0-9]{4})(?:[ \t]*-?[ \t]*Q([0-9]+))?[ \t]*", str(text).upper())
        if not m:
            raise PeriodError(f"{_shown(text)} is not a period: write 2026Q4 for a quarter or 2026 for a year")
        year = int(m.group(1))
        quarter = int(m.group(2)) if m.group(2) else None
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise PeriodError(f"{_shown(text)}: the year {year} is outside {FIRST_YEAR}-{LAST_YEAR}")
        if quarter is not None and not 1 <= quarter <= 4:
            raise PeriodError(f"{_shown(text)}: there is no quarter {quarter}; quarters are Q1 to Q4")
        return cls(year, quarter)

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)

    @property
    def cadence(self) -> str:
        return "quarterly" if self.quarter else "annual"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * (self.quarter - 1) + 1, 1) if self.quarter else dt.date(self.year, 1, 1)

    @property
    def end(self) -> dt.date:
        if not self.quarter:
            return dt.date(self.year, 12, 31)
        nxt = dt.date(self.year + (self.quarter == 4), 1 if self.quarter == 4 else 3 * self.quarter + 1, 1)
        return nxt - dt.timedelta(days=1)

    @property
    def deadline(self) -> dt.date:
        cal = registry.load().calendar
        days = cal["quarterly_due_days"] if self.quarter else cal["annual_due_days"]
        return self.end + dt.timedelta(days=days)

    def previous(self) -> Period:
        if not self.quarter:
            return Period(self.year - 1)
        return Period(self.year - (self.quarter == 1), 4 if self.quarter == 1 else self.quarter - 1)

    def next(self) -> Period:
        if not self.quarter:
            return Period(self.year + 1)
        return Period(self.year + (self.quarter == 4), 1 if self.quarter == 4 else self.quarter + 1)

    def year_ago(self) -> Period:
        return Period(self.year - 1, self.quarter)


def _shown(text: object) -> str:
    """The text as typed, quoted, cut short when long."""
    text = str(text)
    return repr(text) if len(text) <= 40 else repr(text[:40]) + "..."
