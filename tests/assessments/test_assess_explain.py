"""Explain and improve: for Quảng Ninh in the DTI 2022, the points lost per main index, the gap to the next rank and
to the top, and the least change that gains a place (computed by hand: the digital-government activities weigh most,
so they rise first), checked by scoring again."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assessments.test_dti import long_csv, published
from egovindex.assessments import explain, values


def test_quang_ninh_by_hand(dti_session) -> None:  # type: ignore[no-untyped-def]
    e = explain.explain(dti_session, "dti-2022", 2022, "P22", places=1)
    assert (e.rank, e.ranked) == (3, 5) and e.score == pytest.approx(0.702445)
    lost = {c["node"]: c["lost"] for c in e.criteria}
    # points of 1000 lost: weight (max points / 1000) x (1 - index) x 1000
    assert lost["hoat_dong_xa_hoi_so"] == pytest.approx(150 * (1 - 0.4505))  # the most: 82.4
    assert lost["nhan_thuc_so"] == pytest.approx(100 * (1 - 0.9581))
    assert e.criteria[0]["node"] == "hoat_dong_xa_hoi_so"
    assert e.next_rank["unit"] == "P79" and e.next_rank["gap"] == pytest.approx(0.716355 - 0.702445)
    assert e.top["unit"] == "P48" and e.top["gap"] == pytest.approx(0.800175 - 0.702445)
    # one place: 0.01391 more, cheapest through digital government (0.2 per unit of index): 0.8385 + 0.01391 / 0.2
    [change] = e.changes
    assert change["node"] == "hoat_dong_chinh_quyen_so" and change["to"] == pytest.approx(0.8385 + 0.01391 / 0.2)
    assert e.reached_rank == 2


def test_the_leader_has_no_place_to_gain_and_an_unknown_unit_is_refused(dti_session) -> None:  # type: ignore[no-untyped-def]
    e = explain.explain(dti_session, "dti-2022", 2022, "P48", places=2)
    assert (e.rank, e.changes, e.next_rank, e.reached_rank) == (1, [], None, 1)
    with pytest.raises(values.AssessmentError, match="P01 has no value of dti-2022 in 2022"):
        explain.explain(dti_session, "dti-2022", 2022, "P01")
    far = explain.explain(dti_session, "dti-2022", 2022, "P92", places=4)  # Cần Thơ to the top
    assert far.reached_rank == 1 and far.changes


def test_the_command_line_explains(store_env: Path, reference: Path) -> None:
    from egovindex.cli import app

    runner = CliRunner()
    path = long_csv(published(reference), store_env / "dti.csv")
    runner.invoke(app, ["assess", "import", str(path), "--method", "dti-2022", "--year", "2022"])
    out = runner.invoke(app, ["assess", "explain", "--method", "dti-2022", "--year", "2022", "--unit", "Quảng Ninh",
                              "-f", "json"])  # fmt: skip
    assert out.exit_code == 0, out.output
    assert '"reached_rank": 2' in out.stdout and '"hoat_dong_chinh_quyen_so"' in out.stdout
