"""Target seeking: the least-cost change that reaches a world rank (and a rank in a region).

One valuation for all analysis (the same as ``simulate``): the published EGDI is the baseline and a change
moves it through the method (the change of each component times its weight); the other countries keep their
published EGDI (or, with ``others="trend"``, their projected one). A proposal is therefore re-checked by
``simulate`` exactly as a user would check it.

Component level: EGDI is linear in the components, so the least-cost change is a linear programme, solved exactly
with scipy's HiGHS (``engine.least_cost``, shared with the assessments): minimise sum(cost_j * d_j) subject to
sum(w_j * d_j) >= needed - published, 0 <= d_j <= limit_j. The needed EGDI is the target-th highest EGDI among the
other countries (a tie shares the rank). Raw-indicator level: the index is monotone but not linear in a raw
indicator (one country's value moves every country's z-score), so each indicator is searched by bisection for the
least value that reaches the target, every candidate re-scored for all countries with the edition's method; the
cheapest is proposed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from egovindex import registry
from egovindex.analysis.state import COMPONENTS, AnalysisError, EditionState, region_rank, rerank
from egovindex.engine.rank import competition_rank

if TYPE_CHECKING:
    from egovindex.domain import Edition
    from egovindex.engine import Panel
    from egovindex.survey.recompute import Rule

MARGIN = 1e-9  # reach the threshold with a hair to spare, so re-scoring cannot fall short by rounding
RAW_LIMITS = {"pct": 100.0, "per100": 120.0, "years": 25.0}


@dataclass(frozen=True)
class Target:
    rank: int | None = None
    region: str | None = None
    region_rank: int | None = None
    others: Literal["hold", "trend"] = "hold"

    def to_dict(self) -> dict[str, Any]:
        return {"rank": self.rank, "region": self.region, "region_rank": self.region_rank, "others": self.others}


@dataclass
class TargetResult:
    country: str
    edition: int
    target: Target
    reached_rank: int
    reached_region_rank: int | None
    cost: float
    proposal: dict[str, float]
    current: dict[str, float]
    changes: list[dict[str, Any]] = field(default_factory=list)
    raw: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "country": self.country,
            "edition": self.edition,
            "target": self.target.to_dict(),
            "reached_rank": self.reached_rank,
            "reached_region_rank": self.reached_region_rank,
            "cost": self.cost,
            "valuation": "the published EGDI moved by the proposal through the edition's method; the others "
            + ("as published" if self.target.others == "hold" else "as projected"),
            "proposal": {self.country: self.proposal},
            "current": {self.country: self.current},
            "changes": self.changes,
            "raw": self.raw,
        }


def read_numbers(path: Path | None, what: str) -> dict[str, Any]:
    """A costs or limits file (YAML or JSON mapping)."""
    if path is None:
        return {}
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise AnalysisError(f"{path}: cannot read the {what} file: {exc}") from None
    if not isinstance(data, dict):
        raise AnalysisError(f"{path}: the {what} file must map names to values")
    return data


def _owner(code: str) -> str | None:
    o = registry.owner(code)
    return None if o is None else o.agency


def _threshold(values: np.ndarray, rank: int | None, n_max: int, what: str) -> float:
    """EGDI to reach (>=) to be ranked ``rank`` or better among ``values`` (the others)."""
    if rank is None:
        return -np.inf
    if not 1 <= rank <= n_max:
        raise AnalysisError(f"target {what} {rank} is outside 1..{n_max}")
    ordered = np.sort(values)[::-1]
    return float(ordered[rank - 1]) if rank - 1 < len(ordered) else -np.inf


def others_egdi(state: EditionState, target: Target, history: list[Edition] | None) -> np.ndarray:
    """The other countries' EGDI: as published (``hold``) or projected to the next edition (``trend``)."""
    if target.others == "hold":
        return state.egdi.copy()
    from egovindex.analysis.nowcast import project

    if not history:
        raise AnalysisError("--others trend needs the past editions (load them with 'sources load')")
    projected = project([e for e in history if e.year <= state.year])
    return np.array([projected.egdi.get(e, state.egdi[i]) for i, e in enumerate(state.entities)])


def seek(
    edition: Edition,
    country: str,
    target: Target,
    *,
    costs: dict[str, Any] | None = None,
    limits: dict[str, Any] | None = None,
    history: list[Edition] | None = None,
    raw: Panel | None = None,
    rule: Rule | None = None,
) -> TargetResult:
    """The least-cost component change (and, with raw series, raw-indicator change) that reaches the target."""
    from egovindex.engine.least_cost import InfeasibleError, least_cost_change

    if target.rank is None and target.region_rank is None:
        raise AnalysisError("give a target: --rank and/or --region with --region-rank")
    if target.region_rank is not None and not target.region:
        raise AnalysisError("--region-rank needs --region")
    state = EditionState.of(edition)
    i = state.index(country)
    costs, limits = costs or {}, limits or {}
    egdi = others_egdi(state, target, history)
    others = np.delete(egdi, i)
    members = state.members(target.region)
    if target.region_rank is not None and not members[i]:
        raise AnalysisError(f"{country} is not in {target.region} in the {state.year} edition")
    needed = max(
        _threshold(others, target.rank, len(state.entities), "rank"),
        _threshold(
            np.delete(np.where(members, egdi, -np.inf), i)[np.delete(members, i)],
            target.region_rank,
            int(members.sum()),
            "region rank",
        )
        if target.region_rank
        else -np.inf,
    )
    current = state.components[i]
    unit_cost = np.array([_number(costs.get(c, 1.0), f"cost of {c}") for c in COMPONENTS])
    upper = np.array([_limit(limits.get(c), current[j], c) for j, c in enumerate(COMPONENTS)])
    gap = needed + MARGIN - state.egdi[i]
    try:
        delta = least_cost_change(unit_cost, state.weights, np.maximum(upper - current, 0.0), gap)
    except InfeasibleError:
        raise AnalysisError(_infeasible(state, i, upper, limits, needed)) from None
    proposal = _as_published(current, delta, np.maximum(upper, current), edition.decimals)
    delta = proposal - current
    reached, reached_region = standing(state, target, egdi, members, {i: float(state.weights @ delta)})
    result = TargetResult(
        country=country,
        edition=state.year,
        target=target,
        reached_rank=reached,
        reached_region_rank=reached_region,
        cost=float(unit_cost @ delta),
        proposal=dict(zip(COMPONENTS, proposal.tolist(), strict=True)),
        current=dict(zip(COMPONENTS, current.tolist(), strict=True)),
        changes=[
            {"indicator": c, "from": float(current[j]), "to": float(proposal[j]), "owner": _owner(c)}
            for j, c in enumerate(COMPONENTS)
            if delta[j] > 0
        ],
    )
    if raw is not None and gap > 0:
        result.raw = _raw_search(edition, state, i, target, egdi, members, costs, limits, raw, rule)
    return result


def _as_published(current: np.ndarray, delta: np.ndarray, upper: np.ndarray, decimals: int) -> np.ndarray:
    """The proposal at the precision the UN publishes components, rounded up (within the limits), so that the
    values shown are the values that reach the target when typed into ``simulate``."""
    scale = 10.0**decimals
    up = np.ceil(np.round((current + delta) * scale, 6)) / scale
    return np.where(delta > 0, np.minimum(up, upper), current)


def _number(value: Any, what: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise AnalysisError(f"{what}: {value!r} is not a number") from None
    if v < 0:
        raise AnalysisError(f"{what}: {v} is negative")
    return v


def _limit(spec: Any, current: float, name: str) -> float:
    """Upper bound of a component: ``{max: 0.9}``, ``{max_increase: 0.1}``, a bare number (max), or 1."""
    if spec is None:
        return 1.0
    if isinstance(spec, dict):
        bound = 1.0
        if "max" in spec:
            bound = min(bound, _number(spec["max"], f"limit max of {name}"))
        if "max_increase" in spec:
            bound = min(bound, current + _number(spec["max_increase"], f"limit max_increase of {name}"))
        return bound
    return min(1.0, _number(spec, f"limit of {name}"))


def _infeasible(state: EditionState, i: int, upper: np.ndarray, limits: dict[str, Any], needed: float) -> str:
    best = np.maximum(upper, state.components[i])
    reach = float(best @ state.weights)
    binding = ", ".join(
        f"{c} <= {best[j]:.4f} ({'limits file' if c in limits else 'index maximum'})" for j, c in enumerate(COMPONENTS)
    )
    return (
        f"infeasible: with every component at its limit ({binding}) {state.entities[i]}'s EGDI reaches "
        f"{reach:.5f}, below the {needed:.5f} the target needs"
    )


def standing(
    state: EditionState, target: Target, egdi: np.ndarray, members: np.ndarray, moves: dict[int, float]
) -> tuple[int, int | None]:
    """World and regional rank of the changed country after its EGDI (and perhaps others') moved by ``moves``.

    With the others held, ranks are placed as ``simulate`` places them (``rerank``: the published order among
    unchanged countries, a changed country by value); with projected others, by value among the projections.
    """
    values = egdi.copy()
    i = next(iter(moves))
    values[i] = state.egdi[i]  # the country's own baseline is its published EGDI, whatever the others do
    changed = np.zeros(len(values), dtype=bool)
    for j, move in moves.items():
        values[j] += move
        changed[j] = abs(move) > 1e-15
    held = target.others == "hold"
    rank = rerank(state.rank, state.egdi, changed, values) if held else competition_rank(values)
    regional = region_rank(rank, members)
    return int(rank[i]), (None if not members[i] or np.isnan(regional[i]) else int(regional[i]))


def _raw_search(
    edition: Edition,
    state: EditionState,
    i: int,
    target: Target,
    egdi: np.ndarray,
    members: np.ndarray,
    costs: dict[str, Any],
    limits: dict[str, Any],
    raw: Panel,
    rule: Rule | None,
) -> dict[str, Any]:
    """Cheapest single raw indicator, found by bisection and verified by re-scoring every country."""
    from egovindex.survey.recompute import Rule, component_values, prepare

    rule = rule or Rule()
    base = prepare(raw, state.year, rule)
    candidates = []
    for comp in ("tii", "hci"):
        old, leaves = component_values(base, edition, comp, rule)
        j = COMPONENTS.index(comp)
        for leaf in leaves:
            current = base.get(state.entities[i], leaf, state.year)
            if current is None:
                continue
            top = _raw_limit(leaf, limits.get(leaf))

            def rank_at(value: float, leaf: str = leaf, comp: str = comp, old: np.ndarray = old, j: int = j) -> tuple:
                panel = base.with_values([(state.entities[i], leaf, state.year, value)])
                new, _ = component_values(panel, edition, comp, rule)
                move = state.weights[j] * np.nan_to_num(new - old)
                moves = {i: float(move[i])} | {k: float(m) for k, m in enumerate(move) if k != i and m != 0}
                return standing(state, target, egdi, members, moves)

            def reaches(value: float) -> bool:
                rank, region = rank_at(value)
                return (target.rank is None or rank <= target.rank) and (
                    target.region_rank is None or (region is not None and region <= target.region_rank)
                )

            if top <= current or not reaches(top):
                continue
            lo, hi = current, top
            for _ in range(40):
                mid = (lo + hi) / 2
                lo, hi = (lo, mid) if reaches(mid) else (mid, hi)
            rank, region = rank_at(hi)
            unit = _number(costs.get(leaf, 1.0), f"cost of {leaf}")
            candidates.append(
                {
                    "indicator": leaf,
                    "component": comp,
                    "from": current,
                    "to": hi,
                    "cost": unit * (hi - current),
                    "reached_rank": rank,
                    "reached_region_rank": region,
                    "owner": _owner(leaf),
                }
            )
    if not candidates:
        return {"feasible": False, "reason": "no single raw indicator within its limit reaches the target"}
    best = min(candidates, key=lambda c: c["cost"])
    return {"feasible": True, "best": best, "candidates": sorted(candidates, key=lambda c: c["cost"])}


def _raw_limit(leaf: str, spec: Any) -> float:
    if spec is not None:
        return _number(spec["max"] if isinstance(spec, dict) else spec, f"limit of {leaf}")
    if leaf.endswith("_pct"):
        return RAW_LIMITS["pct"]
    if leaf.endswith("per100"):
        return RAW_LIMITS["per100"]
    return RAW_LIMITS["years"]
