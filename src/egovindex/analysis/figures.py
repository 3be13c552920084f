"""The simulator's figures, shown by the web pages and the reports: what-if on components (and raw
indicators), target seeking, rank-change explanation, sensitivity bands and the nowcast. Contexts shared by the
HTML pages, their JSON twins and the reports."""

from __future__ import annotations

from typing import Any

from egovindex.analysis.state import AnalysisError
from egovindex.domain import Edition
from egovindex.errors import NotFoundError


def _edition(editions: dict[int, Edition], year: int) -> Edition:
    if year not in editions:
        raise NotFoundError(f"edition {year} is not loaded")
    return editions[year]


def whatif(editions: dict[int, Edition], year: int, country: str, values: dict[str, float | None]) -> dict[str, Any]:
    """Set OSI, TII and HCI of one country (the ones given) and compare every country before and after."""
    from egovindex.analysis.simulate import Change, simulate

    changes = [Change(country.upper(), k, "set", v) for k, v in values.items() if v is not None]
    try:
        sim = simulate(_edition(editions, year), changes, region="asean")
    except AnalysisError as exc:
        raise NotFoundError(str(exc)) from None
    moved = [e for e in sim.after if sim.after[e]["rank"] != sim.before[e]["rank"]]
    return {
        "edition": year,
        "country": country.upper(),
        "changes": [c.describe() for c in changes],
        "before": sim.before.get(country.upper()),
        "after": sim.after.get(country.upper()),
        "countries_moved": len(moved),
    }


def release_whatif(editions: dict[int, Edition], year: int, values: dict[str, float], raw: Any) -> dict[str, Any]:
    """What a release's national values would do to Viet Nam's rank (raw-indicator level, every country
    recomputed with the edition's method)."""
    from egovindex.analysis.simulate import national_changes, simulate

    edition = _edition(editions, year)
    changes, _ = national_changes(edition, values, raw)
    try:
        sim = simulate(edition, changes, region="asean", raw=raw, report=["VNM"])
    except AnalysisError as exc:
        raise NotFoundError(str(exc)) from None
    return {
        "edition": year,
        "changes": [c.describe() for c in changes],
        "set": {c.target: c.value for c in changes},
        "unused": sorted(set(values) - {c.target for c in changes}),
        "before": sim.before["VNM"],
        "after": sim.after["VNM"],
    }


def raw_whatif(
    editions: dict[int, Edition], year: int, country: str, values: dict[str, float], raw: Any
) -> dict[str, Any]:
    """Set raw TII/HCI indicators of one country (e.g. fixed broadband per 100 = 30): TII and HCI of every
    country recomputed with the edition's method (one change moves the mean, sd, min and max), then EGDI and
    ranks. Only indicators the loaded raw series can recompute are accepted."""
    from egovindex.analysis.simulate import Change, raw_leaves, simulate

    edition = _edition(editions, year)
    usable = raw_leaves(edition, raw)
    unknown = sorted(set(values) - usable)
    if unknown:
        raise NotFoundError(
            f"{', '.join(unknown)}: not a raw indicator of {year} in the loaded series; use {', '.join(sorted(usable))}"
        )
    code = country.upper()
    changes = [Change(code, leaf, "set", v) for leaf, v in sorted(values.items())]
    try:
        sim = simulate(edition, changes, region="asean", raw=raw, report=[code])
    except AnalysisError as exc:
        raise NotFoundError(str(exc)) from None
    return {
        "edition": year,
        "country": code,
        "indicators": sorted(usable),
        "changes": [c.describe() for c in changes],
        "set": {c.target: c.value for c in changes},
        "before": sim.before[code],
        "after": sim.after[code],
    }


def target(
    editions: dict[int, Edition], year: int, country: str, rank: int | None, region_rank: int | None
) -> dict[str, Any]:
    from egovindex.analysis.target import Target, seek

    try:
        result = seek(
            _edition(editions, year),
            country.upper(),
            Target(rank=rank, region="asean" if region_rank else None, region_rank=region_rank),
        )
    except AnalysisError as exc:
        raise NotFoundError(str(exc)) from None
    return result.to_dict()


def explain(editions: dict[int, Edition], country: str, year_from: int, year_to: int) -> dict[str, Any]:
    from egovindex.analysis.explain import explain as run

    try:
        return run(_edition(editions, year_from), _edition(editions, year_to), country.upper()).to_dict()
    except AnalysisError as exc:
        raise NotFoundError(str(exc)) from None


def nowcast(editions: dict[int, Edition], country: str) -> dict[str, Any]:
    from egovindex.analysis import nowcast as nc

    try:
        projection = nc.project(list(editions.values()))
        tests = [nc.backtest(list(editions.values()), y) for y in (2022, 2024) if y in editions]
    except AnalysisError as exc:
        raise NotFoundError(str(exc)) from None
    code = country.upper()
    lo, hi = projection.interval.get(code, (None, None))
    return {
        "edition": projection.year,
        "based_on": projection.based_on,
        "country": code,
        "rank": projection.rank.get(code),
        "rank_p05": lo,
        "rank_p95": hi,
        "egdi": projection.egdi.get(code),
        "backtest": [
            {
                "predicted": t.predicted,
                "mae_nowcast": t.mae_nowcast,
                "mae_naive": t.mae_naive,
                "within_interval": t.within_interval,
                "better": t.winner,
            }
            for t in tests
        ],
    }


def sensitivity(editions: dict[int, Edition], year: int, country: str, draws: int, seed: int) -> dict[str, Any]:
    from egovindex.analysis import sensitivity as sa

    draws = max(100, min(draws, 20_000))
    edition = _edition(editions, year)
    result = sa.run(edition, sa.DrawOptions(draws=draws, seed=seed))
    code = country.upper()
    rows = {r["iso3"]: r for r in result.rows({r.iso3: r.country_name for r in edition.rows})}
    if code not in rows:
        raise NotFoundError(f"{code} is not assessed in {year}")
    from egovindex.sources.countries import group_members

    asean = [rows[c] for c in group_members("asean", at=year) if c in rows]
    return {
        "edition": year,
        "draws": draws,
        "seed": seed,
        "country": rows[code],
        "asean": sorted(asean, key=lambda r: r["rank"]),
    }


def bands_chart(bands: dict[str, Any], lang: str) -> Any:
    """The sensitivity bands of ASEAN as an SVG chart, with a text description."""
    from egovindex import charts
    from egovindex.sources.countries import country_name
    from egovindex.translations import gettext

    _ = gettext(lang)
    rows = [
        {
            "country": country_name(r["iso3"], lang, r["country"]),
            "median": r["median_rank"],
            "p05": r["p05"],
            "p95": r["p95"],
            "highlight": r["iso3"] == bands["country"]["iso3"],
        }
        for r in bands["asean"]
    ]
    return charts.rank_bands(
        rows,
        title=_("Rank under uncertain weights, method and data, {year}").format(year=bands["edition"]),
        rank_label=_("Rank among UN Member States (median, 5-95%)"),
        description="; ".join(
            f"{r['country']}: {_short(r['median'], lang)} ({_short(r['p05'], lang)}-{_short(r['p95'], lang)})"
            for r in rows
        ),
        lang=lang,
    )


def _short(value: float, lang: str) -> str:
    """A rank or a percentile of ranks as short as it goes (71, 52,95 in Vietnamese)."""
    text = f"{value:g}"
    return text.replace(".", ",") if lang == "vi" else text


def indicator_names(year: int, lang: str) -> dict[str, str]:
    """The name of every indicator and component of an edition's method (its code -> its name in ``lang``), as
    the methodology gives them."""
    from egovindex import methodologies

    nodes = methodologies.egdi(year).nodes
    return {n.code: (n.name_vi or n.name) if lang == "vi" else (n.name or n.code) for n in nodes}


def explain_labels(lang: str) -> dict[str, str]:
    """What each part of a rank-change explanation (``explain``'s ``parts``) is, in ``lang``."""
    from egovindex.translations import gettext

    _ = gettext(lang)
    return {
        "own_osi": _("Its own OSI"),
        "own_tii": _("Its own TII"),
        "own_hci": _("Its own HCI"),
        "others": _("The other countries"),
        "method": _("The method (the EGDI weights)"),
        "published_ties": _("Ties at the published precision"),
    }
