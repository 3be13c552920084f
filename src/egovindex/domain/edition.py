"""An edition of the UN E-Government Survey as published: one row per country (rank, EGDI, components, region,
whether it was assessed), with the file it came from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter

import numpy as np

from egovindex.domain.provenance import SourceFile
from egovindex.engine import Panel

# Tolerance for "recomputed equals published", by the number of decimals of the published EGDI.
TOLERANCE_BY_DECIMALS = {5: 5e-5, 4: 7e-5}


@dataclass(frozen=True)
class EditionRow:
    """One country in one edition, as published. ``row`` is the line in the source file."""

    row: int
    country_name: str
    iso3: str
    rank: int | None
    egdi: float | None
    osi: float | None
    tii: float | None
    hci: float | None
    epi: float | None
    region: str | None
    assessed: bool
    reason: str | None


@dataclass(frozen=True)
class Edition:
    """One edition of the Survey as published in one file."""

    year: int
    rows: tuple[EditionRow, ...]
    source: SourceFile
    decimals: int

    @property
    def tolerance(self) -> float:
        return TOLERANCE_BY_DECIMALS.get(self.decimals, 10.0**-self.decimals)

    def assessed(self) -> list[EditionRow]:
        return [r for r in self.rows if r.assessed]

    def panel(self) -> Panel:
        """Published components (and EGDI as ``egdi_published``) of the assessed countries."""
        codes = ("osi", "tii", "hci", "epi", "egdi")
        rows = self.assessed()
        values = np.array([[getattr(r, c) for c in codes] for r in rows], dtype=float)
        present = ~np.isnan(values)
        iso3 = np.array([r.iso3 for r in rows], dtype=object)
        names = np.array(["osi", "tii", "hci", "epi", "egdi_published"], dtype=object)
        return Panel.from_columns(
            entity=np.repeat(iso3, len(codes)).reshape(-1, len(codes))[present],
            indicator=np.tile(names, (len(rows), 1))[present],
            time=np.full(int(present.sum()), str(self.year), dtype=object),
            value=values[present],
        )

    def components(self, codes: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """The assessed countries and an (countries x codes) array of their published values."""
        rows = self.assessed()
        get = attrgetter(*codes) if len(codes) > 1 else (lambda r: (getattr(r, codes[0]),))
        values = np.array([get(r) for r in rows], dtype=float).reshape(len(rows), len(codes))
        return [r.iso3 for r in rows], values

    def row(self, iso3: str) -> EditionRow:
        for r in self.rows:
            if r.iso3 == iso3:
                return r
        raise KeyError(f"{iso3} is not in the {self.year} edition")
