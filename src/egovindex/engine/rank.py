"""Competition ranks ("1224") and classification into groups by thresholds."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def competition_rank(values: np.ndarray, *, descending: bool = True) -> np.ndarray:
    """Rank along the last axis: 1 + the number of strictly better values; ties share the best rank.

    Missing values get NaN. Works on 1-D arrays and on stacks of draws ``(..., entities)``.
    """
    x = np.asarray(values, dtype=float)
    key = -x if descending else x
    missing = np.isnan(key)
    if key.ndim == 1:
        ordered = np.sort(key[~missing])
        ranks = np.searchsorted(ordered, key, side="left").astype(float) + 1.0
    else:
        filled = np.where(missing, np.inf, key)
        ranks = (filled[..., None, :] < filled[..., :, None]).sum(axis=-1).astype(float) + 1.0
    return np.where(missing, np.nan, ranks)


def classify(values: np.ndarray, lower_bounds: Sequence[float], labels: Sequence[str]) -> list[str | None]:
    """Give each value the label of the highest lower bound it reaches (bounds inclusive); NaN -> None."""
    order = np.argsort(lower_bounds)[::-1]
    out: list[str | None] = []
    for v in np.asarray(values, dtype=float).ravel():
        label = None
        if not np.isnan(v):
            for i in order:
                if v >= lower_bounds[i]:
                    label = labels[i]
                    break
        out.append(label)
    return out
