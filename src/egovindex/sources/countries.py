"""Countries: names -> ISO3, UN M49 regions and sub-regions, and country groups (ASEAN) with dates; and the
names of countries and regions in a page's language.

The package ships ``data/countries.csv`` (built from country_converter by ``build_country_table``) and
``data/aliases.csv`` (names used by UN Data Center exports). A name is looked up there first; only a name
found in neither is passed to country_converter's regular expressions, so start-up stays light.

Names in English are the UN's; in another language they are those of the Unicode CLDR locale data that Babel
ships (``Locale("vi").territories``, keyed by the ISO 3166 alpha-2 code or the M49 code of a region), never
typed by hand.
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

DATA = resources.files("egovindex.sources") / "data"

M49_SUBREGIONS = {
    "Eastern Africa": ("014", "002"),
    "Middle Africa": ("017", "002"),
    "Northern Africa": ("015", "002"),
    "Southern Africa": ("018", "002"),
    "Western Africa": ("011", "002"),
    "Caribbean": ("029", "019"),
    "Central America": ("013", "019"),
    "South America": ("005", "019"),
    "Northern America": ("021", "019"),
    "Central Asia": ("143", "142"),
    "Eastern Asia": ("030", "142"),
    "South-eastern Asia": ("035", "142"),
    "Southern Asia": ("034", "142"),
    "Western Asia": ("145", "142"),
    "Eastern Europe": ("151", "150"),
    "Northern Europe": ("154", "150"),
    "Southern Europe": ("039", "150"),
    "Western Europe": ("155", "150"),
    "Australia and New Zealand": ("053", "009"),
    "Melanesia": ("054", "009"),
    "Micronesia": ("057", "009"),
    "Polynesia": ("061", "009"),
}
M49_REGIONS = {"002": "Africa", "019": "Americas", "142": "Asia", "150": "Europe", "009": "Oceania"}


class UnknownCountryError(LookupError):
    """A country name that neither the alias table nor country_converter recognises."""


@dataclass(frozen=True)
class Country:
    iso3: str
    m49: str
    name: str
    region_code: str
    region: str
    subregion_code: str
    subregion: str
    un_member_since: int | None
    iso2: str = ""


def _key(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold().replace("’", "'")
    return " ".join(text.replace(",", " ").split())


@cache
def countries() -> dict[str, Country]:
    """Every country and territory of the packaged table, by ISO3."""
    with (DATA / "countries.csv").open(encoding="utf-8") as fh:
        return {
            r["iso3"]: Country(
                iso3=r["iso3"],
                m49=r["m49"],
                name=r["name"],
                region_code=r["region_code"],
                region=r["region"],
                subregion_code=r["subregion_code"],
                subregion=r["subregion"],
                un_member_since=int(r["un_member_since"]) if r["un_member_since"] else None,
                iso2=r.get("iso2") or "",
            )
            for r in csv.DictReader(fh)
        }


@cache
def _name_index() -> dict[str, str]:
    index: dict[str, str] = {}
    with (DATA / "countries.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            for name in (r["name"], r["name_official"], r["iso3"]):
                if name:
                    index[_key(name)] = r["iso3"]
    with (DATA / "aliases.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            index[_key(r["name"])] = r["iso3"]
    return index


def to_iso3(name: str) -> str:
    """The ISO3 code of a country name ("Viet Nam ", "Türkiye", "Côte d'Ivoire"); raises UnknownCountryError."""
    key = _key(name)
    if not key:
        raise UnknownCountryError("empty country name")
    found = _name_index().get(key)
    if found:
        return found
    found = _coco(name.strip())
    if found:
        _name_index()[key] = found
        return found
    raise UnknownCountryError(f"unknown country name {name.strip()!r}")


def _coco(name: str) -> str | None:
    import logging

    logging.getLogger("country_converter").setLevel(logging.ERROR)
    result = _converter().convert(name, to="ISO3", not_found=None)
    if isinstance(result, list):  # several matches: ambiguous
        return None
    return result if isinstance(result, str) and len(result) == 3 and result in countries() else None


@cache
def _converter():  # type: ignore[no-untyped-def]
    import country_converter as coco

    return coco.CountryConverter()


# --------------------------------------------------------------------------------------------- groups
@cache
def _groups() -> dict[str, dict[str, tuple[dt.date, dt.date | None]]]:
    import yaml

    text = (DATA / "groups.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    out: dict[str, dict[str, tuple[dt.date, dt.date | None]]] = {}
    for code, spec in raw["groups"].items():
        out[code] = {m["iso3"]: (m["since"], m.get("until")) for m in spec["members"]}
    return out


def group_members(group: str, *, at: dt.date | int | None = None) -> list[str]:
    """Members of a country group (``asean``) on a date, or at the end of a survey year given as an int.

    ``group_members("asean", at=2024)`` has 10 members; from 26 October 2025 Timor-Leste is the 11th.
    """
    groups = _groups()
    if group not in groups:
        raise KeyError(f"unknown country group {group!r}; known: {', '.join(sorted(groups))}")
    if at is None:
        at = dt.date.today()
    elif isinstance(at, int):
        at = dt.date(at, 12, 31)
    return sorted(
        iso3 for iso3, (since, until) in groups[group].items() if since <= at and (until is None or at < until)
    )


def region_members(code: str, *, at: dt.date | int | None = None) -> list[str]:
    """Members of ``asean`` (or another named group) or of a UN M49 region or sub-region code ("035")."""
    if code.lower() in _groups():
        return group_members(code.lower(), at=at)
    code = code.zfill(3)
    found = sorted(c.iso3 for c in countries().values() if code in (c.region_code, c.subregion_code))
    if not found:
        raise KeyError(f"unknown region {code!r}: give 'asean' or a UN M49 region or sub-region code")
    return found


def region_name(code: str, lang: str = "en") -> str:
    """The name of a group (``asean``: "ASEAN") or of a UN M49 region or sub-region code: the UN's in English,
    CLDR's in another language."""
    if code.lower() in _groups():
        return code.upper()
    code = code.zfill(3)
    english = M49_REGIONS.get(code) or next((n for n, (sub, _) in M49_SUBREGIONS.items() if sub == code), None)
    if english is None:
        raise KeyError(code)
    return english if lang == "en" else _territories(lang).get(code, english)


# --------------------------------------------------------------------------------------------- names
def country_name(iso3: str, lang: str, un_name: str | None = None) -> str:
    """A country's name in ``lang``: in English the UN's (``un_name``, as an edition publishes it, else the
    table's); in another language CLDR's name of its ISO 3166 alpha-2 code ("VNM" in Vietnamese: "Việt Nam")."""
    c = countries().get(iso3.upper())
    english = un_name or (c.name if c else iso3)
    if lang == "en" or c is None or not c.iso2:
        return english
    return _territories(lang).get(c.iso2, english)


def area_names(lang: str) -> dict[str, str]:
    """Every UN M49 region and sub-region name (as ``Country.region`` and ``Country.subregion`` give them) ->
    its name in ``lang``."""
    codes = {**{name: code for code, name in M49_REGIONS.items()}, **{n: s for n, (s, _) in M49_SUBREGIONS.items()}}
    return {name: region_name(code, lang) for name, code in codes.items()}


@cache
def _territories(lang: str) -> dict[str, str]:
    from babel import Locale

    return dict(Locale.parse(lang).territories)


# --------------------------------------------------------------------------------------------- build
def build_country_table(path: Path) -> int:
    """Write ``countries.csv`` from country_converter's table (maintenance; run when it is updated)."""
    import country_converter as coco
    import pandas as pd

    converter = coco.CountryConverter()
    data = converter.data
    iso2 = dict(zip(data["ISO3"], converter.convert(list(data["ISO3"]), src="ISO3", to="ISO2"), strict=True))
    rows = []
    for _, r in data.iterrows():
        sub = r["UNregion"]
        if sub not in M49_SUBREGIONS:
            continue
        sub_code, region_code = M49_SUBREGIONS[sub]
        member = r["UNmember"]
        member = "" if pd.isna(member) else str(int(member))
        rows.append(
            {
                "iso3": r["ISO3"],
                "m49": "" if pd.isna(r["UNcode"]) else f"{int(r['UNcode']):03d}",
                "name": r["name_short"],
                "name_official": r["name_official"],
                "region_code": region_code,
                "region": M49_REGIONS[region_code],
                "subregion_code": sub_code,
                "subregion": sub,
                "un_member_since": member,
                "iso2": iso2[r["ISO3"]],
            }
        )
    rows.sort(key=lambda r: r["iso3"])
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)
