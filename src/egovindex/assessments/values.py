"""Values of the nodes of a method's tree, per unit and year: imported of record from a long CSV (``unit,node,value``)
with their source, in one transaction; a bad row names the file, the row and the field, and nothing is stored."""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from egovindex.assessments.units import UnitError, resolve
from egovindex.store.assessments import AssessmentValue

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from egovindex.engine import Framework

HEADER = ("unit", "node", "value")
SHOWN = 20  # problems named in a refusal


class AssessmentError(ValueError):
    pass


@dataclass(frozen=True)
class Imported:
    stored: int
    unchanged: int
    units: list[str]


def method(method_id: str) -> Framework:
    from egovindex import methodologies

    try:
        return methodologies.load(method_id)
    except KeyError as exc:
        raise AssessmentError(str(exc.args[0])) from None


def maximum(fw: Framework, code: str, *, given: bool = True) -> float:
    """The largest value of a node: as it is given (``given``: a ratio from 0 to 1 for a criterion whose points
    follow from a threshold) or as it is scored (its points). Points where the method counts points and the node has
    a maximum, else 1 (an index), or the node's cap."""
    node = fw.node(code)
    if node.normalisation == "threshold_points":
        return 1.0 if given else float(node.max_points or 0)
    if fw.scale == "points" and node.max_points:
        return float(node.max_points)
    return float(node.cap) if node.cap is not None else 1.0


def methods() -> list[dict[str, Any]]:
    """The packaged assessment methods (those with levels of units): id, version, name, levels, classes."""
    from egovindex import methodologies

    out = []
    for mid in methodologies.available():
        fw = methodologies.load(mid)
        if not fw.levels:
            continue
        out.append(
            {
                "id": fw.id,
                "version": fw.version,
                "name": fw.name,
                "name_vi": fw.name_vi,
                "levels": ", ".join(f"{level} ({' '.join(blocks)})" for level, blocks in fw.levels.items()),
                "classes": ", ".join(f"{b.name_vi or b.name} >= {b.min:g}" for b in fw.classes),
                "scale": fw.scale,
            }
        )
    return out


def read_csv(path: Path, fw: Framework, year: int, *, level: str | None = None) -> list[tuple[str, str, float]]:
    """The file's rows as (unit code, node, value), the units of ``level`` only when it is given; every problem
    named by file, row and field, and nothing returned unless every row is good."""
    from egovindex import registry

    day = dt.date(year, 12, 31)
    if level is not None and level not in fw.levels:
        raise AssessmentError(f"{fw.id} has no level {level!r}; its levels: {', '.join(fw.levels) or 'none'}")
    blocks = set(fw.levels[level]) if level else {b for bs in fw.levels.values() for b in bs} or None
    agencies = {a.code: a for a in registry.load().agencies}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise AssessmentError(f"{path}: cannot be read as UTF-8 text: {exc}") from None
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in HEADER if c not in (reader.fieldnames or [])]
    if missing:
        raise AssessmentError(f"{path}: no column {', '.join(missing)} (the columns are unit,node,value)")
    rows, problems = [], []
    seen: dict[tuple[str, str], int] = {}
    for line, row in enumerate(reader, start=2):
        try:
            unit = resolve(row["unit"] or "", day)
        except UnitError as exc:
            problems.append(f"{path}: row {line}, field unit: {exc}")
            continue
        if blocks is not None and agencies[unit].block not in blocks:
            where = f"level {level!r}" if level else "any level"
            problems.append(f"{path}: row {line}, field unit: {unit} is not a unit of {where} of {fw.id}")
            continue
        node = (row["node"] or "").strip()
        if node not in fw.codes:
            problems.append(f"{path}: row {line}, field node: {node!r} is not a node of {fw.id}")
            continue
        try:
            value = float((row["value"] or "").strip())
        except ValueError:
            problems.append(f"{path}: row {line}, field value: {row['value']!r} is not a number")
            continue
        if not math.isfinite(value) or value < 0:
            problems.append(f"{path}: row {line}, field value: {value} is not a finite number of at least 0")
            continue
        top = maximum(fw, node)
        if value > top:
            problems.append(f"{path}: row {line}, field value: {value:g} is above the maximum {top:g} of {node}")
            continue
        if (unit, node) in seen:
            problems.append(f"{path}: row {line}, field node: {unit} {node} was given on row {seen[unit, node]}")
            continue
        seen[unit, node] = line
        rows.append((unit, node, value))
    if problems:
        more = f"\n... and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
        raise AssessmentError("\n".join(problems[:SHOWN]) + more)
    if not rows:
        raise AssessmentError(f"{path}: no values")
    return rows


def years(session: Session, method_id: str) -> list[int]:
    """The years for which the method has values in force, oldest first."""
    return sorted(
        session.scalars(
            select(AssessmentValue.year)
            .where(AssessmentValue.method == method_id, AssessmentValue.superseded_by_id.is_(None))
            .distinct()
        )
    )


def current(session: Session, method_id: str, year: int) -> list[AssessmentValue]:
    """The values in force (not superseded) of a method and year."""
    return list(
        session.scalars(
            select(AssessmentValue).where(
                AssessmentValue.method == method_id,
                AssessmentValue.year == year,
                AssessmentValue.superseded_by_id.is_(None),
            )
        )
    )


def record(
    session: Session,
    rows: list[tuple[str, str, float]],
    *,
    fw: Framework,
    year: int,
    source: str,
    actor: str,
    kind: str = "record",
    reason: str | None = None,
    evidence: dict[tuple[str, str], str] | None = None,
) -> Imported:
    """Store the values (in the caller's transaction), each with its evidence where given (``{(unit, node):
    text}``); a value equal to the one in force changes nothing, another supersedes it."""
    existing = {(v.unit_code, v.node): v for v in current(session, fw.id, year) if v.kind == kind}
    seen: set[tuple[str, str]] = set()
    for unit, node, _ in rows:
        if (unit, node) in seen:
            raise AssessmentError(f"{unit} {node} twice in one import: give each value once")
        seen.add((unit, node))
    stored = unchanged = 0
    for unit, node, value in rows:
        old = existing.get((unit, node))
        note = (evidence or {}).get((unit, node)) or None
        if old is not None and old.value == value and old.method_version == fw.version and old.evidence == note:
            unchanged += 1
            continue
        new = AssessmentValue(
            method=fw.id, method_version=fw.version, year=year, unit_code=unit, node=node, value=value, kind=kind,
            source=source, reason=reason, recorded_by=actor, evidence=note,
        )  # fmt: skip
        session.add(new)
        session.flush()
        if old is not None:
            old.superseded_by_id = new.id
        stored += 1
    return Imported(stored, unchanged, sorted({u for u, _, _ in rows}))
