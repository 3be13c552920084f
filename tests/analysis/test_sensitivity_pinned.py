"""The Monte Carlo ranks are pinned: the same seed gives the same ranks, draw for draw, whatever the code's
arithmetic path (the values below were produced by the first, straightforward implementation: every normalisation
and aggregation computed for every draw, with the draws' axis first)."""

import hashlib

import numpy as np
import pytest

from egovindex.analysis.sensitivity import DrawOptions, _percentiles, normalised_variants, run, score_draws, score_fixed
from egovindex.analysis.state import EditionState
from egovindex.engine.rank import competition_rank, rank_counts

CONFIGS = {
    "lean": {"error": 0.0, "geometric": False},
    "geometric": {"error": 0.0},
    "error": {"geometric": False},
    "full": {},
}

# sha256 of the stacked (p05, median, p95) arrays as float64, for draws=1500, seed=5, chunk=400
INTERVALS = {
    "lean": "2bd53abe95e76e2382dc9f34f24140accfc9a58ab22b423a95c4556db637c29e",
    "geometric": "d86fbb6a9359216767adeeb7bc91a6a11db36a65d81c37a7326fa3bfc4a9cf4e",
    "error": "dfda8491edfb45aecd6bcf4f41c5fd1bac27eec0e606f5ae4cbbad7e6d407f59",
    "full": "2c33d8d7a8194f4bb881af255ccdbf78649155b401b897cb7f99b377a6a9c69b",
}

# (p05, median, p95) of a few countries
COUNTRIES = {
    "lean": {"VNM": (69, 71, 71), "SGP": (3, 4, 6), "DNK": (1, 1, 1), "KOR": (3, 5, 8), "SSD": (191, 192, 192)},
    "geometric": {"VNM": (68, 70, 71), "SGP": (3, 4, 6), "DNK": (1, 1, 1), "KOR": (3, 5, 8), "SSD": (190, 190, 192)},
    "error": {"VNM": (66, 71, 74), "SGP": (1, 4, 11), "DNK": (1, 1, 5), "KOR": (1, 5, 11), "SSD": (191, 192, 192)},
    "full": {"VNM": (66, 70, 74), "SGP": (1, 4, 10), "DNK": (1, 1, 6), "KOR": (1, 5, 11), "SSD": (189, 190, 192)},
}

# sha256 of the ranks of every draw (draws, countries) as float32, same settings
DRAWS = {
    "lean": "51080ac0df8bb8a605a5deb45a4413dcb2a1870f619cb32c886f52c219d1f771",
    "geometric": "852d4f5243d0764ee57bd31e6e1302d3478f4872e3dc8d91e584725469e05fc5",
    "error": "15bb5d2ecf1ecebd3edcd41d23a4a755924385a085d64156ae5dc6295183d4d2",
    "full": "9c7e2a4be239ad05c5fb66d3f4c22fdea47dbb406b182078148d5805e88f5d37",
}

SOBOL_VNM = {
    "weight_osi": {"first_order": -0.05782414848311495, "total": 0.0790360220472727},
    "weight_tii": {"first_order": 0.03801066041933404, "total": 0.12669009416401064},
    "weight_hci": {"first_order": -0.011622944418716573, "total": 0.0976327331172192},
    "normalisation": {"first_order": -0.022265202902103935, "total": 0.016272122186203202},
    "aggregation": {"first_order": -0.08600978869850263, "total": 0.04184259990737966},
    "data_error": {"first_order": 0.6246242974020904, "total": 0.7694389205190371},
}


@pytest.mark.parametrize("name", CONFIGS)
def test_intervals_are_pinned(editions: dict, name: str) -> None:
    r = run(editions[2024], DrawOptions(draws=1500, seed=5, chunk=400, **CONFIGS[name]))
    for iso3, expected in COUNTRIES[name].items():
        i = r.entities.index(iso3)
        assert (r.p05[i], r.median[i], r.p95[i]) == expected, iso3
    stacked = np.stack([r.p05, r.median, r.p95]).astype(np.float64)
    assert hashlib.sha256(stacked.tobytes()).hexdigest() == INTERVALS[name]
    assert r.nominal[r.entities.index("VNM")] == 71


def test_sobol_indices_are_pinned(editions: dict) -> None:
    r = run(editions[2024], DrawOptions(draws=300, seed=3, chunk=128, sobol_n=64), country="VNM")
    assert r.sobol == SOBOL_VNM


def draw_ranks(state: EditionState, s: DrawOptions) -> np.ndarray:
    """The ranks of every draw, in the draws' order: ``run``'s random stream, scored draw by draw."""
    rng = np.random.default_rng(s.seed)
    fixed = normalised_variants(state.components)
    out = []
    for start in range(0, s.draws, s.chunk):
        k = min(s.chunk, s.draws - start)
        weights = rng.dirichlet(s.concentration * state.weights, size=k)
        use_z = rng.random(k) < 0.5
        use_geo = rng.random(k) < 0.5 if s.geometric else None
        if s.error > 0:
            noise = rng.standard_normal((k, *state.components.shape))
            comps = np.clip(state.components[None] * (1.0 + s.error * noise), 0.0, None)
            geo = use_geo if use_geo is not None else np.zeros(k, dtype=bool)
            scores = score_draws(comps, weights, use_z, geo)
        else:
            scores = score_fixed(fixed, weights, use_z, use_geo)
        out.append(competition_rank(scores))
    return np.concatenate(out).astype(np.float32)


@pytest.mark.parametrize("name", CONFIGS)
def test_every_draw_is_pinned_and_run_summarises_them(editions: dict, name: str) -> None:
    settings = DrawOptions(draws=1500, seed=5, chunk=400, **CONFIGS[name])
    ranks = draw_ranks(EditionState.of(editions[2024]), settings)
    assert hashlib.sha256(ranks.tobytes()).hexdigest() == DRAWS[name]
    r = run(editions[2024], settings)
    expected = np.percentile(ranks, [5, 50, 95], axis=0)
    np.testing.assert_array_equal(np.stack([r.p05, r.median, r.p95]), expected)


def straightforward(comps: np.ndarray, weights: np.ndarray, use_z: np.ndarray, use_geo: np.ndarray) -> np.ndarray:
    """Every normalisation and aggregation for every draw, the draws' axis first, then a choice per draw."""
    x = np.swapaxes(comps, -1, -2)  # (draws, 3, countries)
    lo, hi = x.min(axis=-1, keepdims=True), x.max(axis=-1, keepdims=True)
    mm = (x - lo) / (hi - lo)
    z = (x - x.mean(axis=-1, keepdims=True)) / x.std(axis=-1, keepdims=True)
    z = z - z.min(axis=-1, keepdims=True)
    values = np.swapaxes(np.where(use_z[:, None, None], z, mm), -1, -2)  # (draws, countries, 3)
    w = np.broadcast_to(weights[:, None, :], values.shape)
    arithmetic = (w * values).sum(axis=-1) / w.sum(axis=-1)
    logs = np.log(np.where(values > 0, values, 1.0))
    geometric = np.exp((w * logs).sum(axis=-1) / w.sum(axis=-1))
    geometric = np.where(((values == 0) & (w > 0)).any(axis=-1), 0.0, geometric)
    return np.where(use_geo[:, None], geometric, arithmetic)


@pytest.mark.parametrize(("year", "error", "k"), [(2024, 0.02, 1), (2024, 0.3, 7), (2024, 0.02, 300), (2003, 0.1, 64)])
def test_grouped_scores_are_the_straightforward_ones_bit_for_bit(
    editions: dict, year: int, error: float, k: int
) -> None:
    state = EditionState.of(editions[year])  # 2003: several published zeros, components above 1
    rng = np.random.default_rng(k)
    comps = np.clip(state.components[None] * (1 + error * rng.standard_normal((k, *state.components.shape))), 0, None)
    weights = rng.dirichlet(50 * state.weights, size=k)
    use_z, use_geo = rng.random(k) < 0.5, rng.random(k) < 0.5
    expected = straightforward(comps, weights, use_z, use_geo)
    np.testing.assert_array_equal(score_draws(comps, weights, use_z, use_geo), expected)


@pytest.mark.parametrize("draws", [1, 2, 3, 20, 21, 1000])
def test_percentiles_of_the_tallies_are_numpys(draws: int) -> None:
    rng = np.random.default_rng(draws)
    scores = np.round(rng.random((draws, 40)), 1)  # many ties
    if draws > 2:
        scores[1, 3] = np.nan
    ranks = competition_rank(scores).astype(np.float32)
    q = [0, 5, 25, 50, 95, 100]
    np.testing.assert_array_equal(_percentiles(rank_counts(scores), q), np.percentile(ranks, q, axis=0))
