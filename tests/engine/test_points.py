"""Points-based methods: thresholds, rounding half away from zero, indicators shown but not scored, and the
assumptions a value depends on; checked by hand and on the packaged service index 766."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from egovindex import methodologies
from egovindex.engine import Framework, FrameworkError, score_matrix
from egovindex.engine.normalise import round_half_away, threshold_points

SMALL = """
id: small
version: "1"
name: small
assumptions:
  halves: halves go up
  empty: nothing received leaves it open
classes:
  - {code: good, name: Good, min: 8}
  - {code: weak, name: Weak, min: 0}
index:
  code: total
  aggregation: sum
  decimals: 2
  max_points: 10
  children:
    - {code: "a.1", max_points: 6, normalisation: threshold_points, decimals: 2, assumptions: [halves]}
    - {code: "a.2", max_points: 4, threshold: 0.8, normalisation: threshold_points, decimals: 2, assumptions: [empty]}
    - {code: "a.3", scored: false}
"""


def test_threshold_points_rounding_and_unscored_children_by_hand() -> None:
    fw = Framework.from_yaml(SMALL)
    x = np.array(
        [
            [0.12345, 0.5, 0.3],  # 6 x 0.12345 = 0.7407 -> 0.74; 4 x 0.5 / 0.8 = 2.5
            [1.0, 0.9, np.nan],  # full points above the threshold; an unscored NaN changes nothing
            [np.nan, 1.0, 1.0],  # a scored indicator undetermined: the total is too
        ]
    )
    s = score_matrix(fw, ["x", "y", "z"], x, "2026Q3")
    assert s.value("a.1")[0] == 0.74 and s.value("a.2")[0] == 2.5
    assert s.value()[0] == 3.24 and s.klass[0] == "weak"
    assert s.value()[1] == 10.0 and s.klass[1] == "good"
    assert math.isnan(s.value()[2]) and s.klass[2] is None
    assert s.value("a.3")[0] == 0.3  # shown as it is
    assert fw.assumptions_of("a.2") == {"empty": "nothing received leaves it open"}
    assert set(fw.assumptions_of("total")) == {"halves", "empty"}


def test_halves_round_away_from_zero() -> None:
    # 2.675 is stored as 2.67499999...; published scores round it to 2.68, numpy's round gives 2.67
    assert round_half_away(np.array([2.675, 0.125, -0.125, 1.005, 0.004999]), 2).tolist() == [
        2.68,
        0.13,
        -0.13,
        1.01,
        0.0,
    ]


@given(st.floats(0, 2), st.floats(0.05, 1), st.floats(0.5, 30))
def test_threshold_points_never_exceed_the_maximum(ratio: float, threshold: float, top: float) -> None:
    p = float(threshold_points(np.array([ratio]), max_points=top, threshold=threshold)[0])
    assert 0 <= p <= top
    assert p == pytest.approx(top if ratio >= threshold else top * ratio / threshold)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("max_points: 10\n", "max_points: 11\n"),
        ("threshold: 0.8, normalisation: threshold_points", "threshold: 0.8, normalisation: none"),
        ("threshold: 0.8,", "threshold: 1.5,"),
        ("assumptions: [empty]", "assumptions: [unknown]"),
    ],
)
def test_inconsistent_points_methods_are_refused(change: tuple[str, str], message: str) -> None:
    with pytest.raises(FrameworkError):
        Framework.from_yaml(SMALL.replace(change, message, 1))


def test_service_index_766_groups_add_up_to_100_and_score_by_hand() -> None:
    fw = methodologies.load("service-index-766")
    assert [c.max_points for c in fw.index.children] == [18, 20, 22, 22, 18]
    codes = [leaf.code for leaf in fw.leaves]
    x = np.full((2, len(codes)), 0.85)
    x[1, :] = np.nan
    x[1, codes.index("2.1")] = 0.8765  # 20 x 0.8765 = 17.53
    s = score_matrix(fw, ["C", "A"], x, "2026Q3")
    # at 0.85 everywhere: 15.3 + 17 + (10.2 + 2 + 2 + 5.1) + (5.1 + 3.4 + 1.7 + 2 + 3.4 + 1.7 + 1.7)
    #   + (5.1 + 5.1 + 6 x 0.85 / 0.9 = 5.67) = 86.47
    assert s.value()[0] == 86.47 and s.klass[0] == "tot"
    assert s.value("tien_do_ket_qua")[1] == 17.53 and math.isnan(s.value()[1])
