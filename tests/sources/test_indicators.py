from pathlib import Path

import pytest

from egovindex.sources.files import InputError
from egovindex.sources.indicators import parse_series, read_many, read_series


def test_long_layout() -> None:
    panel, source = parse_series("s.csv", b"iso3,indicator,year,value,source\nVNM,internet_users_pct,2021,74.2,ITU\n")
    assert panel.get("VNM", "internet_users_pct", 2021) == 74.2 and source.size > 0


def test_wide_layout_makes_one_indicator_per_column() -> None:
    panel, _ = parse_series(
        "w.csv", b"iso3,country,year,expected_years_schooling,mean_years_schooling\nVNM,Viet Nam,2022,13.0,\n"
    )
    assert panel.get("VNM", "expected_years_schooling", 2022) == 13.0
    assert panel.get("VNM", "mean_years_schooling", 2022) is None


def test_owid_layout_maps_titles_and_skips_aggregates() -> None:
    text = (
        "Entity,Code,Year,Fixed telephone subscriptions (per 100 people)\n"
        "Viet Nam,VNM,2015,6.0\nWorld,OWID_WRL,2015,14.0\nKosovo,OWID_KOS,2015,4.0\nAsia,,2015,10.0\n"
    )
    panel, _ = parse_series("o.csv", text.encode())
    assert panel.entities() == ["VNM", "XKX"] and panel.indicators() == ["fixed_telephone_per100"]


def test_every_problem_names_file_row_and_column() -> None:
    text = b"iso3,indicator,year,value\nVNM,x,2021,abc\nViet Nam,x,2021,1\nVNM,x,20X1,1\nTHA,x,2021,1\nTHA,x,2021,2\n"
    with pytest.raises(InputError) as err:
        parse_series("bad.csv", text)
    assert [str(p) for p in err.value.problems] == [
        "bad.csv, row 2, column 'value': 'abc' is not a number",
        "bad.csv, row 3, column 'iso3': 'VIET NAM' is not an ISO3 code",
        "bad.csv, row 4, column 'year': '20X1' is not a year",
        "bad.csv, row 6, column 'value': THA x 2021 repeats row 5",
    ]
    with pytest.raises(InputError, match="missing column 'year'"):
        parse_series("bad.csv", b"iso3,indicator,value\nVNM,x,1\n")


def test_first_file_wins_later_files_fill_gaps(tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_text("iso3,indicator,year,value\nVNM,x,2020,1\n")
    b.write_text("iso3,indicator,year,value\nVNM,x,2020,9\nVNM,x,2019,2\n")
    panel, sources = read_many([a, b])
    assert panel.get("VNM", "x", 2020) == 1 and panel.get("VNM", "x", 2019) == 2 and len(sources) == 2


def test_reference_series_read(reference: Path) -> None:
    panel, _ = read_series(reference / "indicators/undp_hdr_eys_mys_1990_2022.csv")
    assert panel.get("VNM", "mean_years_schooling", 2022) == pytest.approx(8.4, abs=0.5)
