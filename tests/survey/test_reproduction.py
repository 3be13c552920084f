"""The UN's published EGDI and ranks, reproduced for every edition in the reference data."""

import csv
from pathlib import Path

import pytest

from egovindex.sources.load import reference_files
from egovindex.sources.undata import read_undata
from egovindex.survey.egdi import check, profile, ranking, recompute

EDITIONS = (2003, 2004, 2005, 2008, 2010, 2012, 2014, 2016, 2018, 2020, 2022, 2024)

# Rows of the UN's own 2008 data that fit no formula (README of the reference data, finding 1).
ANOMALIES = {2008: {"KHM", "CMR"}}
# Pairs the UN ranked apart although their EGDI is equal at the published 4 decimals.
TIES_2020 = [
    ("HRV", "HUN", 0.7745, 51, 52),
    ("PER", "MKD", 0.7083, 71, 72),
    ("MDA", "AND", 0.6881, 79, 80),
    ("TJK", "TLS", 0.4649, 133, 134),
]


@pytest.fixture(scope="module")
def editions(reference: Path) -> dict[int, object]:
    return {e.year: e for path in reference_files(reference) for e in read_undata(path)}


@pytest.mark.parametrize("year", EDITIONS)
def test_recomputed_egdi_equals_published_within_precision(editions: dict, year: int) -> None:
    report = check(editions[year])
    assert report.compared == len(editions[year].assessed())
    assert {d.iso3 for d in report.outside} == ANOMALIES.get(year, set())
    if year not in ANOMALIES:
        assert report.max_abs_diff <= report.tolerance


@pytest.mark.parametrize("year", EDITIONS)
def test_recomputed_ranks_equal_published_except_ties_and_anomalies(editions: dict, year: int) -> None:
    report = check(editions[year])
    reasons = {m.reason for m in report.rank_mismatches}
    assert reasons <= {"tie", "anomaly"}
    if year not in ANOMALIES:
        assert report.ok
    else:
        assert {m.iso3 for m in report.rank_mismatches if m.reason == "anomaly"} >= ANOMALIES[year]


def test_2020_ties_at_published_precision_are_reported(editions: dict) -> None:
    assert check(editions[2020]).ties == TIES_2020
    assert all(not check(editions[y]).ties for y in EDITIONS if y != 2020)


def test_2008_anomalies_are_reported_with_their_values(editions: dict) -> None:
    outside = {d.iso3: d for d in check(editions[2008]).outside}
    assert outside["KHM"].published == 0.2989 and outside["KHM"].computed == pytest.approx(0.30172, abs=1e-5)
    assert outside["CMR"].published == 0.2734 and outside["CMR"].computed == pytest.approx(0.28552, abs=1e-5)


def test_viet_nam_asean_rank_per_edition(reference: Path, editions: dict) -> None:
    expected = {}
    with (reference / "egdi/asean_egdi_ranks.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):

            def num(text: str) -> int | None:
                return int(float(text)) if text else None

            expected[(int(row["survey_year"]), row["iso3"])] = (num(row["rank_in_asean10"]), num(row["rank_in_sea11"]))
    # the reference table has no 2012 rows: read off the 2012 export (SGP 10, MYS 40, BRN 54, VNM 83, PHL 88, ...)
    expected.setdefault((2012, "VNM"), (4, 4))
    history = {p["edition"]: p for p in profile(list(editions.values()), "VNM")}
    for year in EDITIONS:
        asean10, sea11 = expected[(year, "VNM")]
        assert history[year]["asean_rank"] == asean10, year
        assert history[year]["subregion_rank"] == sea11, year
    for year in EDITIONS:  # every ASEAN member, not only Viet Nam
        table = {r["iso3"]: r["region_rank"] for r in ranking(editions[year], region="asean")}
        subregion = {r["iso3"]: r["region_rank"] for r in ranking(editions[year], region="035")}
        for (y, iso3), (asean10, sea11) in expected.items():
            if y == year and asean10 is not None:
                assert table[iso3] == asean10, (year, iso3)
            if y == year and sea11 is not None and iso3 in subregion:
                assert subregion[iso3] == sea11, (year, iso3)


def test_viet_nam_profile_matches_press_reports(editions: dict) -> None:
    history = {p["edition"]: p for p in profile(list(editions.values()), "VNM")}
    assert {y: history[y]["rank"] for y in (2014, 2016, 2018, 2020, 2022, 2024)} == {
        2014: 99,
        2016: 89,
        2018: 88,
        2020: 86,
        2022: 86,
        2024: 71,
    }
    assert history[2024]["egdi"] == 0.77092 and history[2024]["group"] == "Very High"
    assert history[2020]["egdi"] == 0.6667 and history[2016]["group"] == "High"


def test_scores_carry_the_methodology(editions: dict) -> None:
    s = recompute(editions[2010])
    assert s.framework_id == "egdi-2010" and s.framework_version == "2010.1" and len(s.entities) == 183
