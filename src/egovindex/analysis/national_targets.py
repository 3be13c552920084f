"""The national e-government targets of the registry, with their status and gap against the figures at hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from egovindex import registry


def status(
    rank: int | None, asean_rank: int | None, values: dict[str, dict[str, Any]], as_of: dt.date
) -> list[dict[str, Any]]:
    """Every national target with a number to compare, against Viet Nam's EGDI rank and rank in ASEAN and the
    period's approved national values (``{statistic: {"value": ...}}``): status met / at risk / missed, and the
    gap. Targets whose statistic has no value are left out, never guessed."""
    rows = []
    for t in registry.load().targets:
        if "threshold" not in t:
            continue
        metric, threshold = t["metric"], float(t["threshold"])
        deadline = int(str(t["deadline"])[:4]) if str(t["deadline"])[:4].isdigit() else None
        as_of_period = None
        if metric in ("egdi_rank", "egdi_rank_in_asean"):
            current = rank if metric == "egdi_rank" else asean_rank
            met = current is not None and current <= threshold
            gap = None if current is None else max(0, current - int(threshold))
            unit = "rank"
        elif metric in values:
            current = values[metric]["value"]
            as_of_period = values[metric].get("period")
            comparator = t.get("comparator", ">=")
            met = current >= threshold if comparator == ">=" else current <= threshold
            gap = max(0.0, threshold - current) if comparator == ">=" else max(0.0, current - threshold)
            unit = t.get("unit", "")
        else:
            continue
        if met:
            status = "met"
        elif deadline is not None and deadline < as_of.year:
            status = "missed"
        else:
            status = "at risk"
        rows.append(
            {
                "id": t["id"],
                "target": t["target"],
                "target_vi": t.get("target_vi", t["target"]),
                "metric": metric,
                "threshold": int(threshold) if unit == "rank" else threshold,
                "unit": unit,
                "deadline": str(t["deadline"]),
                "current": current,
                "period": as_of_period,
                "gap": gap,
                "status": status,
                "source": t["source_document"],
                "source_url": t.get("source_url"),
            }
        )
    return rows
