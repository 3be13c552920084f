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
    x = np.round(np.asarray(values, dtype=float), decimals)
    key = -x if descending else x
    missing = np.isnan(key)
    if key.ndim == 1:
        ordered = np.sort(key[~missing])
        ranks = np.searchsorted(ordered, key, side="left").astype(float) + 1.0
    else:
        ranks = _stacked_ranks(np.where(missing, np.inf, key))
    return np.where(missing, np.nan, ranks)


def classify(values: np.ndarray, lower_bounds: Sequence[float], labels: Sequence[str]) -> list[str | None]:
    """Give each value the label of the highest lower bound it reaches (bounds inclusive); NaN -> None."""
    order = np.argsort(lower_bounds)
    bounds = np.asarray(lower_bounds, dtype=float)[order]
    x = np.asarray(values, dtype=float).ravel()
    pos = np.searchsorted(bounds, x, side="right") - 1
    names = np.array([*(labels[i] for i in order), None], dtype=object)
    return names[np.where((pos < 0) | np.isnan(x), -1, pos)].tolist()


def _stacked_ranks(key: np.ndarray) -> np.ndarray:
    """Competition ranks of every row of a stack: sort each row, give each run of equal values the position of
    its first member, and put the ranks back in the original order."""
    order = np.argsort(key, axis=-1, kind="stable")
    ordered = np.take_along_axis(key, order, axis=-1)
    positions = np.broadcast_to(np.arange(key.shape[-1]), key.shape)
    starts = np.ones(key.shape, dtype=bool)
    starts[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    first = np.maximum.accumulate(np.where(starts, positions, 0), axis=-1)
    ranks = np.empty(key.shape, dtype=float)
    np.put_along_axis(ranks, order, first + 1.0, axis=-1)
    return ranks
