"""Sensitivity and uncertainty of the ranks (JRC/OECD handbook, as in COINr, but vectorised over draws).

Each draw takes: component weights from a Dirichlet distribution centred on the edition's weights
(``concentration`` x nominal weights); a normalisation of the components across countries (min-max, or z-score
shifted to start at 0); an aggregation (weighted arithmetic or geometric mean); and a relative error on every
published component value (normal, ``error`` standard deviation). With the nominal weights, min-max and the
arithmetic mean and no error, a draw reproduces the edition's recomputed EGDI ranks. Draws are processed in
chunks, so memory stays bounded whatever their number; the same seed gives the same output.

Sobol' indices of the chosen country's rank: scipy.stats.sobol_indices over six inputs, each uniform on [0, 1):
three for the weights (each mapped through the gamma quantile, then normalised: a Dirichlet draw), one for the
normalisation, one for the aggregation and one that selects a realisation of the data errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from egovindex.analysis.state import COMPONENTS, EditionState
from egovindex.engine.aggregate import geometric_mean, weighted_mean
from egovindex.engine.normalise import minmax, zscore
from egovindex.engine.rank import competition_rank

if TYPE_CHECKING:
    from egovindex.sources.undata import Edition

INPUTS = ("weight_osi", "weight_tii", "weight_hci", "normalisation", "aggregation", "data_error")
ERROR_BANK = 256


@dataclass(frozen=True)
class Settings:
    draws: int = 10_000
    seed: int = 0
    concentration: float = 50.0
    error: float = 0.02
    chunk: int = 2_000
    sobol_n: int = 1024
    geometric: bool = True  # draw the aggregation too (arithmetic or geometric); False: arithmetic only


@dataclass
class Sensitivity:
    year: int
    settings: Settings
    entities: tuple[str, ...]
    nominal: np.ndarray
    median: np.ndarray
    p05: np.ndarray
    p95: np.ndarray
    country: str | None = None
    sobol: dict[str, dict[str, float]] = field(default_factory=dict)

    def rows(self, names: dict[str, str] | None = None) -> list[dict[str, Any]]:
        names = names or {}
        out = [
            {
                "iso3": e,
                "country": names.get(e, e),
                "rank": int(self.nominal[i]),
                "median_rank": float(self.median[i]),
                "p05": float(self.p05[i]),
                "p95": float(self.p95[i]),
            }
            for i, e in enumerate(self.entities)
        ]
        return sorted(out, key=lambda r: (r["rank"], r["iso3"]))

    def to_dict(self) -> dict[str, Any]:
        return {
            "edition": self.year,
            "settings": self.settings.__dict__,
            "country": self.country,
            "sobol": self.sobol,
            "rows": self.rows(),
        }


def normalised_variants(comps: np.ndarray) -> np.ndarray:
    """The two normalisations of components (..., countries, 3): [min-max, z-score shifted to start at 0]."""
    by_component = np.swapaxes(comps, -1, -2)  # normalise across countries
    z = zscore(by_component)
    z = z - z.min(axis=-1, keepdims=True)
    return np.stack([np.swapaxes(minmax(by_component), -1, -2), np.swapaxes(z, -1, -2)])


def score_fixed(
    variants: np.ndarray, weights: np.ndarray, use_zscore: np.ndarray, use_geometric: np.ndarray | None
) -> np.ndarray:
    """Scores of draws that share one set of components (no data error): variants (2, countries, 3)."""
    arithmetic = np.where(use_zscore[:, None], weights @ variants[1].T, weights @ variants[0].T)
    if use_geometric is None:
        return arithmetic
    with np.errstate(divide="ignore"):
        logs = np.log(variants)
    geometric = np.exp(np.where(use_zscore[:, None], weights @ logs[1].T, weights @ logs[0].T))
    return np.where(use_geometric[:, None], geometric, arithmetic)


def score_draws(
    comps: np.ndarray, weights: np.ndarray, use_zscore: np.ndarray, use_geometric: np.ndarray
) -> np.ndarray:
    """EGDI-like scores of every draw: comps (draws, countries, 3), weights (draws, 3), choices (draws,)."""
    by_component = np.swapaxes(comps, -1, -2)  # (draws, 3, countries): normalise across countries
    z = zscore(by_component)
    z = z - z.min(axis=-1, keepdims=True)
    normalised = np.where(use_zscore[:, None, None], z, minmax(by_component))
    values = np.swapaxes(normalised, -1, -2)
    w = weights[:, None, :]
    arithmetic = weighted_mean(values, w)
    geometric = geometric_mean(values, w)
    return np.where(use_geometric[:, None], geometric, arithmetic)


def run(
    edition: Edition,
    settings: Settings,
    *,
    country: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Sensitivity:
    """Monte Carlo ranks of every country and, for ``country``, Sobol' indices of its rank."""
    state = EditionState.of(edition)
    rng = np.random.default_rng(settings.seed)
    alpha = settings.concentration * state.weights
    ranks = np.empty((settings.draws, len(state.entities)), dtype=np.float32)
    fixed = normalised_variants(state.components)
    done = 0
    while done < settings.draws:
        k = min(settings.chunk, settings.draws - done)
        weights = rng.dirichlet(alpha, size=k)
        use_z = rng.random(k) < 0.5
        use_geo = rng.random(k) < 0.5 if settings.geometric else None
        if settings.error > 0:
            errors = 1.0 + settings.error * rng.standard_normal((k, *state.components.shape))
            comps = np.clip(state.components[None] * errors, 0.0, None)
            geo = use_geo if use_geo is not None else np.zeros(k, dtype=bool)
            scores = score_draws(comps, weights, use_z, geo)
        else:
            scores = score_fixed(fixed, weights, use_z, use_geo)
        ranks[done : done + k] = competition_rank(scores)
        done += k
        if progress:
            progress(k)
    p05, median, p95 = np.percentile(ranks, [5, 50, 95], axis=0)
    result = Sensitivity(state.year, settings, state.entities, competition_rank(state.recomputed()), median, p05, p95)
    if country:
        result.country = country
        result.sobol = sobol(state, state.index(country), settings)
    return result


def sobol(state: EditionState, i: int, settings: Settings) -> dict[str, dict[str, float]]:
    """First-order and total Sobol' indices of the rank of country ``i``."""
    from scipy import stats
    from scipy.special import gammaincinv

    rng = np.random.default_rng(settings.seed + 1)
    bank = 1.0 + settings.error * rng.standard_normal((ERROR_BANK, *state.components.shape))
    alpha = settings.concentration * state.weights

    def func(x: np.ndarray) -> np.ndarray:
        gammas = gammaincinv(alpha[:, None], np.clip(x[:3], 1e-12, 1 - 1e-12))
        weights = (gammas / gammas.sum(axis=0)).T
        realisation = np.minimum((x[5] * ERROR_BANK).astype(int), ERROR_BANK - 1)
        comps = np.clip(state.components[None] * bank[realisation], 0.0, None)
        out = np.empty(x.shape[1])
        for start in range(0, x.shape[1], settings.chunk):
            part = slice(start, start + settings.chunk)
            scores = score_draws(comps[part], weights[part], x[3, part] < 0.5, x[4, part] < 0.5)
            out[part] = competition_rank(scores)[:, i]
        return out

    indices = stats.sobol_indices(
        func=func,
        n=settings.sobol_n,
        dists=[stats.uniform()] * len(INPUTS),
        rng=np.random.default_rng(settings.seed + 2),
    )
    return {
        name: {"first_order": float(indices.first_order[j]), "total": float(indices.total_order[j])}
        for j, name in enumerate(INPUTS)
    }


__all__ = ["COMPONENTS", "INPUTS", "Sensitivity", "Settings", "run", "score_draws", "score_fixed", "sobol"]
