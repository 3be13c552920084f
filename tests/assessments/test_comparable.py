"""The comparable view across the 2025 mergers: the DTI 2022 of 63 provinces mapped onto the 34 that carry their
responsibilities from 1 July 2025, by population-weighted mean or by the largest predecessor, computed by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessments.test_dti import long_csv, published
from egovindex.assessments import comparable, values

WEIGHTS = (
    "unit,weight\nTP. Đà Nẵng,1.2\nQuảng Nam,1.5\nTP. Hồ Chí Minh,9.4\nQuảng Ninh,1.4\nThừa Thiên - Huế,1.2\nP92,1.3\n"
)


def test_population_weighted_and_largest_predecessor(dti_session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    session = dti_session
    values.record(session, [("P49", "pdti", 0.5)], fw=values.method("dti-2022"), year=2022, source="t", actor="t")
    path = tmp_path / "population.csv"
    path.write_text(WEIGHTS, encoding="utf-8")
    weights = comparable.read_weights(path, 2022)
    by_population = comparable.comparable(dti_session, "dti-2022", 2022, rule="population", weights=weights)
    rows = {r["unit_code"]: r for r in by_population.rows}
    # Đà Nẵng and Quảng Nam are one province from 1 July 2025 (N48): (0.800175 x 1.2 + 0.5 x 1.5) / 2.7
    assert rows["N48"]["score"] == pytest.approx((0.800175 * 1.2 + 0.5 * 1.5) / 2.7)
    assert rows["N48"]["predecessors"] == "P48 P49"
    assert set(rows) == {"N48", "P22", "P46"}  # Quảng Ninh and Huế were not merged
    assert [r["unit_code"] for r in by_population.rows] == ["P22", "P46", "N48"]
    # TP. Hồ Chí Minh and Cần Thơ merged with provinces that have no score here: a part is not the whole
    assert by_population.left_out == ["N79: no score for P74, P77", "N92: no score for P93, P94"]
    largest = comparable.comparable(dti_session, "dti-2022", 2022, rule="largest", weights=weights)
    assert {r["unit_code"]: r["score"] for r in largest.rows}["N48"] == 0.5  # Quảng Nam is the larger
    partial = comparable.comparable(dti_session, "dti-2022", 2022, rule="population", weights={"P48": 1.0})
    assert "N48: no weight for P49" in partial.left_out
    with pytest.raises(values.AssessmentError, match="the rule is one of population, largest"):
        comparable.comparable(dti_session, "dti-2022", 2022, rule="mean", weights=weights)


def test_the_command_line_gives_the_comparable_view(store_env: Path, reference: Path) -> None:
    from typer.testing import CliRunner

    from egovindex.cli import app

    runner = CliRunner()
    runner.invoke(app, ["assess", "import", str(long_csv(published(reference), store_env / "d.csv")),
                        "--method", "dti-2022", "--year", "2022"])  # fmt: skip
    (store_env / "w.csv").write_text(WEIGHTS, encoding="utf-8")
    args = ["assess", "rank", "--method", "dti-2022", "--year", "2022", "--comparable", "largest", "-f", "csv"]
    out = runner.invoke(app, [*args, "--weights", str(store_env / "w.csv")])
    assert out.exit_code == 0, out.output
    assert out.stdout.splitlines()[:2] == [
        "unit_code,unit_name,score,rank,predecessors",
        "P22,Quảng Ninh,0.70244,1,P22",
    ]
    assert "left out: N48: no score for P49" in out.stderr
    missing = runner.invoke(app, args)
    assert missing.exit_code != 0 and "needs --weights" in missing.stderr
