"""Aggregation methods: combine children's values (last axis) with weights.

Each function takes ``values`` of shape ``(..., entities, children)`` and ``weights`` of shape ``(children,)`` (or
any shape that broadcasts to the values) and returns ``(..., entities)``; ``axis`` names another axis of children.
``missing='propagate'`` gives NaN when any child is missing; ``missing='renormalise'`` aggregates the children that
are present, with their weights rescaled to the same total.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

Aggregator = Callable[..., np.ndarray]


def _present_weights(
    values: np.ndarray, weights: np.ndarray, missing: str, axis: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The values to aggregate, their weights and the weights' total over the children."""
    given = np.asarray(weights, dtype=float)
    w = np.broadcast_to(given, values.shape)
    if missing == "renormalise":
        present = ~np.isnan(values)
        total = w.sum(axis=axis, keepdims=True)
        w_present = np.where(present, w, 0.0)
        kept = w_present.sum(axis=axis, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            w = np.where(kept > 0, w_present * total / kept, np.nan)
        return np.where(present, values, 0.0), w, w.sum(axis=axis)
    if missing != "propagate":
        raise ValueError(f"unknown missing-value rule {missing!r}")
    # the weights' total over the children, summed on the weights as given (the same additions in the same order),
    # not once for every entity they are broadcast to
    padded = given.reshape((1,) * (values.ndim - given.ndim) + given.shape)
    along = list(padded.shape)
    along[axis] = values.shape[axis]
    return values, w, np.broadcast_to(padded, along).sum(axis=axis)


def weighted_mean(values: np.ndarray, weights: np.ndarray, missing: str = "propagate", *, axis: int = -1) -> np.ndarray:
    """Weighted arithmetic mean: sum(w x) / sum(w)."""
    x, w, total = _present_weights(np.asarray(values, dtype=float), weights, missing, axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (w * x).sum(axis=axis) / total


def weighted_sum(values: np.ndarray, weights: np.ndarray, missing: str = "propagate", *, axis: int = -1) -> np.ndarray:
    """Weighted sum: sum(w x) (points-based methods)."""
    x, w, _ = _present_weights(np.asarray(values, dtype=float), weights, missing, axis)
    return (w * x).sum(axis=axis)


def geometric_mean(
    values: np.ndarray, weights: np.ndarray, missing: str = "propagate", *, axis: int = -1
) -> np.ndarray:
    """Weighted geometric mean: exp(sum(w log x) / sum(w)); a zero child gives 0, a negative one NaN; a missing
    child (NaN, with ``propagate``) gives NaN, as in the arithmetic mean."""
    x, w, total = _present_weights(np.asarray(values, dtype=float), weights, missing, axis)
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        logs = np.log(np.where((x > 0) | np.isnan(x), x, 1.0))
        negative = x < 0
        if negative.any():
            logs[negative] = np.nan
        zero = ((x == 0) & (w > 0)).any(axis=axis) & ~np.isnan(x).any(axis=axis)
        result = np.exp((w * logs).sum(axis=axis) / total)
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
