"""Competition ranks ("1224") and classification into groups by thresholds."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

TIE_DECIMALS = 12


def competition_rank(values: np.ndarray, *, descending: bool = True, decimals: int = TIE_DECIMALS) -> np.ndarray:
    """Rank along the last axis: 1 + the number of strictly better values; ties share the best rank.

    Values are compared after rounding to ``decimals`` places, so that floating-point noise from the order of
    additions does not break a tie that exact arithmetic would give (two countries whose rounded components sum
    to the same number). Missing values get NaN. Works on 1-D arrays and on stacks ``(..., entities)``.
    """
    key = _key(values, descending, decimals)
    missing = np.isnan(key)
    if key.ndim == 1:
        ordered = np.sort(key[~missing])
        ranks = np.searchsorted(ordered, key, side="left").astype(float) + 1.0
    elif not missing.any():  # the usual case for a stack of draws: no pass to mask anything
        return _stacked_ranks(key)
    else:
        ranks = _stacked_ranks(np.where(missing, np.inf, key))
    return np.where(missing, np.nan, ranks)


def rank_counts(values: np.ndarray, *, descending: bool = True, decimals: int = TIE_DECIMALS) -> np.ndarray:
    """How often each entity gets each rank over the rows of a stack ``(..., entities)``, ranked as
    ``competition_rank`` ranks them: counts ``(entities, entities + 2)``, column r for rank r (column 0 stays 0),
    the last column for the rows where the entity is missing. The ranks are tallied where the sort leaves them,
    without being put back in the entities' order."""
    key = _key(values, descending, decimals)
    n = key.shape[-1]
    key = key.reshape(-1, n)
    missing = np.isnan(key)
    if missing.any():
        ranks = _stacked_ranks(np.where(missing, np.inf, key))
        ranks[missing] = n + 1
        cells = ranks.astype(np.intp)
        cells += np.arange(n) * (n + 2)
    else:
        order, first = _sorted_runs(key)
        cells = order * (n + 2)
        cells += first
        cells += 1
    return np.bincount(cells.ravel(), minlength=n * (n + 2)).reshape(n, n + 2)


def classify(values: np.ndarray, lower_bounds: Sequence[float], labels: Sequence[str]) -> list[str | None]:
    """Give each value the label of the highest lower bound it reaches (bounds inclusive); NaN -> None."""
    order = np.argsort(lower_bounds)
    bounds = np.asarray(lower_bounds, dtype=float)[order]
    x = np.asarray(values, dtype=float).ravel()
    pos = np.searchsorted(bounds, x, side="right") - 1
    names = np.array([*(labels[i] for i in order), None], dtype=object)
    return names[np.where((pos < 0) | np.isnan(x), -1, pos)].tolist()


def _key(values: np.ndarray, descending: bool, decimals: int) -> np.ndarray:
    """The values rounded to ``decimals`` places, negated when the highest ranks first: a new array."""
    x = np.asarray(values, dtype=float)
    key = np.round(x, decimals, out=np.empty_like(x))
    if descending:
        np.negative(key, out=key)
    return key


def _stacked_ranks(key: np.ndarray) -> np.ndarray:
    """Competition ranks of every row of a stack, put back in the original order."""
    order, first = _sorted_runs(key)
    ranks = np.empty(key.shape, dtype=float)
    np.put_along_axis(ranks, order, first + 1.0, axis=-1)
    return ranks


def _sorted_runs(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort each row of a stack and give each run of equal values the position of its first member: the order of
    the sort, and (from 0) the rank at each place of the sorted rows. Every member of a run gets the same position
    whatever their order within it, so the sort need not be stable (numpy's default sort is several times faster)."""
    order = np.argsort(key, axis=-1)
    ordered = np.take_along_axis(key, order, axis=-1)
    positions = np.broadcast_to(np.arange(key.shape[-1]), key.shape)
    starts = np.ones(key.shape, dtype=bool)
    starts[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    return order, np.maximum.accumulate(np.where(starts, positions, 0), axis=-1)
