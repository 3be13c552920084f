"""Nowcast of the next edition: every country's components projected from its history, and rank intervals.

Method (documented in docs/analysis.md): a damped trend per component, ``next = last + damping x (last -
previous)``, clipped to [0, 1], using only editions from 2014 on (earlier components are on other scales); a
country assessed in one such edition only keeps its last values. The next EGDI uses the weights of the last
edition. Intervals: the projection errors of the same method on every past transition (country x component) are
resampled and added to the projection, 2,000 times; each country's 5-95 % rank range comes from those draws.
The back-test predicts 2022 from the editions up to 2020 and 2024 from those up to 2022, and reports the mean
absolute rank error next to the naive forecast "same rank as last time", whichever wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from egovindex.analysis.state import COMPONENTS, AnalysisError, EditionState
from egovindex.engine.rank import competition_rank

if TYPE_CHECKING:
    from egovindex.domain import Edition

FIRST_COMPARABLE = 2014
SURVEY_STEP = 2
DAMPING_GRID = (-0.5, -0.25, 0.0, 0.25, 0.5)
CALIBRATION_YEARS = (2018, 2020)
# Chosen by ``choose_damping`` on the 2018 and 2020 back-tests: mean absolute rank error 8.23 at -0.25 and at 0
# (a tie, broken toward no trend), 8.68 at -0.5, 8.89 at 0.25, 9.83 at 0.5. Past changes of the components do not
# predict the next change: the projection is the last values, and its use is the interval around them.
# 2022 and 2024 are left for the honest test.
DAMPING = 0.0


@dataclass
class Projection:
    year: int
    based_on: list[int]
    entities: tuple[str, ...]
    components: np.ndarray
    egdi: dict[str, float]
    rank: dict[str, int]
    interval: dict[str, tuple[int, int]] = field(default_factory=dict)

    def rows(self, names: dict[str, str] | None = None) -> list[dict[str, Any]]:
        names = names or {}
        out = []
        for i, e in enumerate(self.entities):
            lo, hi = self.interval.get(e, (None, None))
            out.append(
                {
                    "iso3": e,
                    "country": names.get(e, e),
                    "osi": float(self.components[i, 0]),
                    "tii": float(self.components[i, 1]),
                    "hci": float(self.components[i, 2]),
                    "egdi": self.egdi[e],
                    "rank": self.rank[e],
                    "rank_p05": lo,
                    "rank_p95": hi,
                }
            )
        return sorted(out, key=lambda r: (r["rank"], r["iso3"]))


def _comparable(history: list[Edition]) -> list[EditionState]:
    states = [EditionState.of(e) for e in sorted(history, key=lambda e: e.year) if e.year >= FIRST_COMPARABLE]
    if not states:
        raise AnalysisError(f"the nowcast needs at least one edition from {FIRST_COMPARABLE} on")
    return states


def _trend(last: EditionState, previous: EditionState | None, damping: float = DAMPING) -> np.ndarray:
    comps = last.components.copy()
    if previous is not None:
        for i, e in enumerate(last.entities):
            j = previous.position.get(e)
            if j is not None:
                comps[i] += damping * (last.components[i] - previous.components[j])
    return np.clip(comps, 0.0, 1.0)


def project(history: list[Edition], *, draws: int = 2_000, seed: int = 0, damping: float = DAMPING) -> Projection:
    """Project the edition after the latest one in ``history``."""
    states = _comparable(history)
    last = states[-1]
    previous = states[-2] if len(states) > 1 else None
    comps = _trend(last, previous, damping)
    egdi = comps @ last.weights
    rank = competition_rank(egdi)
    proj = Projection(
        year=last.year + SURVEY_STEP,
        based_on=[s.year for s in states],
        entities=last.entities,
        components=comps,
        egdi=dict(zip(last.entities, egdi.tolist(), strict=True)),
        rank={e: int(r) for e, r in zip(last.entities, rank, strict=True)},
    )
    residuals = _residuals(states, damping)
    if len(residuals):
        rng = np.random.default_rng(seed)
        picks = rng.integers(0, len(residuals), size=(draws, *comps.shape[:1]))
        noisy = np.clip(comps[None] + residuals[picks], 0.0, 1.0)
        ranks = competition_rank(noisy @ last.weights)
        lo, hi = np.percentile(ranks, [5, 95], axis=0)
        proj.interval = {e: (int(np.floor(lo[i])), int(np.ceil(hi[i]))) for i, e in enumerate(last.entities)}
    return proj


def _residuals(states: list[EditionState], damping: float) -> np.ndarray:
    """Errors (actual - projected) of the method on every past transition, one row of 3 per country."""
    rows = []
    for k in range(1, len(states)):
        actual = states[k]
        projected = _trend(states[k - 1], states[k - 2] if k >= 2 else None, damping)
        for i, e in enumerate(actual.entities):
            j = states[k - 1].position.get(e)
            if j is not None:
                rows.append(actual.components[i] - projected[j])
    return np.array(rows).reshape(-1, len(COMPONENTS))


@dataclass(frozen=True)
class Backtest:
    predicted: int
    from_editions: list[int]
    countries: int
    mae_nowcast: float
    mae_naive: float
    within_interval: float

    @property
    def winner(self) -> str:
        return "nowcast" if self.mae_nowcast < self.mae_naive else "naive"


def backtest(history: list[Edition], target_year: int, *, damping: float = DAMPING) -> Backtest:
    """Predict ``target_year`` from the earlier editions and compare with the published ranks."""
    past = [e for e in history if e.year < target_year]
    actual_ed = next((e for e in history if e.year == target_year), None)
    if actual_ed is None or not past:
        raise AnalysisError(f"the back-test of {target_year} needs that edition and earlier ones")
    proj = project(past, damping=damping)
    actual = EditionState.of(actual_ed)
    last = EditionState.of(max(past, key=lambda e: e.year))
    common = [e for e in actual.entities if e in proj.rank and e in last.position]
    # compare ranks among the countries present in both editions, so that entrants do not count as errors
    pred_rank = competition_rank(np.array([proj.egdi[e] for e in common]))
    true_rank = competition_rank(np.array([actual.egdi[actual.index(e)] for e in common]))
    naive_rank = competition_rank(-np.array([last.rank[last.index(e)] for e in common]))
    inside = [proj.interval[e][0] <= actual.rank[actual.index(e)] <= proj.interval[e][1] for e in common]
    return Backtest(
        predicted=target_year,
        from_editions=proj.based_on,
        countries=len(common),
        mae_nowcast=float(np.mean(np.abs(pred_rank - true_rank))),
        mae_naive=float(np.mean(np.abs(naive_rank - true_rank))),
        within_interval=float(np.mean(inside)),
    )


def calibrate(history: list[Edition], years: tuple[int, ...] = CALIBRATION_YEARS) -> dict[float, float]:
    """Mean absolute rank error of each damping of the grid over the back-tests of ``years``."""
    return {d: float(np.mean([backtest(history, y, damping=d).mae_nowcast for y in years])) for d in DAMPING_GRID}


def choose_damping(errors: dict[float, float]) -> float:
    """The damping with the lowest error; ties go to the smallest trend."""
    return min(errors, key=lambda d: (round(errors[d], 9), abs(d)))
