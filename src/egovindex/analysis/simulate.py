"""What-if scenarios: change components or raw indicators of some countries, see EGDI, ranks and groups move.

Component level: the other countries are unchanged. Raw-indicator level: the component is recomputed for every
country with the edition's method (z-scores then min-max, so one country's change moves the mean, sd, min and
max), and each country's published component moves by the difference the change makes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from egovindex.analysis.state import COMPONENTS, AnalysisError, EditionState, component_index, region_rank, rerank

if TYPE_CHECKING:
    from egovindex.domain import Edition
    from egovindex.engine import Panel
    from egovindex.survey.recompute import Rule

Op = Literal["set", "shift", "scale"]
VALUATION = (
    "before: the published values; after: the published EGDI moved by the changes through the edition's method "
    "(the other countries as published)"
)


@dataclass(frozen=True)
class Change:
    """One change: ``set`` a value, ``shift`` it by an amount, or ``scale`` it by a factor."""

    country: str
    target: str
    op: Op
    value: float

    def apply(self, current: float) -> float:
        if self.op == "set":
            return self.value
        if self.op == "shift":
            return current + self.value
        return current * self.value

    def describe(self) -> str:
        sign = {"set": "=", "shift": "+=" if self.value >= 0 else "-=", "scale": "*="}[self.op]
        value = abs(self.value) if self.op == "shift" else self.value
        return f"{self.country} {self.target} {sign} {value:g}"


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str = ""
    changes: tuple[Change, ...] = ()


def parse_change(text: str, country: str, *, op: Op) -> Change:
    """``hci=0.80`` (with op set), ``tii=+0.05`` or ``tii=+10%`` (with op shift: absolute or relative)."""
    m = re.fullmatch(r"\s*([a-z][a-z0-9_]*)\s*=\s*([+-]?\d+(?:\.\d+)?)(%?)\s*", text)
    if not m:
        raise AnalysisError(f"cannot read change {text!r}: write name=value, e.g. hci=0.80, tii=+0.05, tii=+10%")
    target, number, percent = m.group(1), float(m.group(2)), m.group(3)
    if percent:
        if op != "shift":
            raise AnalysisError(f"{text!r}: a percentage is a relative shift; use --shift")
        return Change(country, target, "scale", 1 + number / 100)
    return Change(country, target, op, number)


def load_scenario(path: Path) -> Scenario:
    """A named scenario file (YAML or JSON): name, description, changes: [{country, component|indicator, ...}]."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise AnalysisError(f"{path}: cannot read the scenario: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("changes"), list):
        raise AnalysisError(f"{path}: a scenario needs a list 'changes'")
    changes = []
    for i, item in enumerate(data["changes"]):
        where = f"{path}: changes[{i}]"
        if not isinstance(item, dict) or "country" not in item:
            raise AnalysisError(f"{where}: needs 'country'")
        target = item.get("component") or item.get("indicator")
        ops = [k for k in ("set", "shift", "scale") if k in item]
        if not target or len(ops) != 1:
            raise AnalysisError(f"{where}: give 'component' or 'indicator' and one of set, shift, scale")
        try:
            value = float(item[ops[0]])
        except (TypeError, ValueError):
            raise AnalysisError(f"{where}.{ops[0]}: {item[ops[0]]!r} is not a number") from None
        changes.append(Change(str(item["country"]).upper(), str(target), ops[0], value))  # type: ignore[arg-type]
    return Scenario(str(data.get("name", path.stem)), str(data.get("description", "")), tuple(changes))


def changes_from_values(values: dict[str, float], country: str = "VNM") -> list[Change]:
    """Raw-indicator changes from national statistics (a release): each registry indicator sets the methodology
    leaf it feeds; the primary, secondary and tertiary enrolment ratios give the combined ratio (mean, each
    capped at 100), as the recomputation does."""
    from egovindex import registry

    reg = registry.load()
    direct: dict[str, float] = {}
    levels: list[float] = []
    for code, value in values.items():
        leaf = reg.indicator(code).raw_indicator
        if leaf is None:
            continue
        if leaf == "ger_combined" and code != "ger_combined":
            levels.append(min(value, 100.0))
        else:
            direct[leaf] = value
    if levels:
        direct["ger_combined"] = sum(levels) / len(levels)
    return [Change(country, leaf, "set", v) for leaf, v in sorted(direct.items())]


def raw_leaves(edition: Edition, raw: Panel, rule: Rule | None = None) -> set[str]:
    """The raw indicators the edition's TII and HCI can be recomputed from with these series."""
    from egovindex.survey.recompute import Rule, component_values, prepare

    rule = rule or Rule()
    panel = prepare(raw, edition.year, rule)
    return {leaf for comp in ("tii", "hci") for leaf in component_values(panel, edition, comp, rule)[1]}


def national_changes(
    edition: Edition, values: dict[str, float], raw: Panel, usable: set[str] | None = None, country: str = "VNM"
) -> tuple[list[Change], list[Change]]:
    """National statistics as raw-indicator changes of ``country``: those the edition's TII and HCI can be
    recomputed from with these series, and those they cannot (no series of that indicator)."""
    usable = raw_leaves(edition, raw) if usable is None else usable
    proposed = changes_from_values(values, country)
    return [c for c in proposed if c.target in usable], [c for c in proposed if c.target not in usable]


@dataclass
class Simulation:
    year: int
    region: str | None
    changes: list[Change]
    before: dict[str, dict[str, Any]] = field(default_factory=dict)
    after: dict[str, dict[str, Any]] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "edition": self.year,
            "region": self.region,
            "changes": [c.describe() for c in self.changes],
            "valuation": VALUATION,
            "before": self.before,
            "after": self.after,
        }


def simulate(
    edition: Edition,
    changes: list[Change],
    *,
    region: str | None = "asean",
    raw: Panel | None = None,
    rule: Rule | None = None,
    report: list[str] | None = None,
) -> Simulation:
    """Apply the changes in order and compare every country before and after.

    ``report`` lists the countries to report besides the changed ones (all countries when None).
    """
    state = EditionState.of(edition)
    comps = state.components.copy()
    component_changes = [c for c in changes if c.target in COMPONENTS]
    raw_changes = [c for c in changes if c.target not in COMPONENTS]
    for c in component_changes:
        i, j = state.index(c.country), component_index(c.target)
        comps[i, j] = c.apply(comps[i, j])
    if raw_changes:
        comps = comps + _raw_deltas(edition, state, raw_changes, raw, rule)
    # a changed value stays within the index's range; before 2012 some published components exceed 1
    moved = comps != state.components
    comps = np.where(moved, np.clip(comps, 0.0, np.maximum(1.0, state.components)), comps)
    delta = comps - state.components
    changed = np.abs(delta).max(axis=1) > 1e-15
    new_egdi = state.egdi + delta @ state.weights
    new_rank = rerank(state.rank, state.egdi, changed, new_egdi)
    members = state.members(region)
    sim = Simulation(
        state.year, region, list(changes), changed=[e for e, c in zip(state.entities, changed, strict=True) if c]
    )
    shown = set(sim.changed) | (set(report) if report is not None else set(state.entities))
    before = _table(state, state.components, state.egdi, state.rank, members)
    after = _table(state, comps, new_egdi, new_rank, members)
    sim.before = {e: before[e] for e in state.entities if e in shown}
    sim.after = {e: after[e] for e in state.entities if e in shown}
    return sim


def _table(state: EditionState, comps: np.ndarray, egdi: np.ndarray, rank: np.ndarray, members: np.ndarray) -> dict:
    rrank = region_rank(rank, members)
    groups = state.groups(egdi)
    return {
        e: {
            "osi": float(comps[i, 0]),
            "tii": float(comps[i, 1]),
            "hci": float(comps[i, 2]),
            "egdi": float(egdi[i]),
            "rank": int(rank[i]),
            "region_rank": None if np.isnan(rrank[i]) else int(rrank[i]),
            "group": groups[i],
        }
        for i, e in enumerate(state.entities)
    }


def _raw_deltas(
    edition: Edition, state: EditionState, changes: list[Change], raw: Panel | None, rule: Rule | None
) -> np.ndarray:
    """How much each country's TII and HCI move when raw indicators change (all countries recomputed)."""
    from egovindex.survey.recompute import Rule, component_values, prepare

    if raw is None:
        names = ", ".join(sorted({c.target for c in changes}))
        raise AnalysisError(f"{names}: not a component; raw-indicator changes need the series (--indicators FILE)")
    rule = rule or Rule()
    panel = prepare(raw, state.year, rule)
    known = {leaf for comp in ("tii", "hci") for leaf in component_values(panel, edition, comp, rule)[1]}
    unknown = {c.target for c in changes} - known
    if unknown:
        raise AnalysisError(f"unknown indicator(s) {sorted(unknown)}: the {state.year} TII and HCI use {sorted(known)}")
    updates = []
    for c in changes:
        state.index(c.country)
        current = panel.get(c.country, c.target, state.year)
        if current is None:
            raise AnalysisError(
                f"{c.country} has no value of {c.target!r} within {rule.lookback} years of {state.year}"
            )
        updates.append((c.country, c.target, state.year, c.apply(current)))
        panel = panel.with_values(updates[-1:])
    before = prepare(raw, state.year, rule)
    deltas = np.zeros_like(state.components)
    touched = {c.target for c in changes}
    for comp in ("tii", "hci"):
        old, leaves = component_values(before, edition, comp, rule)
        if not touched & set(leaves):
            continue
        new, _ = component_values(panel, edition, comp, rule)
        deltas[:, COMPONENTS.index(comp)] = np.nan_to_num(new - old)
    return deltas
