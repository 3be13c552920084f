"""The UN Data Center reader on every header variant of the reference data, and on bad input."""

from pathlib import Path

import pytest

from egovindex.sources.files import InputError
from egovindex.sources.load import reference_files
from egovindex.sources.undata import parse_undata, read_undata

HEADER = (
    "Survey Year,Country Name,E-Government Rank,E-Government Index,E-Participation Index,"
    "Online Service Index,Human Capital Index,Telecommunication Infrastructure Index\n"
)


def test_every_reference_export_reads(reference: Path) -> None:
    years = []
    for path in reference_files(reference):
        (edition,) = read_undata(path)
        assert len(edition.rows) == 193
        assert len({r.iso3 for r in edition.rows}) == 193
        assert not any(r.country_name != r.country_name.strip() for r in edition.rows)
        years.append(edition.year)
    assert years == [2003, 2004, 2005, 2008, 2010, 2012, 2014, 2016, 2018, 2020, 2022, 2024]


@pytest.mark.parametrize("name", ["egdi-2010.csv", "egdi-2014.xlsx", "egdi-2018.xlsx"])
def test_unu_layout_takes_the_year_from_the_file_name(reference: Path, name: str) -> None:
    (edition,) = read_undata(reference / "egdi/raw/UNU-EGOV-datasets" / name)
    assert edition.year == int(name[5:9]) and len(edition.rows) == 193
    normalised = {r.iso3: r for r in read_undata(reference / f"egdi/egdi_{edition.year}.csv")[0].rows}
    for r in edition.rows:
        assert r.egdi == pytest.approx(normalised[r.iso3].egdi, abs=1e-12)
        assert r.rank == normalised[r.iso3].rank


def test_renamed_2024_columns_and_region(reference: Path) -> None:
    (e,) = read_undata(reference / "egdi/raw/Estadistica1CienciaPolitica/EGOV_DATA_2024.csv")
    vnm = e.row("VNM")
    assert (vnm.rank, vnm.egdi, vnm.osi, vnm.hci, vnm.tii, vnm.epi) == (71, 0.77092, 0.70811, 0.72665, 0.87797, 0.6027)
    assert vnm.region == "Asia" and vnm.country_name == "Viet Nam"


def test_multi_edition_file(reference: Path) -> None:
    editions = read_undata(reference / "egdi/egdi_all_years.csv")  # a compilation without 2012
    assert [e.year for e in editions] == [2003, 2004, 2005, 2008, 2010, 2014, 2016, 2018, 2020, 2022, 2024]


def test_placeholder_rows_are_not_assessed(reference: Path) -> None:
    (e2003,) = read_undata(reference / "egdi/raw/text-mining-week1/EGOV_DATA_2003.csv")
    not_assessed = {r.iso3: r.reason for r in e2003.rows if not r.assessed}
    assert len(not_assessed) == 20
    assert not_assessed["MNE"].startswith("not a Member State") and not_assessed["SSD"].startswith("not a Member")
    assert sum(1 for r in not_assessed.values() if r.startswith("not online")) == 18
    (e2010,) = read_undata(reference / "egdi/raw/text-mining-week1/EGOV_DATA_2010.csv")
    assert sum(1 for r in e2010.rows if "no human-capital data" in (r.reason or "")) == 9
    assert e2010.row("SOM").reason == "not online: no national portal found; no human-capital data"


@pytest.mark.parametrize(("year", "decimals"), [(2003, 5), (2008, 4), (2018, 4), (2020, 4), (2022, 4), (2024, 5)])
def test_published_precision(reference: Path, year: int, decimals: int) -> None:
    (e,) = read_undata(reference / f"egdi/egdi_{year}.csv")
    assert e.decimals == decimals
    assert e.tolerance == {5: 5e-5, 4: 7e-5}[decimals]


def test_provenance_is_recorded(reference: Path) -> None:
    import hashlib

    path = reference / "egdi/egdi_2016.csv"
    (e,) = read_undata(path)
    assert e.source.uri == str(path) and e.source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert e.source.size == path.stat().st_size and e.source.retrieved_at.year >= 2025


def _problems(text: str, name: str = "bad_2024.csv") -> list[str]:
    with pytest.raises(InputError) as err:
        parse_undata(name, text.encode())
    return [str(p) for p in err.value.problems]


def test_missing_column_names_file_row_and_column() -> None:
    text = HEADER.replace(",Human Capital Index", "") + "2024,Viet Nam,71,0.77092,0.6027,0.70811,0.87797\n"
    assert _problems(text) == [
        "bad_2024.csv, row 1, column 'hci': missing column 'hci' (header: Survey Year, "
        "Country Name, E-Government Rank, E-Government Index, E-Participation Index, "
        "Online Service Index, Telecommunication Infrastructure Index)"
    ]


def test_non_numeric_duplicate_and_unknown_country_are_all_reported() -> None:
    text = HEADER + (
        "2024,Viet Nam ,71,0.77092,0.6027,0.70811,0.72665,0.87797\n"
        "2024,Thailand,52,0.83509,0.7534,n/a,0.80300,0.94101\n"
        "2024,Viet Nam,71,0.77092,0.6027,0.70811,0.72665,0.87797\n"
        "2024,Atlantis,200,0.1,0.1,0.1,0.1,0.1\n"
    )
    assert _problems(text) == [
        "bad_2024.csv, row 3, column 'Online Service Index': 'n/a' is not a number",
        "bad_2024.csv, row 5, column 'Country Name': unknown country name 'Atlantis'",
        "bad_2024.csv, row 4, column 'country': 'Viet Nam' (VNM) appears again in 2024; first at row 2",
    ]


def test_unsupported_file_type() -> None:
    assert "unsupported file type .txt" in _problems("x", name="data.txt")[0]
