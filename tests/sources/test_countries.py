import datetime as dt

import pytest

from egovindex.sources.countries import (
    UnknownCountryError,
    countries,
    group_members,
    region_members,
    region_name,
    to_iso3,
)


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("Viet Nam ", "VNM"),
        ("Türkiye", "TUR"),
        ("Turkey", "TUR"),
        ("Côte d'Ivoire", "CIV"),
        ("The former Yugoslav Republic of Macedonia", "MKD"),
        ("Micronesia (Federated States of)", "FSM"),
        ("Georgia (Country)", "GEO"),
        ("Congo", "COG"),
        ("Democratic Republic of the Congo", "COD"),
        ("lao people's democratic republic", "LAO"),
    ],
)
def test_un_names_resolve_through_the_alias_table(name: str, iso3: str) -> None:
    assert to_iso3(name) == iso3


def test_other_spellings_fall_back_to_country_converter() -> None:
    assert to_iso3("Vietnam") == "VNM"
    assert to_iso3("Korea, Rep.") == "KOR"


def test_unknown_names_are_errors() -> None:
    with pytest.raises(UnknownCountryError, match="Atlantis"):
        to_iso3("Atlantis")


def test_193_member_states_with_m49_regions() -> None:
    members = [c for c in countries().values() if c.un_member_since]
    assert len(members) == 193
    vnm = countries()["VNM"]
    assert (vnm.m49, vnm.region, vnm.subregion_code, vnm.subregion) == ("704", "Asia", "035", "South-eastern Asia")
    assert len(region_members("035")) == 11 and region_name("035") == "South-eastern Asia"
    assert region_name("142") == "Asia"


def test_asean_membership_follows_dates() -> None:
    assert len(group_members("asean", at=2024)) == 10
    assert "TLS" not in group_members("asean", at=dt.date(2025, 10, 25))
    assert "TLS" in group_members("asean", at=dt.date(2025, 10, 26))
    assert len(group_members("asean", at=1990)) == 6
    with pytest.raises(KeyError, match="unknown country group"):
        group_members("eu")
