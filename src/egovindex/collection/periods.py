"""Periods: quarters ("2026Q4") and years ("2026"), with their submission deadlines."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from egovindex import registry


class PeriodError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int | None = None  # None for a year

    @classmethod
    def parse(cls, text: str) -> Period:
        m = re.fullmatch(r"\s*(\d{4})(?:\s*-?\s*Q([1-4]))?\s*", str(text).upper())
        if not m:
            raise PeriodError(f"{text!r} is not a period: write 2026Q4 for a quarter or 2026 for a year")
        return cls(int(m.group(1)), int(m.group(2)) if m.group(2) else None)

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

    def year_ago(self) -> Period:
        return Period(self.year - 1, self.quarter)
