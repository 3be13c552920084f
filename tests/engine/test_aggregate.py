import numpy as np
import pytest

from egovindex.engine.aggregate import aggregate, geometric_mean, weighted_mean, weighted_sum


def test_weighted_mean_hand_computed() -> None:
    v = np.array([[0.5, 0.2, 0.8]])
    assert weighted_mean(v, np.array([0.34, 0.33, 0.33]))[0] == pytest.approx(0.34 * 0.5 + 0.33 * 0.2 + 0.33 * 0.8)


def test_weighted_sum_hand_computed() -> None:
    assert weighted_sum(np.array([[10.0, 20.0]]), np.array([2.0, 0.5]))[0] == pytest.approx(30.0)


def test_geometric_mean_hand_computed() -> None:
    assert geometric_mean(np.array([[4.0, 1.0]]), np.array([0.5, 0.5]))[0] == pytest.approx(2.0)
    assert geometric_mean(np.array([[0.0, 9.0]]), np.array([0.5, 0.5]))[0] == 0.0
    assert np.isnan(geometric_mean(np.array([[-1.0, 9.0]]), np.array([0.5, 0.5]))[0])


def test_missing_child_propagates_or_renormalises() -> None:
    v = np.array([[0.6, np.nan, 0.2]])
    w = np.array([0.5, 0.25, 0.25])
    assert np.isnan(weighted_mean(v, w)[0])
    assert weighted_mean(v, w, "renormalise")[0] == pytest.approx((0.5 * 0.6 + 0.25 * 0.2) / 0.75)
    # a weighted sum keeps its scale: present weights are scaled up to the full total
    assert weighted_sum(v, w, "renormalise")[0] == pytest.approx((0.5 * 0.6 + 0.25 * 0.2) / 0.75)
    assert np.isnan(weighted_mean(np.array([[np.nan, np.nan]]), np.array([0.5, 0.5]), "renormalise")[0])


def test_unknown_names_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown aggregation"):
        aggregate("median", np.ones((1, 2)), np.ones(2))
    with pytest.raises(ValueError, match="missing-value rule"):
        weighted_mean(np.ones((1, 2)), np.ones(2), "impute")


@pytest.mark.parametrize("method", [weighted_mean, weighted_sum, geometric_mean])
@pytest.mark.parametrize("missing", ["propagate", "renormalise"])
def test_axis_names_the_children_and_weights_broadcast(method, missing: str) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(5)
    v = rng.random((40, 193, 3))  # (draws, entities, children)
    v[v < 0.05] = 0.0
    v[3, 7, 1] = np.nan
    w = rng.dirichlet([5, 5, 5], size=40)[:, None, :]  # one set of weights per draw
    expected = method(v, w, missing)
    full = np.broadcast_to(w, v.shape)
    if missing == "propagate" and method is weighted_mean:  # the weights' total summed once, the same bits
        np.testing.assert_array_equal(expected, (full * v).sum(axis=-1) / full.sum(axis=-1))
    by_entity = np.ascontiguousarray(v.transpose(1, 2, 0))  # (entities, children, draws)
    moved = method(by_entity, w.transpose(1, 2, 0), missing, axis=1)
    np.testing.assert_array_equal(moved.T, expected)


def test_a_missing_child_propagates_through_the_geometric_mean_as_through_the_arithmetic() -> None:
    values = np.array([[0.5, np.nan], [0.0, np.nan], [0.25, 1.0]])
    weights = np.array([0.5, 0.5])
    mean = weighted_mean(values, weights, "propagate")
    geo = geometric_mean(values, weights, "propagate")
    assert np.isnan(mean[0]) and np.isnan(geo[0])  # not the mean of the present child alone
    assert np.isnan(mean[1]) and np.isnan(geo[1])  # a missing child is missing even beside a zero
    assert geo[2] == pytest.approx(0.5)
