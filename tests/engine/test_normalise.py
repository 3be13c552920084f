import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from egovindex.engine.normalise import NORMALISATIONS, minmax, normalise, points, zscore, zscore_minmax
from egovindex.engine.rank import competition_rank

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
vectors = arrays(float, st.integers(2, 40), elements=finite)


def test_zscore_hand_computed() -> None:
    # mean 4, population sd sqrt(((2)^2 + 0 + 2^2)/3) = sqrt(8/3)
    np.testing.assert_allclose(zscore(np.array([2.0, 4.0, 6.0])), np.array([-2, 0, 2]) / np.sqrt(8 / 3))


def test_minmax_hand_computed() -> None:
    np.testing.assert_allclose(minmax(np.array([1.0, 3.0, 5.0, 2.0])), [0.0, 0.5, 1.0, 0.25])


def test_zscore_minmax_hand_computed() -> None:
    np.testing.assert_allclose(zscore_minmax(np.array([10.0, 20.0, 40.0])), [0.0, 1 / 3, 1.0])


def test_points_hand_computed() -> None:
    np.testing.assert_allclose(points(np.array([15.0, 30.0]), max_points=60), [0.25, 0.5])
    with pytest.raises(ValueError, match="max_points"):
        points(np.array([1.0]))


def test_none_and_registry() -> None:
    assert set(NORMALISATIONS) == {"none", "zscore", "minmax", "zscore_minmax", "points", "threshold_points"}
    np.testing.assert_array_equal(normalise("none", np.array([0.3, 7.0])), [0.3, 7.0])
    with pytest.raises(ValueError, match="unknown normalisation"):
        normalise("rank", np.array([1.0]))


def test_missing_values_stay_missing_and_are_ignored() -> None:
    out = minmax(np.array([1.0, np.nan, 3.0]))
    assert out[0] == 0.0 and out[2] == 1.0 and np.isnan(out[1])
    np.testing.assert_allclose(zscore(np.array([1.0, np.nan, 3.0]))[[0, 2]], [-1.0, 1.0])


def test_constant_input_gives_zeros() -> None:
    np.testing.assert_array_equal(minmax(np.array([2.0, 2.0])), [0.0, 0.0])
    np.testing.assert_array_equal(zscore(np.array([2.0, 2.0])), [0.0, 0.0])


def test_draws_are_normalised_row_by_row() -> None:
    x = np.array([[1.0, 2.0, 3.0], [10.0, 30.0, 20.0]])
    np.testing.assert_allclose(minmax(x), [[0, 0.5, 1], [0, 1, 0.5]])


@given(vectors)
def test_minmax_lies_in_unit_interval_and_attains_both_ends(x: np.ndarray) -> None:
    if np.ptp(x) <= 1e-9 * max(1.0, np.abs(x).max()):
        return
    y = minmax(x)
    assert y.min() == 0.0 and y.max() == 1.0
    assert ((y >= 0) & (y <= 1)).all()


@given(vectors, st.floats(0.01, 100), st.floats(-1000, 1000))
def test_zscore_minmax_is_invariant_under_affine_rescaling(x: np.ndarray, a: float, b: float) -> None:
    if np.ptp(x) < 1e-3:
        return
    np.testing.assert_allclose(zscore_minmax(a * x + b), zscore_minmax(x), atol=1e-6)


@given(vectors)
def test_ranks_are_invariant_under_strictly_increasing_transforms(x: np.ndarray) -> None:
    x = np.round(x, 3)  # exact ties survive the transform
    transformed = np.arctan(x / 1e6) * 7 + 3
    np.testing.assert_array_equal(competition_rank(transformed), competition_rank(x))


def test_zscore_is_numpys_mean_and_std_bit_for_bit() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(50, 3, 193)) * rng.uniform(0.1, 1e3, size=(50, 3, 1))
    x[4, 1] = 7.0  # a constant row: zeros
    mean, sd = x.mean(axis=-1, keepdims=True), x.std(axis=-1, keepdims=True)
    expected = np.where(sd > 0, (x - mean) / np.where(sd > 0, sd, 1.0), 0.0)
    np.testing.assert_array_equal(zscore(x), expected)
    np.testing.assert_array_equal(zscore(x[:4]), (x[:4] - mean[:4]) / sd[:4])
    np.testing.assert_array_equal(
        minmax(x[:4]), (x[:4] - x[:4].min(-1, keepdims=True)) / np.ptp(x[:4], -1, keepdims=True)
    )


@pytest.mark.parametrize("method", [zscore, minmax, zscore_minmax])
def test_axis_names_the_entities(method) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(4)
    x = rng.normal(size=(193, 3, 40))  # (entities, components, draws)
    x[5, 0, 2] = np.nan
    x[:, 1, 3] = 0.5  # constant across entities
    moved = np.moveaxis(method(np.moveaxis(x, 0, -1)), -1, 0)
    np.testing.assert_allclose(method(x, axis=0), moved, rtol=1e-12, atol=1e-12)
    assert np.isnan(method(x, axis=0)[5, 0, 2])
