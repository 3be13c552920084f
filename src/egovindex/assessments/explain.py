"""Why a unit stands where it does in an assessment, and what would raise it: the points it loses per criterion,
the gap to the next rank and to the top of its level or block, and the least change of its criteria (each between
its value and its maximum) that raises its rank by k places, checked by scoring it again.

The change is sought with the least-cost linear programme of the EGDI's target seeking
(``engine.least_cost.least_cost_change``): the index is linear in its criteria where the method takes weighted means
or sums (DTI, ICT application); where points are capped at a threshold and rounded (766) the programme works on the
criteria's points, and the result is checked by scoring the unit again. Raising a criterion costs the share of its
range that it rises, so that the criteria that weigh most are raised first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from egovindex.assessments.scoring import Computed, _cut, evaluate, in_force, points, rank
from egovindex.assessments.values import AssessmentError, method

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from egovindex.engine import Framework, Node

MARGIN = 1e-9


@dataclass(frozen=True)
class Explanation:
    method: str
    version: str
    year: int
    unit: str
    score: float | None
    rank: int | None
    ranked: int
    criteria: list[dict[str, Any]]
    next_rank: dict[str, Any] | None
    top: dict[str, Any] | None
    places: int
    changes: list[dict[str, Any]]
    reached_rank: int | None
    assumptions: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _weights(tree: Framework, final: dict[str, float]) -> dict[str, float]:
    """How much the index moves per unit of each node's final value (the product of the weights above it). Where a
    node renormalises over the children a unit has (``missing: renormalise``), its weights are spread over those."""
    out = {tree.root: 1.0}
    for node in tree.nodes:
        kids, weights = node.scored_children, node.child_weights()
        if node.missing == "renormalise" and kids:
            present = [not math.isnan(final.get(c.code, math.nan)) for c in kids]
            kept = sum(w for w, here in zip(weights, present, strict=True) if here)
            if kept > 0:
                total = sum(weights)
                scale = (1.0 / kept) if node.aggregation == "mean" else (total / kept)
                weights = [w * scale if here else 0.0 for w, here in zip(weights, present, strict=True)]
        for child, w in zip(kids, weights, strict=True):
            out[child.code] = out[node.code] * w
    return out


def _top(node: Node, fw: Framework) -> float:
    """A criterion's largest value as scored: its maximum points, or 1 for an index."""
    from egovindex.assessments.values import maximum

    return maximum(fw, node.code, given=False)


def explain(
    session: Session,
    method_id: str,
    year: int,
    unit: str,
    *,
    places: int = 1,
    level: str | None = None,
    block: str | None = None,
    computed: Computed | None = None,
) -> Explanation:
    fw = method(method_id)
    ranking = rank(session, method_id, year, level=level, block=block, computed=computed)
    rows = {r["unit_code"]: r for r in ranking.rows}
    unit = unit.upper()
    if unit not in rows:
        raise AssessmentError(f"{unit} has no value of {fw.id} in {year}" + (f" at level {level}" if level else ""))
    me = rows[unit]
    given = in_force(session, fw, year, computed)[unit]
    tree = fw.prune(sorted(_cut(fw, set(given)))) if _cut(fw, set(given)) else fw
    final = evaluate(fw, {unit: given}, year)[unit]
    ew = _weights(tree, final)
    criteria = []
    for leaf in tree.leaves:
        if not leaf.scored or leaf.code not in ew:
            continue
        value = final.get(leaf.code, math.nan)
        top = _top(fw.node(leaf.code), fw)
        lost = math.nan if math.isnan(value) else ew[leaf.code] * (top - value)
        criteria.append(
            {
                "node": leaf.code,
                "name": leaf.name,
                "name_vi": leaf.name_vi,
                "value": None if math.isnan(value) else value,
                "maximum": top,
                "lost": None if math.isnan(lost) else points(fw, fw.root, lost),
            }
        )
    criteria.sort(key=lambda c: -(c["lost"] or 0))
    scored = [r for r in ranking.rows if r["score"] is not None]
    better = sorted({r["score"] for r in scored if me["score"] is not None and r["score"] > me["score"]})
    next_rank = top_row = None
    if better:
        above = min(better)
        holder = next(r for r in scored if r["score"] == above)
        next_rank = {"rank": holder["rank"], "unit": holder["unit_code"], "score": above, "gap": above - me["score"]}
        best = scored[0]
        top_row = {"unit": best["unit_code"], "score": best["score"], "gap": best["score"] - me["score"]}
    changes: list[dict[str, Any]] = []
    reached = me["rank"]
    if me["rank"] is not None and me["rank"] > 1 and places > 0:
        target_rank = max(1, me["rank"] - places)
        needed = sorted((r["score"] for r in scored), reverse=True)[target_rank - 1]
        changes, reached = _raise(fw, tree, given, final, ew, unit, needed - me["score"] + MARGIN, year, ranking)
    return Explanation(
        fw.id, fw.version, year, unit, me["score"], me["rank"], len(scored), criteria, next_rank, top_row, places,
        changes, reached, fw.assumptions_of(),
    )  # fmt: skip


def _raise(
    fw: Framework,
    tree: Framework,
    given: dict[str, float],
    final: dict[str, float],
    ew: dict[str, float],
    unit: str,
    gap: float,
    year: int,
    ranking: Any,
) -> tuple[list[dict[str, Any]], int | None]:
    from egovindex.engine.least_cost import InfeasibleError, least_cost_change

    leaves = [leaf for leaf in tree.leaves if leaf.scored and not math.isnan(final.get(leaf.code, math.nan))]
    top = np.array([_top(fw.node(leaf.code), fw) for leaf in leaves])
    value = np.array([final[leaf.code] for leaf in leaves])
    weight = np.array([ew[leaf.code] for leaf in leaves])
    cost = 1.0 / np.where(top > 0, top, 1.0)  # the share of the criterion's range
    try:
        delta = least_cost_change(cost, weight, top - value, gap)
    except InfeasibleError as exc:
        raise AssessmentError(f"{unit} cannot gain these places by its criteria alone: {exc}") from None
    changed = dict(given)
    out = []
    for leaf, d, v in zip(leaves, delta, value, strict=True):
        if d <= 0:
            continue
        new = min(float(v + d), float(_top(fw.node(leaf.code), fw)))
        raw = new
        if leaf.normalisation == "threshold_points" and leaf.max_points:  # points back to the ratio that earns them
            raw = min(1.0, new / leaf.max_points * (leaf.threshold or 1.0))
            raw = math.ceil(raw * 1e6) / 1e6
        changed[leaf.code] = raw
        out.append({"node": leaf.code, "from": float(v), "to": new, "input": raw})
    rescored = evaluate(fw, {unit: changed}, year)[unit].get(fw.root, math.nan)
    others = [r["score"] for r in ranking.rows if r["score"] is not None and r["unit_code"] != unit]
    reached = 1 + sum(1 for s in others if round(s, 9) > round(rescored, 9))
    return out, reached
