from pathlib import Path

import pytest

from egovindex.analysis.simulate import Change, load_scenario, parse_change, simulate
from egovindex.analysis.state import AnalysisError

YEARS = (2003, 2004, 2005, 2008, 2010, 2012, 2014, 2016, 2018, 2020, 2022, 2024)


@pytest.mark.parametrize("year", YEARS)
def test_a_scenario_that_changes_nothing_reproduces_the_edition(editions: dict, year: int) -> None:
    e = editions[year]
    for changes in ([], [Change("VNM", "hci", "shift", 0.0)] if year != 2003 else []):
        sim = simulate(e, changes, region="asean")
        assert sim.changed == []
        for r in e.assessed():
            before, after = sim.before[r.iso3], sim.after[r.iso3]
            assert before == after
            assert (after["egdi"], after["rank"], after["osi"], after["tii"], after["hci"]) == (
                r.egdi,
                r.rank,
                r.osi,
                r.tii,
                r.hci,
            )


def test_component_change_moves_the_country_and_no_one_else_s_values(editions: dict) -> None:
    sim = simulate(editions[2024], [Change("VNM", "hci", "set", 0.80)])
    after, before = sim.after["VNM"], sim.before["VNM"]
    assert after["hci"] == 0.80
    assert after["egdi"] == pytest.approx(0.77092 + (0.80 - 0.72665) / 3)
    # countries between 0.77092 and 0.79537 (ranks 65-70) are overtaken: 71 -> 65
    assert (before["rank"], after["rank"]) == (71, 65)
    assert after["region_rank"] == 5 and after["group"] == "Very High"
    assert sim.after["THA"]["egdi"] == sim.before["THA"]["egdi"]
    overtaken = [e for e, row in sim.after.items() if row["rank"] == sim.before[e]["rank"] + 1]
    assert len(overtaken) == 6


def test_relative_shift_and_parsing() -> None:
    assert parse_change("tii=+10%", "VNM", op="shift") == Change("VNM", "tii", "scale", 1.1)
    assert parse_change("hci=0.8", "VNM", op="set") == Change("VNM", "hci", "set", 0.8)
    with pytest.raises(AnalysisError, match="cannot read change"):
        parse_change("hci is 0.8", "VNM", op="set")


def test_unknown_country_component_and_raw_without_series(editions: dict) -> None:
    with pytest.raises(AnalysisError, match="ATL is not assessed"):
        simulate(editions[2024], [Change("ATL", "hci", "set", 0.8)])
    with pytest.raises(AnalysisError, match="need the series"):
        simulate(editions[2024], [Change("VNM", "hcx", "set", 0.8)])


def test_raw_indicator_change_recomputes_every_country(editions: dict, raw) -> None:  # type: ignore[no-untyped-def]
    e = editions[2022]
    same = simulate(e, [Change("VNM", "fixed_broadband_per100", "scale", 1.0)], raw=raw)
    assert same.changed == []
    sim = simulate(e, [Change("VNM", "fixed_broadband_per100", "set", 30.0)], raw=raw)
    assert len(sim.changed) > 150  # one country's value moves the mean, sd, min and max of everyone
    assert sim.after["VNM"]["tii"] > sim.before["VNM"]["tii"]
    assert sim.after["VNM"]["hci"] == sim.before["VNM"]["hci"]
    assert sim.after["VNM"]["rank"] < sim.before["VNM"]["rank"]
    with pytest.raises(AnalysisError, match="unknown indicator"):
        simulate(e, [Change("VNM", "tv_per1000", "set", 3.0)], raw=raw)


def test_scenario_files_combine(tmp_path: Path, editions: dict) -> None:
    a = tmp_path / "hci.yaml"
    a.write_text("name: hci supplied\nchanges:\n  - {country: VNM, component: hci, set: 0.80}\n")
    b = tmp_path / "tii.json"
    b.write_text('{"changes": [{"country": "VNM", "component": "tii", "shift": 0.02}]}')
    changes = [*load_scenario(a).changes, *load_scenario(b).changes]
    sim = simulate(editions[2024], changes)
    assert sim.after["VNM"]["hci"] == 0.80 and sim.after["VNM"]["tii"] == pytest.approx(0.89797)
    bad = tmp_path / "bad.yaml"
    bad.write_text("changes:\n  - {country: VNM, component: hci, set: high}\n")
    with pytest.raises(AnalysisError, match=r"bad.yaml: changes\[0\].set: 'high' is not a number"):
        load_scenario(bad)
