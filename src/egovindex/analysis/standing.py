"""Where a country stands, as every face shows it: the overview, an edition's ranking, a country's history and
a comparison. Each is one function that returns ``(data, view)``: ``data`` is what the JSON twin returns and what
downloads contain; ``view`` adds what only the HTML needs (charts, labels). HTML and JSON are built from the same
data, so they cannot disagree.

Rows name a country twice: ``country`` is the UN's name (as the edition publishes it) and ``country_name`` its name
in the page's language (``sources.countries.country_name``: the UN's in English, CLDR's in Vietnamese)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from egovindex import charts, methodologies
from egovindex.domain import Edition
from egovindex.errors import NotFoundError
from egovindex.sources.countries import (
    area_names,
    countries,
    country_name,
    group_members,
    region_members,
    region_name,
)
from egovindex.survey.egdi import profile, ranking
from egovindex.translations import gettext, number

COUNTRY = "VNM"


def overview(
    editions: dict[int, Edition],
    lang: str,
    today: dt.date | None = None,
    released: dict[str, dict[str, Any]] | None = None,
) -> tuple[dict, dict]:
    """Viet Nam's position; ``released`` gives the newest released national statistics (``{statistic: {"value",
    "period", ...}}``) that the targets are compared with, besides the EGDI rank."""
    _ = gettext(lang)
    today = today or dt.date.today()
    if not editions:
        raise NotFoundError(_("No edition is loaded yet."))
    latest = editions[max(editions)]
    history = profile(list(editions.values()), COUNTRY)
    now = history[-1]
    asean = ranking(latest, region="asean")
    data = {
        "country": COUNTRY,
        "edition": latest.year,
        "rank": now["rank"],
        "egdi": now["egdi"],
        "osi": now["osi"],
        "tii": now["tii"],
        "hci": now["hci"],
        "group": now["group"],
        "asean_rank": now["asean_rank"],
        "asean_members": len(asean),
        "trend": [
            {"edition": h["edition"], "rank": h["rank"], "egdi": h["egdi"], "asean_rank": h["asean_rank"]}
            for h in history
        ],
        "asean": [
            {
                "iso3": r["iso3"],
                "country": r["country"],
                "country_name": country_name(r["iso3"], lang, r["country"]),
                "egdi": r["egdi"],
                "rank": r["rank"],
                "region_rank": r["region_rank"],
            }
            for r in asean
        ],
        "targets": targets(history, today, released or {}),
        "deadlines": deadlines(today),
    }
    name = country_name(COUNTRY, lang, latest.row(COUNTRY).country_name)
    chart = charts.rank_trend(
        [{"edition": h["edition"], "rank": h["rank"], "country": name} for h in history if h["rank"]],
        title=_("Viet Nam's EGDI rank, 2003-2024"),
        rank_label=_("Rank among UN Member States"),
        edition_label=_("Survey edition"),
        description=_("Line chart of Viet Nam's rank by edition: ")
        + ", ".join(f"{h['edition']}: {h['rank']}" for h in history if h["rank"]),
        lang=lang,
    )
    return data, {"trend_chart": chart}


def targets(history: list[dict[str, Any]], today: dt.date, released: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The national targets, their status and gap: the EGDI rank ones against the latest edition, the others
    against the newest released value of their statistic (computed from dossier records where they are)."""
    from egovindex.analysis.national_targets import status

    return status(history[-1]["rank"], history[-1]["asean_rank"], released, today)


def deadlines(today: dt.date, count: int = 3) -> list[dict[str, str]]:
    from egovindex.domain.periods import Period

    out = []
    period = Period(today.year, (today.month - 1) // 3 + 1).previous()
    while len(out) < count:
        if period.deadline >= today:
            out.append({"period": str(period), "deadline": period.deadline.isoformat()})
        period = period.next()
    return out


GROUPS = ("Very High", "High", "Middle", "Low")
SORTS = ("rank", "egdi", "osi", "tii", "hci", "country")


def egdi_ranking(
    editions: dict[int, Edition],
    year: int,
    *,
    region: str | None = None,
    subregion: str | None = None,
    group: str | None = None,
    sort: str = "rank",
    lang: str = "vi",
) -> tuple[dict, dict]:
    _ = gettext(lang)
    if year not in editions:
        raise NotFoundError(_("Edition {year} is not loaded.").format(year=year))
    edition = editions[year]
    rows = ranking(edition, components=True)
    table = []
    for r in rows:
        c = countries().get(r["iso3"])
        table.append(
            {
                "iso3": r["iso3"],
                "country": r["country"],
                "country_name": country_name(r["iso3"], lang, r["country"]),
                "egdi": r["egdi"],
                "rank": r["rank"],
                "group": r["group"],
                "osi": r["osi"],
                "tii": r["tii"],
                "hci": r["hci"],
                "region": c.region if c else None,
                "subregion": c.subregion if c else None,
            }
        )
    filters = {"region": region, "subregion": subregion, "group": group}
    for key, code in (("region", region), ("subregion", subregion)):
        if code:
            try:
                members = set(region_members(code, at=year))
            except KeyError:
                raise NotFoundError(_("Unknown region {code}.").format(code=code)) from None
            table = [r for r in table if r["iso3"] in members]
            filters[key] = region_name(code)
    if group:
        if group not in GROUPS:
            raise NotFoundError(_("Unknown group {group}.").format(group=group))
        table = [r for r in table if r["group"] == group]
    if sort not in SORTS:
        raise NotFoundError(_("Unknown sort {sort}.").format(sort=sort))
    if sort == "country":
        table.sort(key=lambda r: alphabetical(r["country_name"]))
    elif sort != "rank":
        table.sort(key=lambda r: -(r[sort] or 0))
    data = {
        "edition": year,
        "methodology": methodologies.egdi(year).id,
        "filters": filters,
        "sort": sort,
        "rows": table,
        "not_assessed": [
            {
                "iso3": r.iso3,
                "country": r.country_name,
                "country_name": country_name(r.iso3, lang, r.country_name),
                "reason": r.reason,
            }
            for r in edition.rows
            if not r.assessed
        ],
    }
    view = {
        "editions": sorted(editions),
        "groups": GROUPS,
        "sorts": SORTS,
        "sort_labels": {
            "rank": _("Rank"),
            "egdi": "EGDI",
            "osi": "OSI",
            "tii": "TII",
            "hci": "HCI",
            "country": _("Country"),
        },
        "areas": area_names(lang),
        "reasons": {r["iso3"]: not_assessed_reason(r["reason"], lang) for r in data["not_assessed"]},
    }
    return data, view


def not_assessed_reason(reason: str | None, lang: str) -> str:
    """Why a country is not assessed, in ``lang`` (the reader joins its reasons with "; ")."""
    _ = gettext(lang)
    known = {
        "not a Member State at the time of the survey": _("not a Member State at the time of the survey"),
        "not online: no national portal found": _("not online: no national portal found"),
        "no human-capital data": _("no human-capital data"),
        "no telecommunication-infrastructure data": _("no telecommunication-infrastructure data"),
        "no data": _("no data"),
    }
    return "; ".join(known.get(part, part) for part in (reason or "no data").split("; "))


def alphabetical(name: str) -> tuple[str, str]:
    """A sort key for names in Vietnamese and English: letters without their marks first ("Ấn Độ" among the A,
    "Đức" among the D)."""
    import unicodedata

    bare = "".join(ch for ch in unicodedata.normalize("NFD", name) if not unicodedata.combining(ch))
    return bare.replace("Đ", "D").replace("đ", "d").casefold(), name


def country(editions: dict[int, Edition], iso3: str, lang: str) -> tuple[dict, dict]:
    _ = gettext(lang)
    iso3 = iso3.upper()
    if iso3 not in countries():
        raise NotFoundError(_("Unknown country {iso3}.").format(iso3=iso3))
    history = profile(list(editions.values()), iso3)
    if not history:
        raise NotFoundError(_("{iso3} is in no loaded edition.").format(iso3=iso3))
    c = countries()[iso3]
    un_name = next((e.row(iso3).country_name for e in editions.values() if any(r.iso3 == iso3 for r in e.rows)), c.name)
    name = country_name(iso3, lang, un_name)
    data = {
        "iso3": iso3,
        "country": un_name,
        "country_name": name,
        "region": c.region,
        "subregion": c.subregion,
        "asean": iso3 in group_members("asean"),
        "history": history,
    }
    chart = charts.rank_trend(
        [{"edition": h["edition"], "rank": h["rank"], "country": name} for h in history if h["rank"]],
        title=_("EGDI rank of {country}").format(country=name),
        rank_label=_("Rank among UN Member States"),
        edition_label=_("Survey edition"),
        description=", ".join(f"{h['edition']}: {h['rank']}" for h in history if h["rank"]),
        lang=lang,
    )
    areas = area_names(lang)
    return data, {"trend_chart": chart, "region": areas[c.region], "subregion": areas[c.subregion]}


def compare(editions: dict[int, Edition], iso3s: list[str], year: int, lang: str) -> tuple[dict, dict]:
    from egovindex.survey.egdi import compare as side_by_side

    _ = gettext(lang)
    if year not in editions:
        raise NotFoundError(_("Edition {year} is not loaded.").format(year=year))
    codes = [c.upper() for c in iso3s if c.strip()]
    unknown = [c for c in codes if c not in countries()]
    if unknown or not codes:
        raise NotFoundError(_("Unknown country {iso3}.").format(iso3=", ".join(unknown) or "-"))
    try:
        rows = side_by_side(editions[year], codes)
    except KeyError as exc:
        raise NotFoundError(str(exc.args[0])) from None
    for r in rows:
        r["country_name"] = country_name(r["iso3"], lang, r["country"])
    names = {r["iso3"]: r["country_name"] for r in rows}
    trend = [
        {"edition": h["edition"], "rank": h["rank"], "country": names[c]}
        for c in codes
        for h in profile(list(editions.values()), c)
        if h["rank"]
    ]
    bars = [
        {"component": k.upper(), "value": r[k], "country": r["country_name"]}
        for r in rows
        for k in ("egdi", "osi", "tii", "hci")
        if r[k] is not None
    ]
    view = {
        "trend_chart": charts.rank_trend(
            trend,
            title=_("EGDI rank by edition"),
            rank_label=_("Rank among UN Member States"),
            edition_label=_("Survey edition"),
            description=_("Rank by edition of ") + ", ".join(names[c] for c in codes),
            lang=lang,
        ),
        "components_chart": charts.components(
            bars,
            title=_("EGDI and its components, {year}").format(year=year),
            value_label=_("Index value (0-1)"),
            description="; ".join(f"{b['country']} {b['component']} {number(b['value'], lang)}" for b in bars),
            lang=lang,
        ),
    }
    return {"edition": year, "countries": codes, "rows": rows}, view
