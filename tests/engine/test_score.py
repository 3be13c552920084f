"""score() on a small hand-made framework, checked against hand computation."""

import numpy as np
import pytest

from egovindex.engine import Framework, Panel, score

FW = Framework.from_yaml("""
id: tiny
version: "3"
name: Tiny
index:
  code: idx
  aggregation: mean
  children:
    - {code: a, weight: 0.5}
    - code: b
      weight: 0.5
      aggregation: mean
      normalisation: minmax
      children:
        - {code: b1, normalisation: zscore, cap: 120}
        - {code: b2, normalisation: zscore, direction: -1}
groups:
  - {code: top, name: Top, min: 0.5}
  - {code: rest, name: Rest, min: 0.0}
""")

PANEL = Panel.from_records(
    [
        ("X", "a", 2024, 0.2),
        ("X", "b1", 2024, 150.0),
        ("X", "b2", 2024, 1.0),
        ("Y", "a", 2024, 0.8),
        ("Y", "b1", 2024, 60.0),
        ("Y", "b2", 2024, 3.0),
        ("Z", "a", 2024, 0.5),
        ("Z", "b1", 2024, 90.0),
        ("Z", "b2", 2024, 2.0),
        ("X", "a", 2023, 0.9),
    ]
)


def test_values_match_hand_computation() -> None:
    s = score(FW, PANEL, 2024)
    assert s.entities == ("X", "Y", "Z")
    # b1 capped: [120, 60, 90] -> z = [1.2247, -1.2247, 0]; b2 reversed: [-1, -3, -2] -> z = [1.2247, -1.2247, 0]
    # b mean z = [1.2247, -1.2247, 0] -> minmax [1, 0, 0.5]; idx = 0.5 a + 0.5 b
    np.testing.assert_allclose(s.value("b"), [1.0, 0.0, 0.5])
    np.testing.assert_allclose(s.value(), [0.6, 0.4, 0.5])
    np.testing.assert_array_equal(s.rank, [1, 3, 2])
    assert s.group == ("top", "rest", "top")


def test_every_stage_is_kept_under_its_name() -> None:
    s = score(FW, PANEL, 2024)
    np.testing.assert_allclose(s.stage("raw", "b1"), [150, 60, 90])
    np.testing.assert_allclose(s.stage("treated", "b1"), [120, 60, 90])
    np.testing.assert_allclose(s.stage("treated", "b2"), [-1, -3, -2])
    np.testing.assert_allclose(s.stage("aggregated", "b"), [np.sqrt(1.5), -np.sqrt(1.5), 0.0])
    assert np.isnan(s.stage("aggregated", "b1")).all()
    with pytest.raises(KeyError, match="unknown stage"):
        s.stage("imputed")


def test_provenance_is_recorded() -> None:
    s = score(FW, PANEL, 2024)
    assert s.framework_id == "tiny" and s.framework_version == "3" and s.time == "2024"
    assert s.framework_digest == FW.digest()
    reordered = Panel.from_records(
        reversed(list(zip(PANEL.entity, PANEL.indicator, PANEL.time, PANEL.value, strict=True)))
    )
    assert score(FW, reordered, 2024).panel_digest == s.panel_digest
    changed = PANEL.with_values([("X", "a", 2024, 0.3)])
    assert score(FW, changed, 2024).panel_digest != s.panel_digest
    # an observation of another period does not enter the digest of this period's scores
    assert score(FW, PANEL.with_values([("X", "a", 2023, 0.1)]), 2024).panel_digest == s.panel_digest


def test_region_rank_and_records() -> None:
    s = score(FW, PANEL, 2024)
    r = s.region_rank(["Y", "Z"])
    assert np.isnan(r[0]) and list(r[1:]) == [2, 1]
    rec = s.to_records()[0]
    assert rec["entity"] == "X" and rec["rank"] == 1 and rec["group"] == "top"
    assert rec["idx"] == pytest.approx(0.6)
    assert "3 ranked" in repr(s)


def test_missing_leaf_propagates() -> None:
    s = score(FW, PANEL.select(entities=["X", "Y"]).with_values([("Z", "a", 2024, 0.5)]), 2024)
    assert np.isnan(s.value()[2]) and np.isnan(s.rank[2])
