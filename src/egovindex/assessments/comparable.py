"""A comparable view across the 2025 mergers (63 provinces into 34; ministries): a year's scores of the units that
existed then, mapped onto the units that carry their responsibilities on a later day (the registry's
successions), by a documented, selectable rule:

- ``population``: the mean of the predecessors' scores weighted by their population (or any size the user gives);
- ``largest``: the score of the predecessor with the largest population.

The weights are the user's (a CSV ``unit,weight``): the registry holds no population. A successor one of whose
predecessors (in the year) has no score, or no weight, is left out and named: a part is not the whole.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from egovindex import registry
from egovindex.assessments.scoring import Computed, rank
from egovindex.assessments.units import UnitError, resolve
from egovindex.assessments.values import AssessmentError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

RULES = ("population", "largest")
MERGED = dt.date(2025, 7, 1)  # the provinces' merger took effect


@dataclass(frozen=True)
class Comparable:
    method: str
    version: str
    year: int
    rule: str
    day: dt.date
    rows: list[dict[str, Any]]
    left_out: list[str]


def read_weights(path: Path, year: int) -> dict[str, float]:
    """``{unit code: weight}`` from a CSV ``unit,weight`` (a unit by code or name in ``year``)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise AssessmentError(f"{path}: cannot be read as UTF-8 text: {exc}") from None
    reader = csv.DictReader(text.splitlines())
    if not {"unit", "weight"} <= set(reader.fieldnames or []):
        raise AssessmentError(f"{path}: the columns are unit,weight")
    out: dict[str, float] = {}
    for line, row in enumerate(reader, start=2):
        try:
            unit = resolve(row["unit"] or "", dt.date(year, 12, 31))
            weight = float((row["weight"] or "").strip())
        except UnitError as exc:
            raise AssessmentError(f"{path}: row {line}, field unit: {exc}") from None
        except ValueError:
            raise AssessmentError(f"{path}: row {line}, field weight: {row['weight']!r} is not a number") from None
        if not (math.isfinite(weight) and weight > 0):
            raise AssessmentError(f"{path}: row {line}, field weight: {weight} is not a number above 0")
        out[unit] = weight
    return out


def comparable(
    session: Session,
    method_id: str,
    year: int,
    *,
    rule: str,
    weights: dict[str, float],
    day: dt.date = MERGED,
    block: str | None = None,
    computed: Computed | None = None,
) -> Comparable:
    if rule not in RULES:
        raise AssessmentError(f"the rule is one of {', '.join(RULES)}, not {rule!r}")
    import numpy as np

    from egovindex.engine import competition_rank

    reg = registry.load()
    ranking = rank(session, method_id, year, block=block, computed=computed)
    groups: dict[str, list[tuple[str, float]]] = {}
    for r in ranking.rows:
        if r["score"] is None:
            continue
        for successor in reg.successor_at(r["unit_code"], day):
            groups.setdefault(successor, []).append((r["unit_code"], r["score"]))
    scored = {u for members in groups.values() for u, _ in members}
    existing = [a.code for a in reg.agencies_at(dt.date(year, 12, 31))]
    rows, left_out = [], []
    for successor, members in sorted(groups.items()):
        unscored = sorted(c for c in existing if successor in reg.successor_at(c, day) and c not in scored)
        if unscored and (block is None or all(reg.agency(c).block == block for c in unscored)):
            left_out.append(f"{successor}: no score for {', '.join(unscored)}")
            continue
        sized = [(u, s, weights.get(u)) for u, s in members]
        if any(w is None for _, _, w in sized):
            left_out.append(f"{successor}: no weight for {', '.join(u for u, _, w in sized if w is None)}")
            continue
        if rule == "population":
            score = sum(s * (w or 0) for _, s, w in sized) / sum(w or 0 for _, _, w in sized)
        else:
            score = max(sized, key=lambda m: m[2] or 0)[1]
        rows.append(
            {
                "unit_code": successor,
                "unit_name": reg.agency(successor).name_vi,
                "score": score,
                "predecessors": " ".join(u for u, _, _ in sized),
            }
        )
    ranks = competition_rank(np.array([r["score"] for r in rows], dtype=float))
    for r, k in zip(rows, ranks, strict=True):
        r["rank"] = int(k)
    rows.sort(key=lambda r: (r["rank"], r["unit_code"]))
    return Comparable(ranking.method, ranking.version, year, rule, day, rows, left_out)
