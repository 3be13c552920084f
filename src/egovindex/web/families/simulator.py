"""The simulator: what-if on components (and raw indicators), the least-cost change to a target rank, the
explanation of the last rank change, the nowcast and the sensitivity bands; with a release, what its national
values would do to Viet Nam's rank. Every figure is computed once per state of the store."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from egovindex.analysis import figures
from egovindex.web import routedoc
from egovindex.web.params import Component, Country, Draws, Rank, RawChanges, RegionRank, ReleaseChoice, Seed
from egovindex.web.site import Site, SiteDep

router = APIRouter()


def raw_changes(
    raw: RawChanges = [],  # noqa: B006 - FastAPI copies defaults
    raw_name_0: str = Query("", max_length=60),
    raw_value_0: str = Query("", max_length=30),
    raw_name_1: str = Query("", max_length=60),
    raw_value_1: str = Query("", max_length=30),
) -> list[str]:
    """The simulator's raw-indicator changes: ``raw=name=value`` (programs), or name and value in two fields each
    (the page's form, which has no script to join them)."""
    pairs = ((raw_name_0, raw_value_0), (raw_name_1, raw_value_1))
    return [r for r in raw if r.strip()] + [f"{n}={v}" for n, v in pairs if n and v.strip()]


def parse_raw(items: list[str]) -> dict[str, float]:
    """``indicator=value`` pairs of the raw-indicator what-if."""
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            number = float("nan")
        if not sep or not name.strip() or number != number or not 0 <= number <= 1e6:
            raise HTTPException(
                status_code=422, detail=f"raw: write indicator=value, e.g. fixed_broadband=30, not {item!r}"
            )
        out[name.strip()] = number
    return out


def _before(site: Site, year: int) -> int:
    earlier = [y for y in site.cache.editions() if y < year]
    if not earlier:
        raise HTTPException(status_code=404, detail=f"no edition before {year} to explain the change")
    return max(earlier)


def _release_whatif(site: Site, release_id: int, year: int) -> dict[str, Any]:
    """What a release's values would do (a release is never changed once made: computed once per release)."""
    from egovindex.store.collection import Release
    from egovindex.store.db import unit_of_work

    with unit_of_work(site.engine.execution_options(readonly=True)) as s:
        rel = s.get(Release, release_id)
        if rel is None:
            raise HTTPException(status_code=404, detail=f"no release {release_id}")
        values = {v.indicator_code: v.value for v in rel.values}
        label = {"id": rel.id, "recipient": rel.recipient, "period": rel.period}
    raw = site.raw_series()
    return {**label, **site.memo(("release", release_id, year), figures.release_whatif, year, values, raw)}


def _raw_indicators(site: Site, year: int) -> list[str]:
    """The raw indicators of an edition that the loaded series can recompute (none without reference data)."""
    from egovindex.analysis.simulate import raw_leaves

    if site.settings.reference_data is None or year not in site.cache.editions():
        return []
    raw = site.raw_series()
    return site.cache.memo(("raw_leaves", year), lambda eds: sorted(raw_leaves(eds[year], raw)))


def figures_of(site: Site, request: Request, form: dict[str, Any]) -> dict[str, Any]:
    """Every figure of the simulator for the form's values (the JSON twin, and the data of the page)."""
    year, country = form["edition"], form["country"]
    components = {k: form[k] for k in ("osi", "tii", "hci")}
    if any(v is not None and not 0 <= v <= 1 for v in components.values()):
        raise HTTPException(status_code=422, detail="component values lie between 0 and 1")
    out = {
        "whatif": site.context(figures.whatif, year, country, components),
        "target": site.context(figures.target, year, country, form["rank"], form["region_rank"]),
        "explain": site.context(figures.explain, country, form["year_from"] or _before(site, year), year),
        "nowcast": site.context(figures.nowcast, country),
    }
    if form["release"] is not None:
        from egovindex.web.identity import reader

        reader(request, "released")
        out["release"] = _release_whatif(site, form["release"], year)
    if form["raw"]:
        values = parse_raw(form["raw"])
        key = ("raw", year, country, tuple(sorted(values.items())))
        out["raw"] = site.memo(key, figures.raw_whatif, year, country, values, site.raw_series())
    return out


def simulator_form(
    edition: int = 2024,
    country: Country = "VNM",
    osi: Component = None,
    tii: Component = None,
    hci: Component = None,
    rank: Rank = 50,
    region_rank: RegionRank = 4,
    year_from: int | None = None,
    release: ReleaseChoice = None,
    raw: list[str] = Depends(raw_changes),
) -> dict[str, Any]:
    """The simulator's inputs, shared by the page and its JSON twin."""
    return {
        "edition": edition,
        "country": country.upper(),
        "osi": osi,
        "tii": tii,
        "hci": hci,
        "rank": rank,
        "region_rank": region_rank,
        "year_from": year_from,
        "release": release,
        "raw": raw,
    }


@router.get("/simulator.json", tags=["simulator"])
def simulator_json(site: SiteDep, request: Request, form: dict[str, Any] = Depends(simulator_form)) -> JSONResponse:
    """What-if on components, the least-cost change to a target rank, the explanation of the last rank
    change and the nowcast, for one country; with ``release``, what that release's national values would do
    to Viet Nam's rank."""
    return site.json(figures_of(site, request, form))


@router.get("/simulator", **routedoc.PAGE)
def simulator(
    site: SiteDep,
    request: Request,
    form: dict[str, Any] = Depends(simulator_form),
    draws: Draws = 1000,
    seed: Seed = 0,
) -> HTMLResponse:
    from egovindex.sources.countries import country_name

    data = figures_of(site, request, form)
    bands = site.context(figures.sensitivity, form["edition"], form["country"], draws, seed)  # same seed, same bands
    lang = site.language(request)
    return site.html(
        request,
        "simulator.html",
        data,
        {
            "form": {**form, "draws": draws, "seed": seed},
            "sensitivity": bands,
            "country_name": country_name(form["country"], lang, bands["country"]["country"]),
            "raw_indicators": _raw_indicators(site, form["edition"]),
            "indicator_names": figures.indicator_names(form["edition"], lang),
            "explain_labels": figures.explain_labels(lang),
            "raw_pairs": [r.split("=", 1) for r in form["raw"]] + [None, None],
            "bands_chart": site.cache.memo(
                ("bands", form["edition"], form["country"], draws, seed, lang),
                lambda _: figures.bands_chart(bands, lang),
            ),
        },
    )


@router.get("/sensitivity.json", tags=["simulator"])
def sensitivity_json(
    site: SiteDep,
    edition: int = 2024,
    country: Country = "VNM",
    draws: Draws = 2000,
    seed: Seed = 0,
) -> JSONResponse:
    """Median rank and 5-95% band of the country and of ASEAN under uncertain weights, method and data."""
    return site.json(site.context(figures.sensitivity, edition, country.upper(), draws, seed))
