"""The Panel: a long table of observations (entity, indicator, period, value).

Columns are numpy arrays; pandas is used only by ``to_pandas``. Periods are strings ("2024", "2026Q4").
An (entity, indicator, period) key appears at most once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd


def _strings(values: Iterable[Any]) -> np.ndarray:
    return np.array([str(v) for v in values], dtype=object)


@dataclass(frozen=True, eq=False)
class Panel:
    """Observations in long form. Build with ``Panel.from_records`` or ``Panel.from_wide``."""

    entity: np.ndarray
    indicator: np.ndarray
    period: np.ndarray
    value: np.ndarray
    source: np.ndarray | None = None
    _index: dict[tuple[str, str, str], int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        n = len(self.value)
        if not (len(self.entity) == len(self.indicator) == len(self.period) == n):
            raise ValueError("panel columns differ in length")
        index = self._index
        for i, key in enumerate(zip(self.entity, self.indicator, self.period, strict=True)):
            if key in index:
                raise ValueError(
                    f"duplicate observation for entity {key[0]!r}, indicator {key[1]!r}, period {key[2]!r}"
                )
            index[key] = i

    # ------------------------------------------------------------------------------------- constructors
    @classmethod
    def from_records(cls, records: Iterable[Sequence[Any]]) -> Panel:
        """From (entity, indicator, period, value[, source]) tuples."""
        rows = list(records)
        src = [r[4] if len(r) > 4 else None for r in rows]
        return cls(
            entity=_strings(r[0] for r in rows),
            indicator=_strings(r[1] for r in rows),
            period=_strings(r[2] for r in rows),
            value=np.array([np.nan if r[3] is None else float(r[3]) for r in rows], dtype=float),
            source=np.array(src, dtype=object) if any(s is not None for s in src) else None,
        )

    @classmethod
    def from_wide(cls, table: Mapping[str, Mapping[str, float | None]], period: str | int) -> Panel:
        """From ``{entity: {indicator: value}}`` for one period; None values are left out."""
        return cls.from_records((e, i, period, v) for e, row in table.items() for i, v in row.items() if v is not None)

    @classmethod
    def concat(cls, panels: Iterable[Panel]) -> Panel:
        parts = list(panels)
        if not parts:
            return cls.from_records([])
        sources = [p.source if p.source is not None else np.full(len(p), None, dtype=object) for p in parts]
        return cls(
            entity=np.concatenate([p.entity for p in parts]),
            indicator=np.concatenate([p.indicator for p in parts]),
            period=np.concatenate([p.period for p in parts]),
            value=np.concatenate([p.value for p in parts]),
            source=np.concatenate(sources),
        )

    # ------------------------------------------------------------------------------------- queries
    def __len__(self) -> int:
        return len(self.value)

    def get(self, entity: str, indicator: str, period: str | int) -> float | None:
        i = self._index.get((entity, indicator, str(period)))
        return None if i is None else float(self.value[i])

    def entities(self) -> list[str]:
        return sorted(set(self.entity.tolist()))

    def indicators(self) -> list[str]:
        return sorted(set(self.indicator.tolist()))

    def periods(self) -> list[str]:
        return sorted(set(self.period.tolist()))

    def select(
        self,
        *,
        entities: Iterable[str] | None = None,
        indicators: Iterable[str] | None = None,
        periods: Iterable[str | int] | None = None,
    ) -> Panel:
        mask = np.ones(len(self), dtype=bool)
        if entities is not None:
            mask &= np.isin(self.entity, list(entities))
        if indicators is not None:
            mask &= np.isin(self.indicator, list(indicators))
        if periods is not None:
            mask &= np.isin(self.period, [str(p) for p in periods])
        return self._take(mask)

    def _take(self, mask: np.ndarray) -> Panel:
        return Panel(
            entity=self.entity[mask],
            indicator=self.indicator[mask],
            period=self.period[mask],
            value=self.value[mask],
            source=None if self.source is None else self.source[mask],
        )

    def matrix(
        self, period: str | int, indicators: Sequence[str], entities: Sequence[str] | None = None
    ) -> tuple[tuple[str, ...], np.ndarray]:
        """Values for one period as an (entities x indicators) array; absent observations are NaN.

        Without ``entities``, every entity with at least one of the indicators in that period, sorted.
        """
        period = str(period)
        col = {code: j for j, code in enumerate(indicators)}
        mask = (self.period == period) & np.isin(self.indicator, list(indicators))
        ents = self.entity[mask]
        if entities is None:
            entities = sorted(set(ents.tolist()))
        row = {e: i for i, e in enumerate(entities)}
        out = np.full((len(entities), len(indicators)), np.nan)
        for e, ind, v in zip(ents, self.indicator[mask], self.value[mask], strict=True):
            i = row.get(e)
            if i is not None:
                out[i, col[ind]] = v
        return tuple(entities), out

    def latest(self, period: int, *, lookback: int, indicators: Iterable[str] | None = None) -> Panel:
        """For yearly periods: each (entity, indicator)'s latest value in [period - lookback, period].

        The result has ``period`` as its period and the year actually used as its ``source`` ("year=2015").
        Used to fill the survey year from the series' most recent observations, as the UN Survey does.
        """
        years = np.array([int(p) if p.isdigit() else -1 for p in self.period])
        mask = (years <= period) & (years >= period - lookback) & ~np.isnan(self.value)
        if indicators is not None:
            mask &= np.isin(self.indicator, list(indicators))
        best: dict[tuple[str, str], tuple[int, float]] = {}
        for e, ind, y, v in zip(self.entity[mask], self.indicator[mask], years[mask], self.value[mask], strict=True):
            key = (e, ind)
            if key not in best or y > best[key][0]:
                best[key] = (int(y), float(v))
        return Panel.from_records((e, ind, period, v, f"year={y}") for (e, ind), (y, v) in sorted(best.items()))

    def with_values(self, changes: Iterable[Sequence[Any]]) -> Panel:
        """A new panel with (entity, indicator, period, value) observations set (added or replaced)."""
        changed = {(str(c[0]), str(c[1]), str(c[2])): float(c[3]) for c in changes}
        keep = np.array([k not in changed for k in self._index], dtype=bool)
        kept = self._take(keep)
        return Panel.concat([kept, Panel.from_records((*k, v) for k, v in changed.items())])

    def digest(self) -> str:
        """SHA-256 of the sorted observations: equal panels have equal digests whatever the row order."""
        lines = sorted(
            f"{e}\t{i}\t{p}\t{v!r}"
            for e, i, p, v in zip(self.entity, self.indicator, self.period, self.value.tolist(), strict=True)
        )
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()

    def to_pandas(self) -> pd.DataFrame:
        import pandas as pd

        data = {"entity": self.entity, "indicator": self.indicator, "period": self.period, "value": self.value}
        if self.source is not None:
            data["source"] = self.source
        return pd.DataFrame(data)
