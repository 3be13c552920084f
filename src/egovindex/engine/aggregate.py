"""Aggregation methods: combine children's values (last axis) with weights.

Each function takes ``values`` of shape ``(..., entities, children)`` and ``weights`` of shape ``(children,)``
and returns ``(..., entities)``. ``missing='propagate'`` gives NaN when any child is missing;
``missing='renormalise'`` aggregates the children that are present, with their weights rescaled to the same total.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

Aggregator = Callable[..., np.ndarray]


def _present_weights(values: np.ndarray, weights: np.ndarray, missing: str) -> tuple[np.ndarray, np.ndarray]:
    w = np.broadcast_to(np.asarray(weights, dtype=float), values.shape)
    present = ~np.isnan(values)
    if missing == "renormalise":
        total = w.sum(axis=-1, keepdims=True)
        w_present = np.where(present, w, 0.0)
        kept = w_present.sum(axis=-1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            w = np.where(kept > 0, w_present * total / kept, np.nan)
        return np.where(present, values, 0.0), w
    if missing != "propagate":
        raise ValueError(f"unknown missing-value rule {missing!r}")
    return values, w


def weighted_mean(values: np.ndarray, weights: np.ndarray, missing: str = "propagate") -> np.ndarray:
    """Weighted arithmetic mean: sum(w x) / sum(w)."""
    x, w = _present_weights(np.asarray(values, dtype=float), weights, missing)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (w * x).sum(axis=-1) / w.sum(axis=-1)


def weighted_sum(values: np.ndarray, weights: np.ndarray, missing: str = "propagate") -> np.ndarray:
    """Weighted sum: sum(w x) (points-based methods)."""
    x, w = _present_weights(np.asarray(values, dtype=float), weights, missing)
    return (w * x).sum(axis=-1)


def geometric_mean(values: np.ndarray, weights: np.ndarray, missing: str = "propagate") -> np.ndarray:
    """Weighted geometric mean: exp(sum(w log x) / sum(w)); a zero child gives 0, a negative one NaN."""
    x, w = _present_weights(np.asarray(values, dtype=float), weights, missing)
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        logs = np.where(x < 0, np.nan, np.log(np.where(x > 0, x, 1.0)))
        zero = ((x == 0) & (w > 0)).any(axis=-1)
        result = np.exp((w * logs).sum(axis=-1) / w.sum(axis=-1))
    return np.where(zero, 0.0, result)


AGGREGATIONS: dict[str, Aggregator] = {
    "mean": weighted_mean,
    "sum": weighted_sum,
    "geomean": geometric_mean,
}


def aggregate(name: str, values: np.ndarray, weights: np.ndarray, missing: str = "propagate") -> np.ndarray:
    """Apply the aggregation registered under ``name``."""
    try:
        method = AGGREGATIONS[name]
    except KeyError:
        raise ValueError(f"unknown aggregation {name!r}; known: {', '.join(AGGREGATIONS)}") from None
    return method(values, weights, missing)
