import numpy as np
import pytest

from egovindex.engine import Panel


def test_duplicates_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate observation for entity 'VNM'"):
        Panel.from_records([("VNM", "osi", 2024, 0.7), ("VNM", "osi", "2024", 0.8)])


def test_matrix_and_get() -> None:
    p = Panel.from_wide({"A": {"x": 1.0, "y": 2.0}, "B": {"x": 3.0, "y": None}}, 2024)
    ents, m = p.matrix(2024, ["x", "y"])
    assert ents == ("A", "B")
    np.testing.assert_array_equal(m[:, 0], [1.0, 3.0])
    assert np.isnan(m[1, 1])
    assert p.get("A", "y", "2024") == 2.0 and p.get("B", "y", 2024) is None


def test_latest_within_lookback() -> None:
    p = Panel.from_records([("A", "x", 2010, 1.0), ("A", "x", 2014, 2.0), ("A", "x", 2017, 9.0), ("B", "x", 2008, 5.0)])
    got = p.latest(2015, lookback=5)
    assert got.get("A", "x", 2015) == 2.0
    assert got.get("B", "x", 2015) is None  # 2008 is more than 5 years before 2015
    assert list(got.source) == ["year=2014"]


def test_concat_select_and_pandas() -> None:
    a = Panel.from_records([("A", "x", 1, 1.0)])
    b = Panel.from_records([("B", "x", 1, 2.0)])
    both = Panel.concat([a, b])
    assert len(both) == 2 and both.select(entities=["B"]).entities() == ["B"]
    assert list(both.to_pandas().columns) == ["entity", "indicator", "time", "value", "source"]
