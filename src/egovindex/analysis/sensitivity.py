"""Sensitivity and uncertainty of the ranks (JRC/OECD handbook, as in COINr, but vectorised over draws).

Each draw takes: component weights from a Dirichlet distribution centred on the edition's weights
(``concentration`` x nominal weights); a normalisation of the components across countries (min-max, or z-score
shifted to start at 0); an aggregation (weighted arithmetic or geometric mean); and a relative error on every
published component value (normal, ``error`` standard deviation). With the nominal weights, min-max and the
arithmetic mean and no error, a draw reproduces the edition's recomputed EGDI ranks. Draws are processed in
chunks, and each chunk's ranks are tallied (how often each country got each rank) rather than kept, so memory stays
bounded whatever their number; the percentiles are read from the tallies. The same seed gives the same output.

Within a chunk, draws are grouped by method, so that each draw is normalised and aggregated only the way it uses, and
laid out (countries, components, draws), so that the statistics across countries run over long contiguous rows.
Neither changes a single operation on a value: the scores are those of the straightforward computation, bit for bit.

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
from egovindex.engine.rank import competition_rank, rank_counts

if TYPE_CHECKING:
    from egovindex.domain import Edition

INPUTS = ("weight_osi", "weight_tii", "weight_hci", "normalisation", "aggregation", "data_error")
ERROR_BANK = 256


@dataclass(frozen=True)
class DrawOptions:
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
    settings: DrawOptions
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
    order, bounds = _groups(use_zscore, use_geometric)
    values = _by_country(np.asarray(comps, dtype=float), order)
    scores = np.empty((values.shape[2], values.shape[0]))
    scores[order] = _score_grouped(values, np.asarray(weights, dtype=float)[order].T, bounds)
    return scores


def _groups(use_zscore: np.ndarray, use_geometric: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The draws in the order min-max arithmetic, min-max geometric, z-score arithmetic, z-score geometric, and the
    five bounds of these groups."""
    method = 2 * np.asarray(use_zscore, dtype=np.intp) + np.asarray(use_geometric, dtype=np.intp)
    order = np.argsort(method, kind="stable")
    return order, np.concatenate([[0], np.cumsum(np.bincount(method, minlength=4))])


def _by_country(draws: np.ndarray, order: np.ndarray, block: int = 32) -> np.ndarray:
    """``draws`` (draws, countries, 3) in the draws' ``order``, laid out (countries, 3, draws) in memory: a copy
    by blocks of 32 (country, component) columns, which keeps the transposition in cache."""
    k = draws.shape[0]
    flat = draws.reshape(k, -1)
    out = np.empty((flat.shape[1], k))
    for start in range(0, flat.shape[1], block):
        out[start : start + block] = flat[order, start : start + block].T
    return out.reshape(*draws.shape[1:], k)


def _score_grouped(values: np.ndarray, weights: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Scores (draws, countries) of draws grouped as ``_groups`` orders them: values (countries, 3, draws),
    weights (3, draws). Each group is normalised across countries (axis 0) and aggregated over the components
    (axis 1) by its own method only."""
    scores = np.empty((values.shape[2], values.shape[0]))
    for z in (0, 1):
        lo, hi = bounds[2 * z], bounds[2 * z + 2]
        if lo == hi:
            continue
        if z:
            normalised = zscore(values[:, :, lo:hi], axis=0)
            normalised -= normalised.min(axis=0, keepdims=True)  # shifted to start at 0
        else:
            normalised = minmax(values[:, :, lo:hi], axis=0)
        for g, aggregate in enumerate((weighted_mean, geometric_mean)):
            start, stop = bounds[2 * z + g], bounds[2 * z + g + 1]
            if start < stop:
                part = normalised[:, :, start - lo : stop - lo]
                scores[start:stop] = aggregate(part, weights[None, :, start:stop], axis=1).T
    return scores


def _percentiles(counts: np.ndarray, q: list[int]) -> np.ndarray:
    """``np.percentile(ranks, q, axis=0)`` of the tallied ranks (the default linear interpolation, computed with the
    same operations, so the same bits): the order statistics it interpolates are read from the cumulative counts.
    A country with a missing rank in any draw gets NaN, as np.percentile gives."""
    n = counts.shape[0]
    draws = int(counts[0].sum())
    if draws == 0:
        raise ValueError("percentiles of no draws")
    better = np.cumsum(counts[:, : n + 1], axis=1)  # (countries, rank 0..n): draws with that rank or a better one

    def order_statistic(j: int) -> np.ndarray:  # the j-th smallest rank (from 0) of every country
        return (better <= j).sum(axis=1).astype(float)

    virtual = (draws - 1) * np.true_divide(q, 100)
    previous = np.floor(virtual)
    previous[virtual >= draws - 1] = -1  # np.percentile's convention: the last value (index -1), twice
    gamma = virtual - previous
    out = np.empty((len(q), n))
    for i, (j, t) in enumerate(zip(previous.astype(np.intp).tolist(), gamma.tolist(), strict=True)):
        a = order_statistic(j if j >= 0 else draws - 1)
        b = order_statistic(j + 1 if j >= 0 else draws - 1)
        diff = b - a
        out[i] = b - diff * (1 - t) if t >= 0.5 else a + diff * t
    out[:, counts[:, -1] > 0] = np.nan
    return out


def run(
    edition: Edition,
    settings: DrawOptions,
    *,
    country: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Sensitivity:
    """Monte Carlo ranks of every country and, for ``country``, Sobol' indices of its rank."""
    state = EditionState.of(edition)
    rng = np.random.default_rng(settings.seed)
    alpha = settings.concentration * state.weights
    n = len(state.entities)
    counts = np.zeros((n, n + 2), dtype=np.int64)
    fixed = normalised_variants(state.components)
    along_draws = state.components[:, :, None]  # (countries, 3, 1)
    done = 0
    while done < settings.draws:
        k = min(settings.chunk, settings.draws - done)
        weights = rng.dirichlet(alpha, size=k)
        use_z = rng.random(k) < 0.5
        use_geo = rng.random(k) < 0.5 if settings.geometric else None
        if settings.error > 0:
            # (countries, 3, draws), grouped by method: the tally does not need the draws' order
            order, bounds = _groups(use_z, use_geo if use_geo is not None else np.zeros(k, dtype=bool))
            values = _by_country(rng.standard_normal((k, *state.components.shape)), order)
            values *= settings.error  # components x (1 + error x N(0, 1)), clipped at 0
            values += 1.0
            values *= along_draws
            np.clip(values, 0.0, None, out=values)
            scores = _score_grouped(values, weights[order].T, bounds)
        else:
            scores = score_fixed(fixed, weights, use_z, use_geo)
        counts += rank_counts(scores)
        done += k
        if progress:
            progress(k)
    p05, median, p95 = _percentiles(counts, [5, 50, 95])
    # the rank each row is known by is the published one (the draws' nominal case reproduces the recomputed ranks,
    # which differ from the published ones only where the UN's rounding tied countries)
    result = Sensitivity(state.year, settings, state.entities, state.rank.copy(), median, p05, p95)
    if country:
        result.country = country
        result.sobol = sobol(state, state.index(country), settings)
    return result


def sobol(state: EditionState, i: int, settings: DrawOptions) -> dict[str, dict[str, float]]:
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


__all__ = ["COMPONENTS", "INPUTS", "DrawOptions", "Sensitivity", "run", "score_draws", "score_fixed", "sobol"]
