"""Scores, ranks and levels of an assessment for a year: each unit's values in force go through the method's tree
on the engine that scores the EGDI. A unit's values may be given at any node: a node with a value and no value
below it is read as it is (the tree is cut there for that unit); the nodes above are computed. An adjusted value
counts before a claimed one, a claimed one before a value of record, and a value of record before one computed from
what the system already holds (``computed``: the service index 766's indicators from the dossier records)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from egovindex import registry
from egovindex.assessments.values import AssessmentError, current, method

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from egovindex.engine import Framework

PRECEDENCE = {"adjusted": 0, "claimed": 1, "record": 2, "computed": 3}


@dataclass(frozen=True)
class Ranking:
    method: str
    version: str
    year: int
    level: str | None
    block: str | None
    first_level: list[str]
    rows: list[dict[str, Any]]
    assumptions: dict[str, str]


Computed = dict[str, dict[str, float]]  # {unit: {node: value}} computed from what the system holds


def in_force(
    session: Session, fw: Framework, year: int, computed: Computed | None = None
) -> dict[str, dict[str, float]]:
    """``{unit: {node: value}}``: for each unit and node the adjusted value, else the claimed, else the recorded;
    then the computed values, except at or below a node that has one of the others (a recorded group counts as
    given, whatever is computed beneath it)."""
    chosen: dict[tuple[str, str], tuple[int, float]] = {}
    for v in current(session, fw.id, year):
        rank = PRECEDENCE[v.kind]
        key = (v.unit_code, v.node)
        if key not in chosen or rank < chosen[key][0]:
            chosen[key] = (rank, v.value)
    out: dict[str, dict[str, float]] = {}
    for (unit, node), (_, value) in chosen.items():
        out.setdefault(unit, {})[node] = value
    for unit, nodes in (computed or {}).items():
        given = out.get(unit, {})
        for node, value in nodes.items():
            if node in fw.codes and not ({node, *fw.ancestors[node]} & set(given)):
                out.setdefault(unit, {})[node] = value
    return out


def _cut(fw: Framework, given: set[str]) -> frozenset[str]:
    """The inner nodes read as they are for a unit with values at ``given``: those with no value below them."""
    below = fw.descendants
    return frozenset(n for n in given if below[n] and not (below[n] & given))


def evaluate(fw: Framework, values: dict[str, dict[str, float]], year: int) -> dict[str, dict[str, float]]:
    """Every node's value for every unit (NaN where undetermined)."""
    import numpy as np

    from egovindex.engine import score_matrix

    groups: dict[frozenset[str], list[str]] = {}
    for unit, given in values.items():
        groups.setdefault(_cut(fw, set(given)), []).append(unit)
    out: dict[str, dict[str, float]] = {}
    for cut, units in groups.items():
        tree = fw.prune(sorted(cut)) if cut else fw
        leaves = [leaf.code for leaf in tree.leaves]
        x = np.array([[values[u].get(code, np.nan) for code in leaves] for u in units], dtype=float)
        scores = score_matrix(tree, units, x, year)
        for i, unit in enumerate(units):
            out[unit] = {code: float(scores.stages["normalised"][i, j]) for j, code in enumerate(tree.codes)}
    return out


def points(fw: Framework, code: str, value: float) -> float:
    """A node's value in points: an index (0 to 1) times the node's maximum points, where the method is indexed."""
    node = fw.node(code)
    if fw.scale == "index" and node.max_points:
        return value * node.max_points
    return value


def rank(
    session: Session,
    method_id: str,
    year: int,
    *,
    level: str | None = None,
    block: str | None = None,
    computed: Computed | None = None,
) -> Ranking:
    """The units of the year with a value, ranked on the index (competition ranks), with their level and the points
    of each first-level node; within a level (the method's) and a block (the registry's) when asked."""
    import numpy as np

    from egovindex.engine import classify, competition_rank

    fw = method(method_id)
    blocks = _blocks(fw, level, block)
    reg = registry.load()
    agencies = {a.code: a for a in reg.agencies}
    values = {
        u: v
        for u, v in in_force(session, fw, year, computed).items()
        if u in agencies and (blocks is None or agencies[u].block in blocks)
    }
    if not values:
        return Ranking(fw.id, fw.version, year, level, block, [], [], fw.assumptions_of())
    nodes = evaluate(fw, values, year)
    units = sorted(nodes)
    score = np.array([nodes[u].get(fw.root, math.nan) for u in units])
    ranks = competition_rank(score)
    classes = classify(score, [b.min for b in fw.classes], [b.code for b in fw.classes]) if fw.classes else []
    first = [c.code for c in fw.index.children if c.scored]
    rows = []
    for i, unit in enumerate(units):
        row: dict[str, Any] = {
            "unit_code": unit,
            "unit_name": agencies[unit].name_vi,
            "score": None if math.isnan(score[i]) else float(score[i]),
            "rank": None if math.isnan(ranks[i]) else int(ranks[i]),
            "class": classes[i] if classes else None,
        }
        for code in first:
            v = nodes[unit].get(code, math.nan)
            row[code] = None if math.isnan(v) else points(fw, code, v)
        rows.append(row)
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["unit_code"]))
    return Ranking(fw.id, fw.version, year, level, block, first, rows, fw.assumptions_of())


def _blocks(fw: Framework, level: str | None, block: str | None) -> set[str] | None:
    if level is not None and level not in fw.levels:
        known = ", ".join(fw.levels) or "none"
        raise AssessmentError(f"{fw.id} has no level {level!r}; its levels: {known}")
    allowed = set(fw.levels[level]) if level else None
    if block is not None:
        if allowed is not None and block not in allowed:
            raise AssessmentError(
                f"level {level!r} of {fw.id} has no block {block!r}; its blocks: {', '.join(sorted(allowed))}"
            )
        return {block}
    return allowed
