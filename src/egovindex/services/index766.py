"""The service index 766 (Decision 766/QĐ-TTg) as far as dossier records determine it, scored by the engine with
the packaged methodology ``service-index-766`` (its thresholds, rounding and classes).

The records determine eleven indicators (``RATIOS``; four of them shown, not scored). Each is a ratio of two
counts of the period's statistics (``stats.counts``); the methodology's named assumptions say where the records
stand in for what the portal counts. A group's points and the total are given only where every scored indicator
below them is determined: from records alone that is group 2 (progress and results); the others also need what
agencies report (announcements, petitions, data sharing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from egovindex.services import stats

METHOD = "service-index-766"
DECIMALS = 6  # of the ratios, as every share of the statistics


def _ratio(part: str, whole: str) -> Callable[[dict[str, Any]], float | None]:
    def ratio(c: dict[str, Any]) -> float | None:
        return None if not c[whole] else c[part] / c[whole]

    return ratio


def _online_synced(c: dict[str, Any]) -> float | None:
    """3.3: the share received online times the synchronisation rate."""
    return None if not c["received"] else (c["online"] / c["received"]) * (c["synced"] / c["received"])


def _satisfied(c: dict[str, Any]) -> float | None:
    """5.4: 100 % less the share not on time and the share rated 1 or 2 (not below 0); no dossier: 0 (the
    source's rule)."""
    if not c["received"]:
        return 0.0
    return max(0.0, 1.0 - (c["received"] - c["on_time"] + c["dissatisfied"]) / c["received"])


RATIOS: dict[str, Callable[[dict[str, Any]], float | None]] = {
    "1.4": _ratio("synced", "received"),
    "2.1": _ratio("on_time", "received"),
    "3.0": _ratio("full_online", "full_online_service_dossiers"),
    "3.1": _ratio("online_services", "all_services"),
    "3.2": _ratio("online_services_used", "online_services"),
    "3.3": _online_synced,
    "3.5b": _ratio("fee_services_paid", "fee_services"),
    "3.6": _ratio("paid_online", "fee_dossiers"),
    "4.1": _ratio("e_result", "received"),
    "4.2": _ratio("digitised", "received"),
    "5.4": _satisfied,
}


@dataclass(frozen=True)
class Scored:
    """The index of one period for every group: long rows (one per group and node) and what they depend on."""

    period: str
    by: str
    method: str
    version: str
    rows: list[dict[str, Any]]
    assumptions: dict[str, str]
    assumptions_vi: dict[str, str]


def nodes() -> list[Any]:
    """The nodes shown: the indicators the records determine, the groups above them, and the index."""
    from egovindex import methodologies

    fw = methodologies.load(METHOD)
    shown = set(RATIOS)
    for code in RATIOS:
        shown.update(fw.ancestors[code])
    return [n for n in fw.nodes if n.code in shown]


def determined() -> list[Any]:
    """The scored nodes whose every scored indicator the records determine: the columns of a table of points."""
    from egovindex import methodologies

    fw = methodologies.load(METHOD)

    def whole(node: Any) -> bool:
        if node.is_leaf:
            return node.code in RATIOS
        return all(whole(c) for c in node.scored_children)

    return [n for n in fw.nodes if n.scored and whole(n)]


def score(span: stats.Span, by: stats.By = "agency", *, connection: Any = None) -> Scored:
    """The index for the period's groups (agencies, unit levels or the nation)."""
    import math

    import numpy as np

    from egovindex import methodologies
    from egovindex.engine import score_matrix

    fw = methodologies.load(METHOD)
    found = stats.counts(span, by, connection=connection)
    leaves = [leaf.code for leaf in fw.leaves]
    x = np.full((len(found), len(leaves)), np.nan)
    for i, c in enumerate(found):
        for code, ratio in RATIOS.items():
            value = ratio(c)
            if value is not None:
                x[i, leaves.index(code)] = round(value, DECIMALS)
    groups = [str(c["grp"]) for c in found]
    scores = score_matrix(fw, groups, x, span.label) if found else None
    column = stats.GROUP[by] or "national"
    rows = []
    for node in nodes():
        for i, group in enumerate(groups):
            assert scores is not None
            points = float(scores.value(node.code)[i])
            ratio = float(scores.stage("raw", node.code)[i]) if node.is_leaf else math.nan
            row: dict[str, Any] = {"period": span.label}
            if stats.GROUP[by]:
                row[column] = group
            row.update(
                node=node.code,
                name=node.name,
                name_vi=node.name_vi,
                ratio=None if math.isnan(ratio) else ratio,
                points=None if not node.scored or math.isnan(points) else points,
                max_points=node.max_points,
                scored=node.scored,
                **{"class": scores.klass[i] if node.code == fw.root else None},
            )
            rows.append(row)
    key = stats.GROUP[by]
    if key:
        rows.sort(key=lambda r: str(r[key]))
    return Scored(
        period=span.label,
        by=by,
        method=fw.id,
        version=fw.version,
        rows=rows,
        assumptions={k: v for code in RATIOS for k, v in fw.assumptions_of(code).items()},
        assumptions_vi={k: v for code in RATIOS for k, v in fw.assumptions_of(code, "vi").items()},
    )
