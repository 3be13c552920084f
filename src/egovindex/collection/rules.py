"""Declarative validation rules (registry/rules.yaml), checked over a whole submission at once (``check``).

Every failure is collected (not the first only) and names the rule, indicator, agency, period, value and, when the
value came from a file, its row. ``error`` blocks the submission; ``warning`` needs a written justification.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from egovindex import registry
from egovindex.collection.intake import Row
from egovindex.domain.periods import Period


@dataclass(frozen=True)
class Failure:
    rule: str
    severity: str
    agency: str
    period: str
    indicator: str | None
    value: float | None
    message: str
    row: int | None = None

    def __str__(self) -> str:
        value = "-" if self.value is None else f"{self.value:g}"
        return (
            f"{self.agency} {self.period} {self.indicator or '-'} = {value}: {self.message} "
            f"[{self.rule}, {self.severity}]"
        )


@dataclass
class Context:
    """What the rules compare with: the agency's values of other periods, and ASEAN peers' values."""

    agency: str
    period: Period
    previous: dict[str, float]
    year_ago: dict[str, float]
    peers: dict[str, list[float]]


def rules_digest() -> str:
    return hashlib.sha256(json.dumps(registry.load().rules, sort_keys=True, default=str).encode()).hexdigest()


def check(rows: list[Row], ctx: Context) -> list[Failure]:
    failures: list[Failure] = []
    for rule in registry.load().rules:
        failures.extend(CHECKS[rule["kind"]](rule, rows, ctx))
    return failures


def _failure(
    rule: dict[str, Any], ctx: Context, row: Row | None, message: str, indicator: str | None = None
) -> Failure:
    return Failure(
        rule["id"],
        rule["severity"],
        ctx.agency,
        str(ctx.period),
        indicator or (row.indicator if row else None),
        row.value if row else None,
        message,
        row.row if row else None,
    )


def _range(rule: dict[str, Any], rows: list[Row], ctx: Context) -> list[Failure]:
    reg = registry.load()
    out = []
    for r in rows:
        lo, hi = reg.indicator(r.indicator).range
        if not lo <= r.value <= hi:
            out.append(_failure(rule, ctx, r, f"outside the valid range {lo:g} to {hi:g}"))
    return out


def _jump(rule: dict[str, Any], rows: list[Row], ctx: Context) -> list[Failure]:
    against = ctx.previous if rule["against"] == "previous" else ctx.year_ago
    label = f"{ctx.period.previous()}" if rule["against"] == "previous" else f"{ctx.period.year_ago()}"
    limit = float(rule["max_relative_change"])
    out = []
    for r in rows:
        old = against.get(r.indicator)
        if old is None or old == 0:
            continue
        change = (r.value - old) / abs(old)
        if abs(change) > limit:
            out.append(
                _failure(
                    rule,
                    ctx,
                    r,
                    f"changed {change:+.0%} against {old:g} in {label} (more than {limit:.0%}); explain why",
                )
            )
    return out


def _ordering(rule: dict[str, Any], rows: list[Row], ctx: Context) -> list[Failure]:
    values = {r.indicator: r for r in rows}
    low = values.get(rule["lower"])
    if low is None:
        return []
    if "upper_value" in rule:
        bound, what = float(rule["upper_value"]), f"{float(rule['upper_value']):g}"
    else:
        high = values.get(rule["upper"])
        if high is None:
            return []
        bound, what = high.value, f"{rule['upper']} ({high.value:g})"
    if low.value > bound:
        return [_failure(rule, ctx, low, f"must not exceed {what}")]
    return []


def _completeness(rule: dict[str, Any], rows: list[Row], ctx: Context) -> list[Failure]:
    from egovindex.collection.intake import indicators_for

    reg = registry.load()
    present = {r.indicator for r in rows}
    owned = [
        i.code
        for i in indicators_for(ctx.agency, ctx.period)
        if ctx.agency in reg.successor_at(i.owner_at(ctx.period.end), ctx.period.end)
    ]
    return [
        _failure(rule, ctx, None, f"no value for {code}, which {ctx.agency} owns", indicator=code)
        for code in owned
        if code not in present
    ]


def _asean_outlier(rule: dict[str, Any], rows: list[Row], ctx: Context) -> list[Failure]:
    out = []
    for r in rows:
        peers = ctx.peers.get(r.indicator)
        if not peers or len(peers) < 3:
            continue
        lo, hi, low, high = _peer_bounds(rule, peers)
        if r.value < low or r.value > high:
            out.append(_failure(rule, ctx, r, f"far outside the ASEAN peers' range {lo:g} to {hi:g}"))
    return out


CHECKS: dict[str, Callable[[dict[str, Any], list[Row], Context], list[Failure]]] = {
    "range": _range,
    "jump": _jump,
    "ordering": _ordering,
    "completeness": _completeness,
    "asean_outlier": _asean_outlier,
}


# ------------------------------------------------------------------------------------------- hints
def hints(indicator: str, ctx: Context) -> list[dict[str, Any]]:
    """What the rules say of a value of ``indicator`` before it is typed (the form shows it next to the field): for
    each rule that applies to it for ``ctx``'s agency and period, the rule's id, kind and severity and its bounds,
    computed as ``check`` computes them (``low``/``high``: a value outside fails the rule; ``jump``: the value it is
    compared with and its period; ``ordering``: the other statistic or the fixed bound; ``completeness``: the
    agency owns the statistic, so leaving it blank is a warning)."""
    out = []
    for rule in registry.load().rules:
        make = HINTS.get(rule["kind"])
        hint = make(rule, indicator, ctx) if make else None
        if hint is not None:
            out.append({"rule": rule["id"], "kind": rule["kind"], "severity": rule["severity"], **hint})
    return out


def _range_hint(rule: dict[str, Any], indicator: str, ctx: Context) -> dict[str, Any]:
    lo, hi = registry.load().indicator(indicator).range
    return {"low": lo, "high": hi}


def _jump_hint(rule: dict[str, Any], indicator: str, ctx: Context) -> dict[str, Any] | None:
    previous = rule["against"] == "previous"
    old = (ctx.previous if previous else ctx.year_ago).get(indicator)
    if old is None or old == 0:
        return None
    limit = float(rule["max_relative_change"])
    return {
        "against": rule["against"],
        "period": str(ctx.period.previous() if previous else ctx.period.year_ago()),
        "value": old,
        "max_relative_change": limit,
        "low": old - limit * abs(old),
        "high": old + limit * abs(old),
    }


def _ordering_hint(rule: dict[str, Any], indicator: str, ctx: Context) -> dict[str, Any] | None:
    """The bound, when the check can apply: a fixed one, or another statistic the agency reports for the period
    (the check compares the values of one submission)."""
    from egovindex.collection.intake import indicators_for

    if rule["lower"] == indicator and "upper_value" in rule:
        return {"bound": "at_most", "other": None, "value": float(rule["upper_value"])}
    bound, other = ("at_most", rule.get("upper")) if rule["lower"] == indicator else ("at_least", rule["lower"])
    if indicator not in (rule["lower"], rule.get("upper")) or other not in {
        i.code for i in indicators_for(ctx.agency, ctx.period)
    }:
        return None
    return {"bound": bound, "other": other, "value": None}


def _completeness_hint(rule: dict[str, Any], indicator: str, ctx: Context) -> dict[str, Any] | None:
    reg, end = registry.load(), ctx.period.end
    return {} if ctx.agency in reg.successor_at(reg.indicator(indicator).owner_at(end), end) else None


def _peer_bounds(rule: dict[str, Any], peers: list[float]) -> tuple[float, float, float, float]:
    """The ASEAN peers' range and the bounds beyond which a value is an outlier."""
    margin = float(rule["margin"])
    lo, hi = min(peers), max(peers)
    span = (hi - lo) or abs(hi) or 1.0
    return lo, hi, lo - margin * span, hi + margin * span


def _asean_hint(rule: dict[str, Any], indicator: str, ctx: Context) -> dict[str, Any] | None:
    peers = ctx.peers.get(indicator)
    if not peers or len(peers) < 3:
        return None
    lo, hi, low, high = _peer_bounds(rule, peers)
    return {"low": low, "high": high, "peers_low": lo, "peers_high": hi, "margin": float(rule["margin"])}


HINTS: dict[str, Callable[[dict[str, Any], str, Context], dict[str, Any] | None]] = {
    "range": _range_hint,
    "jump": _jump_hint,
    "ordering": _ordering_hint,
    "completeness": _completeness_hint,
    "asean_outlier": _asean_hint,
}


def asean_peers(raw: Any, period: Period, *, lookback: int = 5) -> dict[str, list[float]]:
    """The latest values of Viet Nam's ASEAN peers for the registry's indicators, from raw series (a Panel)."""
    from egovindex.sources.countries import group_members

    peers = [c for c in group_members("asean", at=period.end) if c != "VNM"]
    present = set(raw.indicator.tolist())
    codes = [i.code for i in registry.load().indicators if i.code in present]
    latest = raw.latest(period.year, lookback=lookback, indicators=codes)
    out: dict[str, list[float]] = {}
    for entity, indicator, value in zip(latest.entity, latest.indicator, latest.value, strict=True):
        if entity in peers:
            out.setdefault(indicator, []).append(float(value))
    return out


def reference_peers(period: Period) -> dict[str, list[float]]:
    """The ASEAN peers' values for the outlier rule, from the reference series of the settings (none without
    them); read once per reference folder and period."""
    from egovindex.settings import get_settings

    return _reference_peers(get_settings().reference_data, str(period))


@functools.lru_cache(maxsize=16)
def _reference_peers(folder: Path | None, period: str) -> dict[str, list[float]]:
    from egovindex.survey.recompute import reference_series

    raw = reference_series(folder)
    return asean_peers(raw, Period.parse(period)) if raw is not None else {}
