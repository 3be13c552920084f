import numpy as np

from egovindex.engine.rank import classify, competition_rank, rank_counts


def test_competition_ranks_1224() -> None:
    np.testing.assert_array_equal(competition_rank(np.array([0.9, 0.5, 0.5, 0.1])), [1, 2, 2, 4])


def test_missing_values_are_not_ranked() -> None:
    r = competition_rank(np.array([0.2, np.nan, 0.7]))
    assert r[0] == 2 and r[2] == 1 and np.isnan(r[1])


def test_stack_of_draws_matches_row_by_row() -> None:
    rng = np.random.default_rng(1)
    x = np.round(rng.random((5, 30)), 1)
    x[2, 4] = np.nan
    stacked = competition_rank(x)
    for i in range(5):
        np.testing.assert_array_equal(stacked[i], competition_rank(x[i]))


def test_ascending_ranks() -> None:
    np.testing.assert_array_equal(competition_rank(np.array([3.0, 1.0, 2.0]), descending=False), [3, 1, 2])


def test_classify_uses_inclusive_lower_bounds() -> None:
    labels = classify(np.array([0.75, 0.7499, 0.25, 0.0, np.nan]), [0.75, 0.5, 0.25, 0.0], ["VH", "H", "M", "L"])
    assert labels == ["VH", "H", "M", "L", None]


def test_rank_counts_tally_the_competition_ranks_of_every_row() -> None:
    rng = np.random.default_rng(2)
    x = np.round(rng.random((300, 25)), 1)  # many ties
    for values in (x, np.where(rng.random(x.shape) < 0.02, np.nan, x)):
        ranks = competition_rank(values)
        counts = rank_counts(values)
        assert counts.shape == (25, 27) and (counts.sum(axis=1) == 300).all() and (counts[:, 0] == 0).all()
        for j in range(25):
            column = ranks[:, j]
            np.testing.assert_array_equal(
                counts[j, 1:26], np.bincount(column[~np.isnan(column)].astype(int), minlength=26)[1:]
            )
            assert counts[j, 26] == np.isnan(column).sum()
    np.testing.assert_array_equal(rank_counts(x, descending=False), rank_counts(-x))
