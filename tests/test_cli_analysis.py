"""The analysis commands end to end, with the JSON keys other programs read."""

import json
import re
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from egovindex.cli import app
from samples import floats_in

runner = CliRunner()


@pytest.fixture
def loaded(store_env: Path) -> Path:
    assert runner.invoke(app, ["sources", "load", "--reference"]).exit_code == 0
    return store_env


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_simulate_json(loaded: Path) -> None:
    out = json.loads(run("simulate", "-e", "2024", "-c", "VNM", "--set", "hci=0.80", "-f", "json"))
    assert out["edition"] == 2024
    for when in ("before", "after"):
        assert set(out[when]["VNM"]) == {"osi", "tii", "hci", "egdi", "rank", "region_rank", "group"}
    assert out["before"]["VNM"]["rank"] == 71 and out["after"]["VNM"]["rank"] == 65
    table = run("simulate", "-e", "2024", "-c", "VNM", "--shift", "tii=+5%")
    assert "VNM tii *= 1.05" in table
    raw = json.loads(run("simulate", "-e", "2022", "-c", "VNM", "--set", "fixed_broadband_per100=30", "-f", "json"))
    assert raw["after"]["VNM"]["tii"] > raw["before"]["VNM"]["tii"] and len(raw["after"]) > 150


def test_target_json(loaded: Path, tmp_path: Path) -> None:
    costs = tmp_path / "costs.yaml"
    costs.write_text("osi: 1\ntii: 3\nhci: 2\n")
    out = json.loads(
        run(
            "target",
            "-e",
            "2024",
            "-c",
            "VNM",
            "--rank",
            "50",
            "--region",
            "asean",
            "--region-rank",
            "4",
            "--costs",
            str(costs),
            "-f",
            "json",
        )
    )
    assert set(out) >= {"target", "reached_rank", "reached_region_rank", "cost", "proposal", "changes"}
    assert out["reached_rank"] <= 50 and out["reached_region_rank"] <= 4
    assert set(out["proposal"]["VNM"]) == {"osi", "tii", "hci"}
    assert [set(c) for c in out["changes"]] == [{"indicator", "from", "to", "owner"}]
    assert "outside 1..193" in run("target", "-e", "2024", "-c", "VNM", "--rank", "500", code=2)
    limits = tmp_path / "limits.yaml"
    limits.write_text("osi: {max: 0.72}\ntii: {max_increase: 0.01}\nhci: {max: 0.73}\n")
    message = run("target", "-e", "2024", "-c", "VNM", "--rank", "5", "--limits", str(limits), code=2)
    assert "infeasible" in message and "limits file" in message


def test_explain_json(loaded: Path) -> None:
    out = json.loads(run("explain", "VNM", "--from", "2022", "--to", "2024", "-f", "json"))
    assert (out["country"], out["from"], out["to"], out["rank_from"], out["rank_to"]) == ("VNM", 2022, 2024, 86, 71)
    exact = sum(Fraction(v) for v in out["parts_exact"].values())  # the parts add up exactly
    assert exact == out["rank_to"] - out["rank_from"]
    # the parts shown at 5 decimals add up within their rounding
    assert sum(out["parts"].values()) == pytest.approx(exact, abs=len(out["parts"]) * 5e-6)
    assert "not loaded" in run("explain", "VNM", "--from", "2011", "--to", "2014", code=2)


def test_sensitivity_same_seed_same_output(loaded: Path) -> None:
    args = ("sensitivity", "-e", "2024", "--draws", "300", "--seed", "3", "-f", "json")
    first, second = run(*args), run(*args)
    assert first == second
    rows = {r["iso3"]: r for r in json.loads(first)["rows"]}
    assert rows["VNM"]["rank"] == 71 and rows["VNM"]["p05"] <= rows["VNM"]["p95"]


def test_nowcast(loaded: Path) -> None:
    out = json.loads(run("nowcast", "-f", "json"))
    assert out["edition"] == 2026 and [b["predicted"] for b in out["backtest"]] == [2022, 2024]
    assert "VNM in 2026" in run("nowcast")


def test_unknown_country_and_component(loaded: Path) -> None:
    assert "unknown country name" in run("simulate", "-e", "2024", "-c", "Atlantis", "--set", "hci=0.8", code=2)
    assert "unknown indicator" in run("simulate", "-e", "2024", "-c", "VNM", "--set", "hcx=0.8", code=2)
    assert "not loaded" in run("simulate", "-e", "2011", "-c", "VNM", "--set", "hci=0.8", code=2)


def test_csv_is_a_header_and_rows_at_the_sources_precision(loaded: Path) -> None:
    result = CliRunner().invoke(app, ["target", "-e", "2024", "-c", "VNM", "--rank", "50", "-f", "csv"])
    lines = result.stdout.splitlines()
    assert result.exit_code == 0 and lines[0] == "indicator,from,to,increase,owner"  # the summary went to stderr
    assert "reaches rank 50" in result.stderr
    for line in lines[1:]:
        for cell in line.split(","):
            assert not re.fullmatch(r"-?\d+\.\d{6,}", cell), line  # 5 decimals, as the UN publishes


def test_json_and_csv_numbers_have_the_un_precision(loaded: Path) -> None:
    """5 decimals, the UN's precision, in every analysis output; CSV is a header and rows only."""
    outputs = [
        run("simulate", "-e", "2024", "-c", "VNM", "--set", "hci=0.8", "-f", "json"),
        run("target", "-e", "2024", "-c", "VNM", "--region", "asean", "--region-rank", "4", "-f", "json"),
        run("explain", "VNM", "--from", "2022", "--to", "2024", "-f", "json"),
    ]
    floats = [f for text in outputs for f in floats_in(json.loads(text))]
    assert floats and all(round(f, 5) == f for f in floats), [f for f in floats if round(f, 5) != f][:5]
    csv_text = runner.invoke(app, ["target", "-e", "2024", "-c", "VNM", "--rank", "60", "-f", "csv"]).stdout
    assert csv_text.splitlines()[0] == "indicator,from,to,increase,owner"
    assert all(len(cell.split(".")[-1]) <= 5 for line in csv_text.splitlines()[1:] for cell in line.split(",")[1:4])
