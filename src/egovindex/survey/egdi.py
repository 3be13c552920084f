"""Recompute an edition's EGDI from its published components, check it against the published values, and
build ranking, profile and comparison tables."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from egovindex import methodologies
from egovindex.domain import Edition
from egovindex.engine import Framework, Scores, score_matrix
from egovindex.sources.countries import countries, group_members, region_members

COMPONENTS = ("osi", "tii", "hci")


@cache
def components_framework(year: int) -> Framework:
    """The edition's methodology with OSI, TII and HCI as leaves read from the published values."""
    return methodologies.egdi(year).prune(COMPONENTS)


def recompute(edition: Edition) -> Scores:
    """EGDI, ranks, groups and classes of the assessed countries, from the published components."""
    framework = components_framework(edition.year)
    entities, values = edition.components([leaf.code for leaf in framework.leaves])
    return score_matrix(framework, entities, values, edition.year)


@dataclass(frozen=True)
class Difference:
    iso3: str
    country: str
    row: int
    published: float
    computed: float

    @property
    def diff(self) -> float:
        return self.computed - self.published


@dataclass(frozen=True)
class RankMismatch:
    """A country whose recomputed rank differs from the published one, and why.

    ``reason`` is ``tie`` (another country's published EGDI is within the tolerance, so the two cannot be
    ordered at the published precision), ``anomaly`` (this row, or a row outside tolerance that it is ordered
    against, does not fit the formula) or ``unexplained``.
    """

    iso3: str
    country: str
    published: int | None
    computed: int | None
    reason: str


@dataclass
class CheckReport:
    """Recomputed against published: every difference, never hidden."""

    year: int
    methodology: str
    decimals: int
    tolerance: float
    compared: int
    not_assessed: list[tuple[str, str]] = field(default_factory=list)
    max_abs_diff: float = 0.0
    outside: list[Difference] = field(default_factory=list)
    rank_mismatches: list[RankMismatch] = field(default_factory=list)
    ties: list[tuple[str, str, float, int, int]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.outside and all(m.reason == "tie" for m in self.rank_mismatches)

    def to_dict(self) -> dict[str, Any]:
        return {
            "edition": self.year,
            "methodology": self.methodology,
            "decimals": self.decimals,
            "tolerance": self.tolerance,
            "compared": self.compared,
            "max_abs_diff": self.max_abs_diff,
            "not_assessed": [{"iso3": i, "reason": r} for i, r in self.not_assessed],
            "outside_tolerance": [
                {
                    "iso3": d.iso3,
                    "country": d.country,
                    "row": d.row,
                    "published": d.published,
                    "computed": round(d.computed, 7),
                    "diff": round(d.diff, 7),
                }
                for d in self.outside
            ],
            "rank_mismatches": [m.__dict__ for m in self.rank_mismatches],
            "ties_at_published_precision": [
                {"iso3_a": a, "iso3_b": b, "egdi": v, "rank_a": ra, "rank_b": rb} for a, b, v, ra, rb in self.ties
            ],
            "ok": self.ok,
        }


def check(edition: Edition) -> CheckReport:
    """Compare recomputed EGDI and ranks with the published ones, row by row."""
    scores = recompute(edition)
    computed = dict(zip(scores.entities, scores.value().tolist(), strict=True))
    ranks = dict(zip(scores.entities, scores.rank.tolist(), strict=True))
    report = CheckReport(
        year=edition.year,
        methodology=f"egdi-{edition.year}",
        decimals=edition.decimals,
        tolerance=edition.tolerance,
        compared=len(computed),
        not_assessed=[(r.iso3, r.reason or "") for r in edition.rows if not r.assessed],
    )
    assessed = edition.assessed()
    for r in assessed:
        d = Difference(r.iso3, r.country_name, r.row, r.egdi or 0.0, computed[r.iso3])
        report.max_abs_diff = max(report.max_abs_diff, abs(d.diff))
        if abs(d.diff) > edition.tolerance:
            report.outside.append(d)
    _rank_mismatches(report, assessed, computed, ranks, edition.tolerance)
    _ties(report, assessed)
    return report


def _rank_mismatches(
    report: CheckReport, assessed: list[Any], computed: dict[str, float], ranks: dict[str, float], tol: float
) -> None:
    published = {r.iso3: r.egdi or 0.0 for r in assessed}
    anomalous = {d.iso3 for d in report.outside}
    for r in assessed:
        mine = None if np.isnan(ranks[r.iso3]) else int(ranks[r.iso3])
        if mine == r.rank:
            continue
        if any(abs(v - published[r.iso3]) <= tol for k, v in published.items() if k != r.iso3):
            reason = "tie"
        elif r.iso3 in anomalous or any(
            (published[a] > published[r.iso3]) != (computed[a] > computed[r.iso3]) for a in anomalous
        ):
            reason = "anomaly"
        else:
            reason = "unexplained"
        report.rank_mismatches.append(RankMismatch(r.iso3, r.country_name, r.rank, mine, reason))


def _ties(report: CheckReport, assessed: list[Any]) -> None:
    """Pairs with the same published EGDI that the UN ranked differently (it ranked unrounded values)."""
    by_value: dict[float, list[Any]] = {}
    for r in assessed:
        by_value.setdefault(r.egdi or 0.0, []).append(r)
    for v, members in sorted(by_value.items(), reverse=True):
        ordered = sorted(members, key=lambda r: r.rank or 0)
        for a, b in itertools.pairwise(ordered):
            if a.rank != b.rank:
                report.ties.append((a.iso3, b.iso3, v, a.rank or 0, b.rank or 0))


def ranking(edition: Edition, *, region: str | None = None, components: bool = False) -> list[dict[str, Any]]:
    """One row per assessed country, by published rank: iso3, country, the published ``egdi`` and ``rank`` (and
    the group of the published EGDI), the ``egdi_recomputed`` and ``rank_recomputed`` from the published components
    with the edition's method (+ ``region_rank`` among the region's members, by published rank; + the published
    osi, tii and hci with ``components``)."""
    from egovindex.engine.rank import classify, competition_rank

    scores = recompute(edition)
    framework = methodologies.egdi(edition.year)
    names = {b.code: b.name for b in framework.groups}
    published = {r.iso3: r for r in edition.rows}
    records = scores.to_records()
    members = set(region_members(region, at=edition.year)) if region else set()
    egdi = np.array([np.nan if published[r["entity"]].egdi is None else published[r["entity"]].egdi for r in records])
    groups = classify(egdi, [b.min for b in framework.groups], [b.code for b in framework.groups])
    ranks = np.array([published[r["entity"]].rank or np.nan for r in records], dtype=float)
    regional = competition_rank(np.where([r["entity"] in members for r in records], -ranks, np.nan))
    rows = []
    for i, rec in enumerate(records):
        iso3 = rec["entity"]
        if region and iso3 not in members:
            continue
        row: dict[str, Any] = {
            "iso3": iso3,
            "country": published[iso3].country_name,
            "egdi": published[iso3].egdi,
            "rank": published[iso3].rank,
            "group": names.get(groups[i] or ""),
            "egdi_recomputed": rec["egdi"],
            "rank_recomputed": rec["rank"],
        }
        if framework.classes:
            row["class"] = rec["class"]
        if components:
            row.update(osi=published[iso3].osi, tii=published[iso3].tii, hci=published[iso3].hci)
        if region:
            row["region_rank"] = None if np.isnan(regional[i]) else int(regional[i])
        rows.append(row)
    rows.sort(key=lambda r: (r["rank"] or 10**6, r["rank_recomputed"] or 10**6, r["iso3"]))
    return rows


def profile(editions: Sequence[Edition], iso3: str) -> list[dict[str, Any]]:
    """A country's history: rank, EGDI, OSI, TII, HCI, EPI, group, rank in its sub-region and in ASEAN."""
    country = countries().get(iso3)
    if country is None:
        raise KeyError(f"unknown ISO3 code {iso3!r}")
    out = []
    for edition in sorted(editions, key=lambda e: e.year):
        try:
            row = edition.row(iso3)
        except KeyError:
            continue
        entry: dict[str, Any] = {
            "edition": edition.year,
            "rank": row.rank,
            "egdi": row.egdi,
            "osi": row.osi,
            "tii": row.tii,
            "hci": row.hci,
            "epi": row.epi,
            "group": None,
            "subregion_rank": None,
            "asean_rank": None,
            "assessed": row.assessed,
        }
        if row.assessed:
            scores = recompute(edition)
            i = scores.position(iso3)
            group = scores.group[i]
            names = {b.code: b.name for b in methodologies.egdi(edition.year).groups}
            entry["group"] = names.get(group or "")
            entry["subregion_rank"] = _rank_in(scores, i, region_members(country.subregion_code))
            if iso3 in group_members("asean", at=edition.year):
                entry["asean_rank"] = _rank_in(scores, i, group_members("asean", at=edition.year))
        out.append(entry)
    return out


def _rank_in(scores: Scores, i: int, members: Sequence[str]) -> int | None:
    r = scores.region_rank(members)[i]
    return None if np.isnan(r) else int(r)


def compare(edition: Edition, iso3s: Sequence[str]) -> list[dict[str, Any]]:
    """Side by side: each country's rank, EGDI and components in one edition."""
    table = {r["iso3"]: r for r in ranking(edition)}
    out = []
    for iso3 in iso3s:
        row = edition.row(iso3)
        out.append(
            {
                "iso3": iso3,
                "country": row.country_name,
                "rank": table.get(iso3, {}).get("rank"),
                "egdi": row.egdi,
                "osi": row.osi,
                "tii": row.tii,
                "hci": row.hci,
                "epi": row.epi,
                "group": table.get(iso3, {}).get("group"),
            }
        )
    return out
