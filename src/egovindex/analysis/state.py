"""An edition as arrays: the assessed countries, their published components, EGDI and ranks, the weights."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from egovindex import methodologies
from egovindex.domain import Edition
from egovindex.engine.rank import classify, competition_rank
from egovindex.sources.countries import region_members

COMPONENTS = ("osi", "tii", "hci")


class AnalysisError(ValueError):
    """Bad input to an analysis (unknown country, component, edition, infeasible target...)."""


@dataclass(frozen=True, eq=False)
class EditionState:
    year: int
    entities: tuple[str, ...]
    names: tuple[str, ...]
    components: np.ndarray  # (countries, 3): osi, tii, hci as published
    egdi: np.ndarray  # published
    rank: np.ndarray  # published
    weights: np.ndarray  # (3,)

    @classmethod
    def of(cls, edition: Edition) -> EditionState:
        rows = edition.assessed()
        framework = methodologies.egdi(edition.year)
        return cls(
            year=edition.year,
            entities=tuple(r.iso3 for r in rows),
            names=tuple(r.country_name for r in rows),
            components=np.array([[r.osi, r.tii, r.hci] for r in rows], dtype=float),
            egdi=np.array([r.egdi for r in rows], dtype=float),
            rank=np.array([r.rank for r in rows], dtype=float),
            weights=np.array(framework.index.child_weights()),
        )

    @cached_property
    def position(self) -> dict[str, int]:
        return {e: i for i, e in enumerate(self.entities)}

    def index(self, iso3: str) -> int:
        try:
            return self.position[iso3]
        except KeyError:
            raise AnalysisError(f"{iso3} is not assessed in the {self.year} edition") from None

    def recomputed(self, components: np.ndarray | None = None) -> np.ndarray:
        """EGDI from components with the edition's weights (the edition's own method)."""
        c = self.components if components is None else components
        return c @ self.weights

    def members(self, region: str | None) -> np.ndarray:
        """Boolean mask of the countries in a region (``asean`` or an M49 code) at the edition's date."""
        if not region:
            return np.zeros(len(self.entities), dtype=bool)
        try:
            inside = set(region_members(region, at=self.year))
        except KeyError as exc:
            raise AnalysisError(str(exc.args[0])) from None
        return np.array([e in inside for e in self.entities])

    def groups(self, egdi: np.ndarray) -> list[str | None]:
        bands = methodologies.egdi(self.year).groups
        return classify(egdi, [b.min for b in bands], [b.name for b in bands])


def component_index(name: str) -> int:
    try:
        return COMPONENTS.index(name)
    except ValueError:
        raise AnalysisError(f"unknown component {name!r}; components: {', '.join(COMPONENTS)}") from None


def rerank(published_rank: np.ndarray, published: np.ndarray, changed: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Ranks after some countries' EGDI changed, keeping the published order among the unchanged ones.

    An unchanged country keeps its place relative to the other unchanged countries (the UN ranked unrounded
    values, which the published data no longer hold); a changed country is placed by value. With nothing changed
    the published ranks come back exactly.
    """
    if not changed.any():
        return published_rank.copy()
    key = np.round(np.where(changed, new, published), 12)
    same = ~changed
    moved = np.sort(key[changed])
    same_ranks = np.sort(published_rank[same])
    same_keys = np.sort(key[same])
    better_moved = len(moved) - np.searchsorted(moved, key, side="right")
    better_same = np.where(
        same,
        np.searchsorted(same_ranks, published_rank, side="left"),
        len(same_keys) - np.searchsorted(same_keys, key, side="right"),
    )
    return (1 + better_same + better_moved).astype(float)


def region_rank(rank: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Ranks within the members (NaN outside), ordered by the world ranks."""
    values = np.where(members, -rank, np.nan)
    return competition_rank(values)
