"""Normalisation methods: pure functions over the last axis of an array.

Every function takes an array of shape ``(..., entities)`` and returns an array of the same shape, so that the
same code scores one panel or many Monte Carlo draws at once; ``axis`` names another axis of entities (a stack laid
out ``(entities, ..., draws)`` keeps its statistics to long contiguous rows). Missing values (NaN) stay missing and
are ignored by the statistics. The registry ``NORMALISATIONS`` maps the names used in methodology YAML files to
functions.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

Normaliser = Callable[..., np.ndarray]


def none(x: np.ndarray, **_: float) -> np.ndarray:
    """Leave values unchanged."""
    return np.asarray(x, dtype=float)


def zscore(x: np.ndarray, *, axis: int = -1, **_: float) -> np.ndarray:
    """Standardise with the population standard deviation (ddof = 0). A constant input gives zeros."""
    x = np.asarray(x, dtype=float)
    if not np.isnan(x).any():  # the NaN-aware statistics cost several passes more
        mean = x.mean(axis=axis, keepdims=True)
        deviation = x - mean
        # x.std(ddof=0), without computing the mean and the deviations a second time: the same operations in the
        # same order, so the same bits
        sd = np.sqrt(np.mean(deviation * deviation, axis=axis, keepdims=True))
        if (sd > 0).all():
            deviation /= sd
            return deviation
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(x, axis=axis, keepdims=True)
            sd = np.nanstd(x, axis=axis, keepdims=True)
    safe_sd = np.where(sd > 0, sd, 1.0)
    return np.where(sd > 0, (x - mean) / safe_sd, np.where(np.isnan(x), np.nan, 0.0))


def minmax(x: np.ndarray, *, axis: int = -1, **_: float) -> np.ndarray:
    """Rescale to [0, 1]: (x - min) / (max - min). A constant input gives zeros."""
    x = np.asarray(x, dtype=float)
    if not np.isnan(x).any():
        lo = x.min(axis=axis, keepdims=True)
        hi = x.max(axis=axis, keepdims=True)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lo = np.nanmin(x, axis=axis, keepdims=True)
            hi = np.nanmax(x, axis=axis, keepdims=True)
    span = hi - lo
    if (span > 0).all():  # no constant input (a NaN span, all missing, is not > 0): no masks needed
        out = x - lo
        out /= span
        return out
    safe_span = np.where(span > 0, span, 1.0)
    return np.where(span > 0, (x - lo) / safe_span, np.where(np.isnan(x), np.nan, 0.0))


def zscore_minmax(x: np.ndarray, *, axis: int = -1, **_: float) -> np.ndarray:
    """The UN Survey's procedure: z-score, then min-max to [0, 1]."""
    return minmax(zscore(x, axis=axis), axis=axis)


def points(x: np.ndarray, *, max_points: float | None = None, **_: float) -> np.ndarray:
    """Points over maximum points (Vietnamese assessment methods): x / max_points."""
    if max_points is None or not max_points > 0:
        raise ValueError("normalisation 'points' needs a positive max_points")
    return np.asarray(x, dtype=float) / float(max_points)


def threshold_points(
    x: np.ndarray, *, max_points: float | None = None, threshold: float | None = None, **_: float
) -> np.ndarray:
    """Points earned by a ratio (service index 766): ``max_points * min(1, x / threshold)``; full points from the
    threshold up (1 when none is given)."""
    if max_points is None or not max_points > 0:
        raise ValueError("normalisation 'threshold_points' needs a positive max_points")
    t = 1.0 if threshold is None else float(threshold)
    return float(max_points) * np.minimum(1.0, np.asarray(x, dtype=float) / t)


def round_half_away(x: np.ndarray, decimals: int) -> np.ndarray:
    """Round half away from zero, as published scores are (numpy rounds half to even). The scaled value is first
    rounded to 9 places so that a binary neighbour of a half (2.675 is 2.67499999...) counts as the half."""
    x = np.asarray(x, dtype=float)
    scale = 10.0**decimals
    scaled = np.round(np.abs(x) * scale, 9)
    return np.sign(x) * np.floor(scaled + 0.5) / scale


NORMALISATIONS: dict[str, Normaliser] = {
    "none": none,
    "zscore": zscore,
    "minmax": minmax,
    "zscore_minmax": zscore_minmax,
    "points": points,
    "threshold_points": threshold_points,
}


def normalise(name: str, x: np.ndarray, **params: float) -> np.ndarray:
    """Apply the normalisation registered under ``name``."""
    try:
        method = NORMALISATIONS[name]
    except KeyError:
        raise ValueError(f"unknown normalisation {name!r}; known: {', '.join(NORMALISATIONS)}") from None
    return method(x, **params)
