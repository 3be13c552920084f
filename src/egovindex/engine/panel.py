"""The Panel: a long table of observations (entity, indicator, time, value).

Columns are numpy arrays; pandas is used only by ``to_pandas``. Periods are strings ("2024", "2026Q4").
An (entity, indicator, time) key appears at most once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd


def _strings(values: Iterable[Any]) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype == object:
        return values
    return np.array([v if isinstance(v, str) else str(v) for v in values], dtype=object)


@dataclass(frozen=True, eq=False)
class Panel:
    """Observations in long form. Build with ``Panel.from_records`` or ``Panel.from_wide``."""

    entity: np.ndarray
    indicator: np.ndarray
    time: np.ndarray
    value: np.ndarray
    source: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.value)
        if not (len(self.entity) == len(self.indicator) == len(self.time) == n):
            raise ValueError("panel columns differ in length")
        keys = list(zip(self.entity.tolist(), self.indicator.tolist(), self.time.tolist(), strict=True))
        if len(set(keys)) != n:
            seen: set[tuple[str, str, str]] = set()
            for key in keys:
                if key in seen:
                    raise ValueError(
                        f"duplicate observation for entity {key[0]!r}, indicator {key[1]!r}, time {key[2]!r}"
                    )
                seen.add(key)

    @cached_property
    def _index(self) -> dict[tuple[str, str, str], int]:
        keys = zip(self.entity.tolist(), self.indicator.tolist(), self.time.tolist(), strict=True)
        return {key: i for i, key in enumerate(keys)}

    # ------------------------------------------------------------------------------------- constructors
    @classmethod
    def from_records(cls, records: Iterable[Sequence[Any]]) -> Panel:
        """From (entity, indicator, time, value[, source]) tuples."""
        rows = list(records)
        src = [r[4] if len(r) > 4 else None for r in rows]
        return cls(
            entity=_strings(r[0] for r in rows),
            indicator=_strings(r[1] for r in rows),
            time=_strings(r[2] for r in rows),
            value=np.array([np.nan if r[3] is None else float(r[3]) for r in rows], dtype=float),
            source=np.array(src, dtype=object) if any(s is not None for s in src) else None,
        )

    @classmethod
    def from_columns(
        cls, entity: Sequence[str], indicator: Sequence[str], time: Sequence[str | int], value: Sequence[float]
    ) -> Panel:
        """From equal-length columns (lists or arrays)."""
        return cls(
            entity=_strings(np.asarray(entity, dtype=object)),
            indicator=_strings(np.asarray(indicator, dtype=object)),
            time=_strings(np.asarray(time, dtype=object)),
            value=np.asarray(value, dtype=float),
        )

    @classmethod
    def from_wide(cls, table: Mapping[str, Mapping[str, float | None]], time: str | int) -> Panel:
        """From ``{entity: {indicator: value}}`` for one time; None values are left out."""
        return cls.from_records((e, i, time, v) for e, row in table.items() for i, v in row.items() if v is not None)

    @classmethod
    def concat(cls, panels: Iterable[Panel]) -> Panel:
        parts = list(panels)
        if not parts:
            return cls.from_records([])
        sources = [p.source if p.source is not None else np.full(len(p), None, dtype=object) for p in parts]
        return cls(
            entity=np.concatenate([p.entity for p in parts]),
            indicator=np.concatenate([p.indicator for p in parts]),
            time=np.concatenate([p.time for p in parts]),
            value=np.concatenate([p.value for p in parts]),
            source=np.concatenate(sources),
        )

    # ------------------------------------------------------------------------------------- queries
    def __len__(self) -> int:
        return len(self.value)

    def get(self, entity: str, indicator: str, time: str | int) -> float | None:
        i = self._index.get((entity, indicator, str(time)))
        return None if i is None else float(self.value[i])

    def entities(self) -> list[str]:
        return sorted(set(self.entity.tolist()))

    def indicators(self) -> list[str]:
        return sorted(set(self.indicator.tolist()))

    def times(self) -> list[str]:
        return sorted(set(self.time.tolist()))

    def select(
        self,
        *,
        entities: Iterable[str] | None = None,
        indicators: Iterable[str] | None = None,
        times: Iterable[str | int] | None = None,
    ) -> Panel:
        mask = np.ones(len(self), dtype=bool)
        if entities is not None:
            mask &= np.isin(self.entity, list(entities))
        if indicators is not None:
            mask &= np.isin(self.indicator, list(indicators))
        if times is not None:
            mask &= np.isin(self.time, [str(p) for p in times])
        return self._take(mask)

    def _take(self, mask: np.ndarray) -> Panel:
        return Panel(
            entity=self.entity[mask],
            indicator=self.indicator[mask],
            time=self.time[mask],
            value=self.value[mask],
            source=None if self.source is None else self.source[mask],
        )

    def matrix(
        self, time: str | int, indicators: Sequence[str], entities: Sequence[str] | None = None
    ) -> tuple[tuple[str, ...], np.ndarray]:
        """Values for one time as an (entities x indicators) array; absent observations are NaN.

        Without ``entities``, every entity with at least one of the indicators in that time, sorted.
        """
        time = str(time)
        mask = (self.time == time) & np.isin(self.indicator, list(indicators))
        ents = self.entity[mask]
        if entities is None:
            entities = sorted(set(ents.tolist()))
        out = np.full((len(entities), len(indicators)), np.nan)
        if len(entities) and mask.any():
            rows = _positions(list(entities), ents)
            cols = _positions(list(indicators), self.indicator[mask])
            found = rows >= 0
            out[rows[found], cols[found]] = self.value[mask][found]
        return tuple(entities), out

    def latest(self, time: int, *, lookback: int, indicators: Iterable[str] | None = None) -> Panel:
        """For yearly times: each (entity, indicator)'s latest value in [time - lookback, time].

        The result has ``time`` as its time and the year actually used as its ``source`` ("year=2015").
        Used to fill the survey year from the series' most recent observations, as the UN Survey does.
        """
        years = np.array([int(p) if p.isdigit() else -1 for p in self.time])
        mask = (years <= time) & (years >= time - lookback) & ~np.isnan(self.value)
        if indicators is not None:
            mask &= np.isin(self.indicator, list(indicators))
        best: dict[tuple[str, str], tuple[int, float]] = {}
        for e, ind, y, v in zip(self.entity[mask], self.indicator[mask], years[mask], self.value[mask], strict=True):
            key = (e, ind)
            if key not in best or y > best[key][0]:
                best[key] = (int(y), float(v))
        return Panel.from_records((e, ind, time, v, f"year={y}") for (e, ind), (y, v) in sorted(best.items()))

    def with_values(self, changes: Iterable[Sequence[Any]]) -> Panel:
        """A new panel with (entity, indicator, time, value) observations set (added or replaced)."""
        changed = {(str(c[0]), str(c[1]), str(c[2])): float(c[3]) for c in changes}
        keep = np.array([k not in changed for k in self._index], dtype=bool)
        kept = self._take(keep)
        return Panel.concat([kept, Panel.from_records((*k, v) for k, v in changed.items())])

    def digest(self) -> str:
        """SHA-256 of the sorted observations: equal panels have equal digests whatever the row order."""
        order = np.lexsort((self.time.astype(str), self.indicator.astype(str), self.entity.astype(str)))
        keys = "\n".join(
            "\t".join(k) for k in zip(self.entity[order], self.indicator[order], self.time[order], strict=True)
        )
        digest = hashlib.sha256(keys.encode())
        digest.update(np.ascontiguousarray(self.value[order], dtype="<f8").tobytes())
        return digest.hexdigest()

    def to_pandas(self) -> pd.DataFrame:
        import pandas as pd

        data = {"entity": self.entity, "indicator": self.indicator, "time": self.time, "value": self.value}
        if self.source is not None:
            data["source"] = self.source
        return pd.DataFrame(data)


def _positions(universe: list[str], items: np.ndarray) -> np.ndarray:
    """Index of each item in ``universe`` (-1 where absent), vectorised."""
    ref = np.asarray(universe, dtype=str)
    order = np.argsort(ref)
    keys = items.astype(str)
    pos = np.searchsorted(ref[order], keys)
    pos = np.clip(pos, 0, len(ref) - 1)
    hit = ref[order][pos] == keys
    return np.where(hit, order[pos], -1)
