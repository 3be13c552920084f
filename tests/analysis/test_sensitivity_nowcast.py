import numpy as np
import pytest

from egovindex.analysis import nowcast
from egovindex.analysis.sensitivity import INPUTS, DrawOptions, run, score_draws
from egovindex.analysis.state import AnalysisError, EditionState
from egovindex.engine import competition_rank


def test_nominal_draw_reproduces_the_recomputed_ranks(editions: dict) -> None:
    state = EditionState.of(editions[2024])
    scores = score_draws(state.components[None], state.weights[None], np.array([False]), np.array([False]))
    # min-max of published components that already span [0, 1] leaves them unchanged
    np.testing.assert_array_equal(competition_rank(scores)[0], competition_rank(state.recomputed()))


def test_same_seed_same_output_and_intervals(editions: dict) -> None:
    a = run(editions[2024], DrawOptions(draws=600, seed=7, chunk=250, sobol_n=64), country="VNM")
    b = run(editions[2024], DrawOptions(draws=600, seed=7, chunk=250, sobol_n=64), country="VNM")
    assert a.to_dict() == b.to_dict()
    c = run(editions[2024], DrawOptions(draws=600, seed=8, chunk=250))
    assert not np.array_equal(a.median, c.median)
    assert (a.p05 <= a.median).all() and (a.median <= a.p95).all()
    assert set(a.sobol) == set(INPUTS)
    i = a.entities.index("VNM")
    assert a.p05[i] <= 71 <= a.p95[i]


def test_no_uncertainty_gives_the_nominal_rank_everywhere(editions: dict) -> None:
    r = run(editions[2016], DrawOptions(draws=50, seed=1, concentration=1e12, error=0.0))
    i = r.entities.index("VNM")
    assert r.nominal[i] == 89 and 80 <= r.median[i] <= 100


def test_nowcast_backtest_is_reported_against_naive(editions: dict) -> None:
    history = list(editions.values())
    for year in (2022, 2024):
        bt = nowcast.backtest(history, year)
        assert bt.countries == 193 and bt.mae_nowcast > 0 and bt.mae_naive > 0
        assert bt.winner in ("nowcast", "naive")
        assert bt.within_interval > 0.8


def test_damping_is_the_one_the_earlier_backtests_choose(editions: dict) -> None:
    errors = nowcast.calibrate(list(editions.values()))
    assert nowcast.choose_damping(errors) == nowcast.DAMPING
    assert errors[0.5] > errors[0.0]


def test_projection_has_intervals_around_it(editions: dict) -> None:
    p = nowcast.project(list(editions.values()))
    assert p.year == 2026 and p.based_on == [2014, 2016, 2018, 2020, 2022, 2024]
    lo, hi = p.interval["VNM"]
    assert lo <= p.rank["VNM"] <= hi
    with pytest.raises(AnalysisError, match="from 2014 on"):
        nowcast.project([editions[2010]])
