"""Every assessment method (ICT application 2016, DTI 2022 and 2025, the service index 766) loads and validates;
maximum points add up to the parent's wherever the method sums them; a version is a new file, never an edit; scores
stay within [0, max] and ranks are competition ranks, whatever the values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egovindex import methodologies
from egovindex.engine import competition_rank, score_matrix

ASSESSMENTS = ("dti-2022", "dti-2025", "service-index-766", "vn-ict-2016")


@pytest.mark.parametrize("method", ASSESSMENTS)
def test_the_method_loads_with_its_levels_version_and_assumptions(method: str) -> None:
    fw = methodologies.load(method)
    assert fw.levels and fw.version and all(n.verified for n in fw.nodes)
    named = {a for n in fw.nodes for a in n.assumptions}
    assert named <= set(fw.assumptions)  # every assumption a node names is stated
    for node in fw.nodes:
        kids = [c.max_points for c in node.scored_children]
        if node.max_points and kids and all(kids):
            assert sum(kids) == pytest.approx(node.max_points), node.code  # e.g. 766's 18/20/22/22/18 = 100
    if fw.scale == "index" and fw.index.children[0].max_points:
        # an index: the children's weights are their share of the maximum points
        for node in fw.nodes:
            if node.children and all(c.max_points for c in node.scored_children):
                total = sum(c.max_points or 0 for c in node.scored_children)
                assert node.child_weights() == pytest.approx(
                    [(c.max_points or 0) / total for c in node.scored_children]
                )


def test_the_2025_dti_is_a_new_version_not_an_edit() -> None:
    old, new = methodologies.load("dti-2022"), methodologies.load("dti-2025")
    assert (old.version, new.version) == ("2022.1", "2025.1") and old.digest() != new.digest()
    assert "do_thi_thong_minh" in old.codes and "do_thi_thong_minh" not in new.codes
    assert set(new.assumptions_of("pdti")) == {"points_as_922"}


@settings(max_examples=60, deadline=None)
@given(data=st.data(), method=st.sampled_from(ASSESSMENTS), units=st.integers(1, 12))
def test_scores_stay_within_zero_and_the_maximum_and_ranks_are_competition_ranks(
    data: st.DataObject, method: str, units: int
) -> None:
    fw = methodologies.load(method)
    leaves = len(fw.leaves)
    values = data.draw(
        st.lists(st.lists(st.sampled_from([0.0, 0.25, 0.5, 0.8, 0.9, 1.0]), min_size=leaves, max_size=leaves),
                 min_size=units, max_size=units)
    )  # fmt: skip
    s = score_matrix(fw, [f"u{i}" for i in range(units)], np.array(values, dtype=float), "2026")
    top = fw.index.max_points if fw.scale == "points" else 1.0
    root = s.value()
    assert np.all((root >= 0) & (root <= (top or 1.0) + 1e-9))
    for i, r in enumerate(s.rank):
        assert r == 1 + np.sum(np.round(root, 9) > np.round(root[i], 9))  # 1 + the number of strictly better
    assert np.array_equal(s.rank, competition_rank(root))


@pytest.mark.parametrize("name", ["../methodologies/egdi-2024", "egdi-2024/../egdi-2024", "/etc/x", "EGDI-2024", ""])
def test_a_method_is_found_by_its_id_only_never_by_a_path(name: str) -> None:
    with pytest.raises(KeyError, match="no methodology"):
        methodologies.load(name)
