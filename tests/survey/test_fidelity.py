"""TII and HCI recomputed from the public raw series: agreement with the published components."""

from pathlib import Path

import pytest

from egovindex.survey import fidelity
from egovindex.survey.recompute import Rule, prepare, read_series


@pytest.mark.parametrize("year", fidelity.EDITIONS)
def test_plain_reading_ranks_tii_like_the_un(reference: Path, year: int) -> None:
    result = fidelity.run(reference, fidelity.PLAIN, year)
    assert result.agreement["tii"].spearman >= 0.95
    assert result.agreement["tii"].n == 193
    assert result.agreement["hci"].spearman >= 0.9
    assert result.used["tii"] == ["internet_users_pct", "mobile_subs_per100", "fixed_broadband_per100"] or set(
        result.used["tii"]
    ) == {"internet_users_pct", "mobile_subs_per100", "fixed_broadband_per100"}


@pytest.mark.parametrize(
    ("year", "name"), [(2016, "owid+t-2+minmax"), (2018, "owid+minmax"), (2020, "t-2+zero"), (2022, "t-2+zero")]
)
def test_documented_readings_bring_the_mad_down(reference: Path, year: int, name: str) -> None:
    plain = fidelity.run(reference, fidelity.PLAIN, year).agreement["tii"]
    reading = next(r for r in fidelity.readings() if r.name == name)
    better = fidelity.run(reference, reading, year).agreement["tii"]
    assert plain.mad > 0.10
    assert better.mad < 0.06 and better.spearman >= 0.95


def test_combined_enrolment_is_the_mean_of_capped_levels(reference: Path) -> None:
    raw = read_series([reference / "indicators/itu_wdi_indicators.csv"])
    panel = prepare(raw, 2016, Rule())
    levels = [
        raw.latest(2015, lookback=5).get("VNM", lvl, 2015) for lvl in ("ger_primary", "ger_secondary", "ger_tertiary")
    ]
    present = [min(v, 100.0) for v in levels if v is not None]
    assert panel.get("VNM", "ger_combined", 2016) == pytest.approx(sum(present) / len(present))
