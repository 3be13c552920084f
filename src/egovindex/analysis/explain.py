"""Why a country's rank changed between two editions: an exact additive split (Shapley values).

The rank is a function of factors that each take their value from the earlier or the later edition: the
country's own OSI, TII and HCI; the other countries (who is assessed and their EGDI); and, where the two
editions weigh the components differently, the method (the EGDI weights). The Shapley value of a factor is its
marginal effect on the rank averaged over every order of switching the factors from the earlier edition to the
later one; the values add up exactly to the change of the recomputed rank (efficiency). Where the published rank
differs from the recomputed one (countries tied at the published precision, anomalous rows), the difference is
its own part, ``published_ties``, so the parts add up exactly to the published change.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from egovindex.analysis.state import COMPONENTS, AnalysisError, EditionState

if TYPE_CHECKING:
    from egovindex.domain import Edition


@dataclass
class Explanation:
    country: str
    year_from: int
    year_to: int
    rank_from: int
    rank_to: int
    parts: dict[str, Fraction]
    overtaken_by: list[str] = field(default_factory=list)
    overtook: list[str] = field(default_factory=list)
    entered: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "country": self.country,
            "from": self.year_from,
            "to": self.year_to,
            "rank_from": self.rank_from,
            "rank_to": self.rank_to,
            "parts": {k: float(v) for k, v in self.parts.items()},
            "parts_exact": {k: str(v) for k, v in self.parts.items()},
            "overtaken_by": self.overtaken_by,
            "overtook": self.overtook,
            "entered_above": self.entered,
            "left_from_above": self.left,
        }


def explain(earlier: Edition, later: Edition, country: str) -> Explanation:
    """Split ``rank_to - rank_from`` of ``country`` into the parts of each factor."""
    a, b = EditionState.of(earlier), EditionState.of(later)
    if a.year >= b.year:
        raise AnalysisError(f"--from {a.year} must come before --to {b.year}")
    ia, ib = a.index(country), b.index(country)
    own = {"a": a.components[ia], "b": b.components[ib]}
    others = {"a": _others(a, ia), "b": _others(b, ib)}
    weights = {"a": a.weights, "b": b.weights}
    factors = [f"own_{c}" for c in COMPONENTS] + ["others"]
    if not np.allclose(a.weights, b.weights):
        factors.append("method")

    def rank(switched: frozenset[str]) -> int:
        w = weights["b" if "method" in switched else "a"]
        mine = np.array([own["b" if f"own_{c}" in switched else "a"][j] for j, c in enumerate(COMPONENTS)]) @ w
        comps = others["b" if "others" in switched else "a"][1]
        return 1 + int(np.sum(np.round(comps @ w, 12) > np.round(mine, 12)))

    values = {s: rank(frozenset(s)) for r in range(len(factors) + 1) for s in itertools.combinations(factors, r)}
    n = len(factors)
    parts: dict[str, Fraction] = {}
    for f in factors:
        total = Fraction(0)
        rest = [g for g in factors if g != f]
        for r in range(n):
            for subset in itertools.combinations(rest, r):
                weight = Fraction(math.factorial(r) * math.factorial(n - r - 1), math.factorial(n))
                with_f = tuple(g for g in factors if g in subset or g == f)
                total += weight * (values[with_f] - values[tuple(g for g in factors if g in subset)])
        parts[f] = total
    rank_from, rank_to = int(a.rank[ia]), int(b.rank[ib])
    recomputed = values[tuple(factors)] - values[()]
    parts["published_ties"] = Fraction(rank_to - rank_from - recomputed)
    out = Explanation(country, a.year, b.year, rank_from, rank_to, parts)
    _movers(out, a, b, ia, ib)
    return out


def _others(state: EditionState, i: int) -> tuple[list[str], np.ndarray]:
    keep = [j for j in range(len(state.entities)) if j != i]
    return [state.entities[j] for j in keep], state.components[keep]


def _movers(out: Explanation, a: EditionState, b: EditionState, ia: int, ib: int) -> None:
    """Countries that overtook the country, that it overtook, and those that entered or left above it."""
    ea, eb = a.recomputed(), b.recomputed()
    above_a = {e for j, e in enumerate(a.entities) if j != ia and ea[j] > ea[ia]}
    above_b = {e for j, e in enumerate(b.entities) if j != ib and eb[j] > eb[ib]}
    in_a, in_b = set(a.entities), set(b.entities)
    out.overtaken_by = sorted((above_b - above_a) & in_a)
    out.overtook = sorted((above_a - above_b) & in_b)
    out.entered = sorted(above_b - in_a)
    out.left = sorted(above_a - in_b)
