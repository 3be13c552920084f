"""What the services dashboard and the report's section show for a period, built once for every face from one
read of the warehouse: the national figures, the levels, the agencies ranked by their online share with the
flags beside them, the services without an online dossier, the service index 766 as far as records determine
it, and the monthly trend of the twelve months up to the period's end (with its chart)."""

from __future__ import annotations

from typing import Any

from egovindex.services import index766, stats

GAPS_SHOWN = 200
TREND_MONTHS = 12
TREND = ("online_share", "full_online_share", "on_time_rate")


def months_before(span: stats.Span, count: int = TREND_MONTHS) -> list[stats.Span]:
    """The ``count`` months that end with the period's last month, oldest first (none before the first year a
    record can be of)."""
    year, month = span.end.year, span.end.month
    out = []
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        if year < stats.FIRST_YEAR:
            break
        out.append(stats.Span.parse(f"{year:04d}-{month:02d}"))
    return out[::-1]


def dashboard(span: stats.Span, *, connection: Any) -> dict[str, Any]:
    """The period's figures (plain data: the JSON twin shows exactly this)."""
    agencies = stats.statistics(span, "agency", connection=connection)
    flags = stats.integrity(span, connection=connection)
    flagged: dict[str, list[dict[str, Any]]] = {}
    for f in flags:
        flagged.setdefault(f["agency_code"], []).append({k: f[k] for k in ("flag", "dossiers", "share")})
    for a in agencies:
        a["flags"] = flagged.get(a["agency_code"], [])
    gaps = stats.gaps(span, connection=connection)
    trend = []
    for month in months_before(span):
        [row] = stats.statistics(month, "national", connection=connection)
        trend.append({"month": month.label, "received": row["received"], **{k: row[k] for k in TREND}})
    return {
        "period": span.label,
        "nation": stats.statistics(span, "national", connection=connection)[0],
        "levels": stats.statistics(span, "level", connection=connection),
        "agencies": sorted(agencies, key=lambda r: (-(r["online_share"] or 0), r["agency_code"])),
        "flags": flags,
        "gaps_total": len(gaps),
        "gaps": gaps[:GAPS_SHOWN],
        "index766": _index(span, connection),
        "trend": trend,
    }


def _index(span: stats.Span, connection: Any) -> dict[str, Any]:
    """The service index 766: the nodes shown, the nation's and each agency's ratios and points."""
    nation = index766.score(span, "national", connection=connection)
    agencies = index766.score(span, "agency", connection=connection)
    by_agency: dict[str, dict[str, Any]] = {}
    for r in agencies.rows:
        by_agency.setdefault(r["agency_code"], {})[r["node"]] = {"ratio": r["ratio"], "points": r["points"]}
    return {
        "method": nation.method,
        "version": nation.version,
        "assumptions": nation.assumptions,
        "assumptions_vi": nation.assumptions_vi,
        "nodes": [
            {"code": n.code, "name": n.name, "name_vi": n.name_vi, "max_points": n.max_points, "scored": n.scored}
            for n in index766.nodes()
        ],
        "columns": [n.code for n in index766.determined()],
        "nation": {r["node"]: {"ratio": r["ratio"], "points": r["points"]} for r in nation.rows},
        "agencies": [{"agency_code": code, "values": values} for code, values in sorted(by_agency.items())],
    }


def trend_chart(data: dict[str, Any], lang: str) -> Any:
    """The monthly shares as lines (a chart where people would rather look than read)."""
    from egovindex import charts
    from egovindex.translations import gettext

    _ = gettext(lang)
    names = {
        "online_share": _("Received online"),
        "full_online_share": _("Full-process online"),
        "on_time_rate": _("Settled on time"),
    }
    rows = [
        {"month": t["month"], "series": names[k], "percent": round(100 * t[k], 1)}
        for t in data["trend"]
        for k in TREND
        if t[k] is not None
    ]
    described = "; ".join(
        f"{t['month']}: " + ", ".join(f"{names[k]} {100 * t[k]:.1f} %" for k in TREND if t[k] is not None)
        for t in data["trend"]
        if t["received"]
    )
    return charts.monthly_shares(
        rows,
        title=_("Online public services, the twelve months to") + f" {data['period']}",
        value_label=_("Share of the dossiers received (%)"),
        month_label=_("Month of receipt"),
        description=_("Line chart of the monthly shares: ") + (described or _("no dossier records")),
        source_text=_("Dossier records of online public services (egovindex services)"),
        lang=lang,
    )
