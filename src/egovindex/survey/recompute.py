"""Recompute TII and HCI from raw indicator series, and measure agreement with the published components.

The rule for data gaps is explicit (``Rule``): each indicator takes its latest value within ``lookback`` years
up to the reference year (the edition year minus ``lag``); combined gross enrolment is the mean of the primary,
secondary and tertiary ratios that are present, each capped at 100, when no combined ratio is given; an
indicator with no value for any country is dropped and its siblings' weights renormalised; a country missing
some indicators is scored on those it has (``missing="renormalise"``) or with the missing ones counted as 0
(``missing="zero"``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from egovindex import methodologies
from egovindex.domain import Edition
from egovindex.engine import Framework, Panel, score
from egovindex.sources.indicators import read_many

COMPONENTS = ("tii", "hci")
GER_LEVELS = ("ger_primary", "ger_secondary", "ger_tertiary")


@dataclass(frozen=True)
class Rule:
    lookback: int = 5
    lag: int = 1
    missing: str = "renormalise"
    leaf_normalisation: str | None = None

    def describe(self) -> str:
        text = (
            f"latest value within {self.lookback} years up to the edition year minus {self.lag}; "
            f"countries missing an indicator: {self.missing}"
        )
        if self.leaf_normalisation:
            text += f"; indicators normalised by {self.leaf_normalisation}"
        return text


@dataclass(frozen=True)
class Agreement:
    n: int
    spearman: float
    mad: float


@dataclass
class Recomputed:
    edition: int
    rule: Rule
    rows: list[dict[str, Any]] = field(default_factory=list)
    agreement: dict[str, Agreement] = field(default_factory=dict)
    used: dict[str, list[str]] = field(default_factory=dict)
    dropped: dict[str, list[str]] = field(default_factory=dict)


def read_series(paths: list[Path]) -> Panel:
    """Series files merged into one panel (the file named first wins where two overlap)."""
    return read_many(paths)[0]


@functools.lru_cache(maxsize=2)
def reference_series(folder: Path | None) -> Panel | None:
    """The raw series that the reference-data manifest names in ``folder``, read once per process (None without
    them): for the simulator's raw what-if, the reports and the ASEAN outlier rule alike."""
    from egovindex.sources.load import reference_manifest

    if folder is None or not folder.is_dir():
        return None
    paths = [folder / rel for rel in reference_manifest()["indicators"]]  # type: ignore[union-attr]
    paths = [p for p in paths if p.is_file()]
    return read_series(paths) if paths else None


def prepare(raw: Panel, edition: int, rule: Rule) -> Panel:
    """The observations for one edition: latest values, plus the derived combined enrolment ratio."""
    ref = edition - rule.lag
    latest = raw.latest(ref, lookback=rule.lookback)
    combined: list[tuple[str, str, int, float, str]] = []
    have = {e for e, i in zip(latest.entity, latest.indicator, strict=True) if i == "ger_combined"}
    for iso3 in sorted(set(latest.entity.tolist()) - have):
        levels = [latest.get(iso3, lvl, ref) for lvl in GER_LEVELS]
        present = [min(v, 100.0) for v in levels if v is not None]
        if present:
            combined.append((iso3, "ger_combined", ref, float(np.mean(present)), "mean of levels"))
    panel = Panel.concat([latest, Panel.from_records(combined)])
    return Panel(
        entity=panel.entity,
        indicator=panel.indicator,
        time=np.full(len(panel), str(edition), dtype=object),
        value=panel.value,
        source=panel.source,
    )


def component_framework(edition: int, component: str, panel: Panel, rule: Rule) -> tuple[Framework, list[str]]:
    """The component's branch of the edition's methodology, without indicators that nobody reports."""
    framework = methodologies.egdi(edition).subtree(component)
    present = set(panel.indicators())
    empty = [leaf.code for leaf in framework.leaves if leaf.code not in present]
    if empty:
        framework = framework.drop(empty)
    framework = framework.with_missing("renormalise")
    if rule.leaf_normalisation:
        framework = framework.with_leaf_normalisation(rule.leaf_normalisation)
    return framework, empty


def component_values(panel: Panel, edition: Edition, component: str, rule: Rule) -> tuple[np.ndarray, list[str]]:
    """One component of every assessed country from a prepared panel, and the indicators it used."""
    framework, _ = component_framework(edition.year, component, panel, rule)
    entities = [r.iso3 for r in edition.assessed()]
    data = panel
    if rule.missing == "zero":
        data = _zero_filled(panel, entities, [leaf.code for leaf in framework.leaves], edition.year)
    return score(framework, data, edition.year, entities=entities).value(), [leaf.code for leaf in framework.leaves]


def recompute_components(raw: Panel, edition: Edition, *, rule: Rule | None = None) -> Recomputed:
    """TII and HCI of every assessed country of ``edition`` from raw series, against the published ones."""
    rule = rule or Rule()
    panel = prepare(raw, edition.year, rule)
    result = Recomputed(edition=edition.year, rule=rule)
    values: dict[str, np.ndarray] = {}
    for comp in COMPONENTS:
        values[comp], result.used[comp] = component_values(panel, edition, comp, rule)
        result.dropped[comp] = component_framework(edition.year, comp, panel, rule)[1]
        published = np.array([getattr(r, comp) for r in edition.assessed()], dtype=float)
        result.agreement[comp] = agreement(values[comp], published)
    for i, r in enumerate(edition.assessed()):
        result.rows.append(
            {
                "iso3": r.iso3,
                "country": r.country_name,
                "tii": _num(values["tii"][i]),
                "tii_published": r.tii,
                "hci": _num(values["hci"][i]),
                "hci_published": r.hci,
            }
        )
    return result


def _zero_filled(panel: Panel, entities: list[str], leaves: list[str], edition: int) -> Panel:
    fill = [(e, code, edition, 0.0) for e in entities for code in leaves if panel.get(e, code, edition) is None]
    return Panel.concat([panel, Panel.from_records(fill)])


def _num(v: float) -> float | None:
    return None if np.isnan(v) else float(v)


def agreement(computed: np.ndarray, published: np.ndarray) -> Agreement:
    """Spearman rank correlation and mean absolute difference over the countries that have both."""
    from scipy.stats import spearmanr

    ok = ~np.isnan(computed) & ~np.isnan(published)
    if ok.sum() < 3:
        return Agreement(int(ok.sum()), float("nan"), float("nan"))
    rho = float(spearmanr(computed[ok], published[ok]).statistic)
    return Agreement(int(ok.sum()), rho, float(np.mean(np.abs(computed[ok] - published[ok]))))
