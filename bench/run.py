"""Benchmarks: ``make bench`` writes docs/benchmarks.md with the machine, the date and ratios to baselines.

1. Recomputing every edition's EGDI and ranks from its published components, in-process: the engine
   (``survey.egdi.recompute``: Panel, Framework, score, ranks, groups, provenance) against plain numpy doing the
   same arithmetic (weighted sum of the components, competition ranks, groups) from the same parsed rows.
2. The whole ``egovindex egdi rank FILE`` process against ``python -c "import egovindex"`` and bare
   ``python -c pass``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = Path(os.environ.get("EGOVINDEX_REFERENCE_DATA", ROOT.parent / "shared" / "data"))


def timeit(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    """Median seconds of ``repeat`` calls (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def numpy_baseline(editions: list) -> list[np.ndarray]:  # type: ignore[type-arg]
    out = []
    for e in editions:
        rows = [r for r in e.rows if r.assessed]
        x = np.array([[r.osi, r.tii, r.hci] for r in rows])
        w = np.array([0.34, 0.33, 0.33]) if e.year in (2008, 2010) else np.full(3, 1 / 3)
        egdi = x @ w
        key = -np.round(egdi, 12)  # ties within 1e-12 are ties, as in the engine
        rank = np.searchsorted(np.sort(key), key, side="left") + 1
        groups = np.searchsorted([0.25, 0.5, 0.75], egdi, side="right")
        out.append(np.column_stack([egdi, rank, groups]))
    return out


def engine_path(editions: list) -> list[object]:  # type: ignore[type-arg]
    from egovindex.survey.egdi import recompute

    return [recompute(e) for e in editions]


def bench_recompute(repeat: int) -> dict[str, float]:
    from egovindex.sources.load import reference_files
    from egovindex.sources.undata import read_undata

    editions = [e for p in reference_files(REFERENCE) for e in read_undata(p)]
    for s, b in zip(engine_path(editions), numpy_baseline(editions), strict=True):  # same answers
        np.testing.assert_allclose(s.value(), b[:, 0], atol=1e-12)
        np.testing.assert_array_equal(s.rank, b[:, 1])
    engine = timeit(lambda: engine_path(editions), repeat)
    baseline = timeit(lambda: numpy_baseline(editions), repeat)
    return {"editions": len(editions), "engine": engine, "numpy": baseline}


def numpy_ranks(score: np.ndarray) -> np.ndarray:
    """Competition ranks of each row in plain numpy (sort, first position of each run of equal values). Members of
    a run share its first position whatever their order, so numpy's default sort (faster than a stable one) serves,
    as in the engine."""
    order = np.argsort(-score, axis=1)
    ordered = np.take_along_axis(-score, order, axis=1)
    first = np.ones(ordered.shape, dtype=bool)
    first[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    pos = np.maximum.accumulate(np.where(first, np.arange(ordered.shape[1]), 0), axis=1)
    ranks = np.empty(score.shape)
    np.put_along_axis(ranks, order, pos + 1.0, axis=1)
    return ranks


def numpy_draws(comps: np.ndarray, w0: np.ndarray, draws: int, chunk: int, seed: int) -> np.ndarray:
    """The sensitivity arithmetic in plain numpy: Dirichlet weights, a normalisation and an aggregation chosen
    per draw, relative data errors, scores and competition ranks of every country."""
    rng = np.random.default_rng(seed)
    out = np.empty((draws, comps.shape[0]), dtype=np.float32)
    for start in range(0, draws, chunk):
        k = min(chunk, draws - start)
        w = rng.dirichlet(50 * w0, size=k)
        use_z = rng.random(k) < 0.5
        use_geo = rng.random(k) < 0.5
        c = np.clip(comps[None] * (1 + 0.02 * rng.standard_normal((k, *comps.shape))), 0, None)
        lo, hi = c.min(axis=1, keepdims=True), c.max(axis=1, keepdims=True)
        mm = (c - lo) / (hi - lo)
        z = (c - c.mean(axis=1, keepdims=True)) / c.std(axis=1, keepdims=True)
        z -= z.min(axis=1, keepdims=True)
        x = np.where(use_z[:, None, None], z, mm)
        arith = (x * w[:, None, :]).sum(axis=2)
        with np.errstate(divide="ignore"):
            geo = np.exp((np.log(x) * w[:, None, :]).sum(axis=2))
        score = np.round(np.where(use_geo[:, None], geo, arith), 12)
        out[start : start + k] = numpy_ranks(score)
    return out


def numpy_weights_only(comps: np.ndarray, w0: np.ndarray, draws: int, chunk: int, seed: int) -> np.ndarray:
    """The issue's reference arithmetic in plain numpy: Dirichlet weights, a normalisation chosen per draw,
    scores and competition ranks of all countries (components fixed)."""
    rng = np.random.default_rng(seed)
    lo, hi = comps.min(axis=0), comps.max(axis=0)
    mm = (comps - lo) / (hi - lo)
    z = (comps - comps.mean(axis=0)) / comps.std(axis=0)
    z -= z.min(axis=0)
    out = np.empty((draws, comps.shape[0]), dtype=np.float32)
    for start in range(0, draws, chunk):
        k = min(chunk, draws - start)
        w = rng.dirichlet(50 * w0, size=k)
        use_z = rng.random(k) < 0.5
        score = np.round(np.where(use_z[:, None], w @ z.T, w @ mm.T), 12)
        out[start : start + k] = numpy_ranks(score)
    return out


def timeit_pair(engine, baseline, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median seconds of ``repeat`` calls of each (after one warm-up call of each), the two called in turn, so
    that a change in the machine's load weighs on both alike."""
    engine(), baseline()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for fn, out in ((engine, times[0]), (baseline, times[1])):
            t = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
    return statistics.median(times[0]), statistics.median(times[1])


def bench_sensitivity(repeat: int) -> dict[str, float]:
    from egovindex.analysis import sensitivity
    from egovindex.analysis.state import EditionState
    from egovindex.sources.undata import read_undata

    (edition,) = read_undata(REFERENCE / "egdi/raw/Estadistica1CienciaPolitica/EGOV_DATA_2024.csv")
    state = EditionState.of(edition)
    draws, chunk, n = 20_000, 2_000, max(3, repeat // 4)
    lean = sensitivity.DrawOptions(draws=draws, seed=0, chunk=chunk, error=0.0, geometric=False)
    full = sensitivity.DrawOptions(draws=draws, seed=0, chunk=chunk)
    out: dict[str, float] = {"draws": draws, "chunk": chunk}
    for name, settings, baseline in (("lean", lean, numpy_weights_only), ("full", full, numpy_draws)):
        r = sensitivity.run(
            edition, settings
        )  # same answers: numpy's ranks of every draw have the engine's percentiles
        ranks = baseline(state.components, state.weights, draws, chunk, 0)
        np.testing.assert_array_equal(np.percentile(ranks, [5, 50, 95], axis=0), [r.p05, r.median, r.p95])
        engine, plain = timeit_pair(
            lambda settings=settings: sensitivity.run(edition, settings),
            lambda baseline=baseline: baseline(state.components, state.weights, draws, chunk, 0),
            n,
        )
        out[f"{name}_engine"], out[f"{name}_numpy"] = draws / engine, draws / plain
    return out


def bench_submission(rows: int = 10_000) -> dict[str, float]:
    """Validating and storing one submission of ``rows`` values (a synthetic registry with that many quarterly
    indicators owned by one agency), against bulk-inserting the same rows with no validation, on SQLite."""
    import tempfile
    from unittest import mock

    from sqlalchemy import insert

    from egovindex import registry
    from egovindex.collection import intake, workflow
    from egovindex.collection.access import get_user
    from egovindex.collection.accounts import add_user
    from egovindex.collection.registry_store import ensure_registry
    from egovindex.domain.periods import Period
    from egovindex.store.collection import Submission, SubmittedValue
    from egovindex.store.db import make_engine, unit_of_work, upgrade

    real = registry.load()
    data = real.model_dump()
    data["indicators"] = [
        {
            "code": f"stat_{k:05d}",
            "name": f"Statistic {k}",
            "name_vi": f"Chỉ tiêu {k}",
            "unit": "count",
            "definition": "synthetic",
            "owner": "BKHCN",
            "range": (0, 1e6),
            "cadence": "quarterly",
            "sdmx": {"measure": f"S{k}"},
        }
        for k in range(rows)
    ]
    synthetic = registry.Registry.model_validate(data)
    records = [{"indicator_code": f"stat_{k:05d}", "value": f"{k % 1000},5", "source": "bench"} for k in range(rows)]
    period = Period.parse("2026Q4")
    with tempfile.TemporaryDirectory() as tmp, mock.patch.object(registry, "load", lambda: synthetic):
        url = f"sqlite:///{tmp}/bench.sqlite"
        upgrade(url)
        engine = make_engine(url)
        with unit_of_work(engine) as s:
            ensure_registry(s)
            add_user(s, actor="bench", username="bench", agency="BKHCN", role="submitter")
        t = time.perf_counter()
        with unit_of_work(engine) as s:
            parsed = intake.read_records(records, agency="BKHCN", period=period)
            workflow.submit(
                s, user=get_user(s, "bench"), agency="BKHCN", period=period, rows=parsed, channel="json", name="bench"
            )
        validated = time.perf_counter() - t
        t = time.perf_counter()
        with unit_of_work(engine) as s:
            sub = Submission(
                agency_code="BKHCN",
                period="2025Q4",
                version=1,
                status="submitted",
                channel="bulk",
                created_by="bench",
                registry_digest="-",
                rules_digest="-",
            )
            s.add(sub)
            s.flush()
            s.execute(
                insert(SubmittedValue),
                [
                    {
                        "submission_id": sub.id,
                        "indicator_code": f"stat_{k:05d}",
                        "value": float(k % 1000) + 0.5,
                        "source": "bench",
                        "method_note": "",
                        "evidence": "",
                    }
                    for k in range(rows)
                ],
            )
        bulk = time.perf_counter() - t
        engine.dispose()
    return {"rows": rows, "validated": rows / validated, "bulk": rows / bulk}


def bench_audit(entries: int = 100_000, repeat: int = 3) -> dict[str, float]:
    """Verifying an audit log of ``entries`` entries (SQLite): every hash and link, the head row and the signed head
    file, the snapshots replayed and every covered row compared; against hashing the same entries' payloads with
    hashlib alone. Half of the entries are row snapshots (one submitted value each), as the workflow writes them;
    they are inserted directly, with their correct hashes, and the head is then sealed by an administrator."""
    import hashlib
    import json
    import tempfile
    from unittest import mock

    from sqlalchemy import insert, update

    from egovindex.collection import audit, workflow
    from egovindex.collection.access import get_user
    from egovindex.collection.accounts import add_user
    from egovindex.collection.intake import Row
    from egovindex.collection.registry_store import ensure_registry
    from egovindex.domain.periods import Period
    from egovindex.settings import get_settings
    from egovindex.store.collection import AuditEntry, AuditHead
    from egovindex.store.db import make_engine, unit_of_work, upgrade

    with tempfile.TemporaryDirectory() as tmp, mock.patch.dict(os.environ, {"EGOVINDEX_DATA_DIR": tmp}):
        get_settings.cache_clear()
        url = f"sqlite:///{tmp}/bench.sqlite"
        upgrade(url)
        engine = make_engine(url)
        with unit_of_work(engine) as s:
            ensure_registry(s)
            add_user(s, actor="bench", username="lan", agency="BKHCN", role="submitter")
            add_user(s, actor="bench", username="admin", agency="BKHCN", role="administrator")
        with unit_of_work(engine) as s:
            rows = [Row("mobile_subs_per100", 140.5, "VNNIC"), Row("fixed_broadband_per100", 24.8, "VNNIC")]
            workflow.submit(
                s,
                user=get_user(s, "lan"),
                agency="BKHCN",
                period=Period.parse("2026Q4"),
                rows=rows,
                channel="json",
                name="bench",
            )
        with unit_of_work(engine) as s:
            values = audit.current_rows(s)["submitted_value"]
            head = s.get(AuditHead, 1)
            assert head is not None
            prev, count = head.last_hash, head.count
        at = dt.datetime(2026, 12, 1)
        canonical = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode
        batch, payloads, keys = [], [], sorted(values)
        for k in range(entries - count - 1):  # one more entry: the sealing
            key = keys[k % len(keys)]
            if k % 2:
                action, entity, entity_id = audit.ROWS_COMMIT, "rows", "1"
                after = canonical({"rows": {"submitted_value": {key: values[key]}}, "deleted": {}})
            else:
                action, entity, entity_id = "submission.justify", "submission", "1"
                after = canonical({"status": "validated", "rule": "jump", "indicator": f"stat_{k}"})
            moment = at + dt.timedelta(seconds=k)
            payload = canonical([prev, moment.isoformat(), "bench", action, entity, entity_id, "null", after, None])
            payloads.append(payload.encode())
            digest = hashlib.sha256(payloads[-1]).hexdigest()
            batch.append(
                {
                    "at": moment,
                    "actor": "bench",
                    "action": action,
                    "entity": entity,
                    "entity_id": entity_id,
                    "before": "null",
                    "after": after,
                    "reason": None,
                    "prev_hash": prev,
                    "hash": digest,
                }
            )
            prev = digest
        with engine.begin() as conn:
            conn.execute(insert(AuditEntry), batch)
            conn.execute(update(AuditHead).values(count=count + len(batch), last_hash=prev))
        with unit_of_work(engine) as s:
            audit.seal(s, user=get_user(s, "admin"), reason="benchmark log written directly")

        def check() -> None:
            with unit_of_work(engine) as s:
                result = audit.verify(s)
                assert result.ok and result.entries == entries, result.problems[:3]

        verify = timeit(check, repeat)
        baseline = timeit(lambda: [hashlib.sha256(p).hexdigest() for p in payloads], repeat)
        engine.dispose()
    get_settings.cache_clear()
    return {"entries": entries, "verify": verify, "hashlib": baseline * entries / len(payloads)}


def bench_report(repeat: int = 3) -> dict[str, float]:
    """Building the quarterly PDF report from the reference editions (2026Q4, Vietnamese): seconds, split into
    figures (context and analysis), charts, HTML and PDF; against WeasyPrint printing a one-page HTML document."""
    import tempfile

    from weasyprint import HTML

    from egovindex import charts
    from egovindex.collection.registry_store import ensure_registry
    from egovindex.domain.periods import Period
    from egovindex.reports import build as rb
    from egovindex.sources import load as loader
    from egovindex.sources.load import reference_manifest
    from egovindex.store.db import make_engine, unit_of_work, upgrade
    from egovindex.store.editions import current_editions
    from egovindex.survey.recompute import read_series

    ref = Path(os.environ.get("EGOVINDEX_REFERENCE_DATA", ROOT.parent / "shared" / "data"))
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite"
        upgrade(url)
        engine = make_engine(url)
        from egovindex.store.editions import save_editions

        save_editions(engine, loader.parse_all(loader.reference_files(ref)))
        raw = read_series([ref / f for f in reference_manifest()["indicators"]])
        runs = []
        for _ in range(repeat):
            charts._render.cache_clear()  # charts are drawn anew each run
            started = time.perf_counter()
            with unit_of_work(engine) as s:
                ensure_registry(s)
                editions = {e.year: e for e in current_editions(s)}
                report = rb.build(s, editions, Period.parse("2026Q4"), lang="vi", as_of=dt.date(2026, 11, 23), raw=raw)
            report.pdf()
            runs.append({**report.timings, "total": time.perf_counter() - started})
        engine.dispose()
    one_page = timeit(lambda: HTML(string="<h1>Báo cáo</h1><p>Việt Nam</p>").write_pdf(), repeat)
    med = {k: float(np.median([r[k] for r in runs])) for k in ("figures", "charts", "html", "pdf", "total")}
    return {**med, "one_page": one_page}


def bench_process(repeat: int) -> dict[str, float]:
    exe = Path(sys.executable).parent / "egovindex"
    export = REFERENCE / "egdi/raw/Estadistica1CienciaPolitica/EGOV_DATA_2024.csv"
    commands = {
        "rank": [str(exe), "egdi", "rank", str(export), "--format", "csv"],
        "import": [sys.executable, "-c", "import egovindex"],
        "pass": [sys.executable, "-c", "pass"],
    }
    out = {}
    for name, cmd in commands.items():
        out[name] = timeit(lambda cmd=cmd: subprocess.run(cmd, check=True, capture_output=True), repeat)
    return out


def sensitivity_lines(sens: dict[str, float]) -> list[str]:
    return [
        "## Sensitivity: Monte Carlo draws per second (193 countries)",
        "",
        "| uncertain inputs | engine (`analysis.sensitivity.run`) | plain numpy, same arithmetic"
        " | engine time / numpy time |",
        "|---|---|---|---|",
        f"| weights (Dirichlet) and normalisation per draw; scores and competition ranks of all countries"
        f" | {sens['lean_engine']:,.0f} | {sens['lean_numpy']:,.0f}"
        f" | {sens['lean_numpy'] / sens['lean_engine']:.2f}x |",
        f"| the command's default: also the aggregation (arithmetic or geometric) and a 2% relative error on"
        f" every component value | {sens['full_engine']:,.0f} | {sens['full_numpy']:,.0f}"
        f" | {sens['full_numpy'] / sens['full_engine']:.2f}x |",
        "",
        f"{sens['draws']:,} draws in chunks of {sens['chunk']:,}, from the same seed; medians of repeated runs, the"
        " engine and numpy run in turn. Both give the same ranks from the same seed (checked before the timing: the"
        " percentiles of numpy's ranks are the engine's), and both rank with numpy's default sort (a stable sort gives"
        " the same competition ranks, slower). The engine does more than the numpy code: it reads the edition,"
        " tallies each chunk's ranks and reads the 5th, 50th and 95th percentiles from the tallies, and gives each"
        " row its published rank;"
        " the numpy code keeps every draw's ranks and summarises nothing. With data errors the engine is the faster:"
        " it normalises and aggregates each draw only by the methods it drew, over a chunk laid out (countries,"
        " components, draws) so that the statistics across countries run over long contiguous rows, where the numpy"
        " code computes both normalisations and both aggregations for every draw, across countries on a 3-wide"
        " inner axis.",
        "",
        "Target: within 1.5x of plain numpy. Memory is bounded by the chunk: one chunk holds 2,000 x 193 x 3 values.",
        "",
    ]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--load-seconds", type=float, default=30.0, help="Duration of each load test.")
    parser.add_argument(
        "--dossiers",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[10_000_000, 100_000_000],
        help="Generated dossiers for the online-services benchmark: one or more sizes, comma-separated.",
    )
    parser.add_argument(
        "--only",
        choices=("sensitivity", "services"),
        help="Run only this part and print its table (no file is written).",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    import services

    if args.only == "sensitivity":
        print("\n".join(sensitivity_lines(bench_sensitivity(args.repeat))))
        return
    if args.only == "services":
        for n in args.dossiers:
            print("\n".join(services.lines(services.run(n))), flush=True)
        return
    rec = bench_recompute(args.repeat)
    proc = bench_process(max(5, args.repeat // 2))
    sens = bench_sensitivity(args.repeat)
    sub = bench_submission()
    aud = bench_audit()
    rep = bench_report()
    import load

    web = load.run(seconds=args.load_seconds, clients=20)
    dossiers = [services.run(n) for n in args.dossiers]
    lines = [
        "# Benchmarks",
        "",
        f"Run by `make bench` (`bench/run.py`) on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.",
        f"Machine: {machine()}.",
        "Times are medians of repeated runs after a warm-up, each compared with a baseline measured in the same run.",
        "",
        "## Recompute every edition from its components (in-process)",
        "",
        "| what | median | ratio to numpy |",
        "|---|---|---|",
        f"| engine: `recompute(edition)` for {rec['editions']} editions (rows to array, Framework, score, ranks,"
        f" groups, provenance digests) | {rec['engine'] * 1e3:.2f} ms | {rec['engine'] / rec['numpy']:.1f}x |",
        f"| plain numpy, same arithmetic from the same parsed rows | {rec['numpy'] * 1e3:.2f} ms | 1.0x |",
        "",
        "Target: within 3x of plain numpy.",
        "",
        "## The `egovindex egdi rank FILE` process",
        "",
        "| command | median | ratio to `python -c pass` |",
        "|---|---|---|",
        f"| `egovindex egdi rank EGOV_DATA_2024.csv --format csv` | {proc['rank']:.3f} s |"
        f" {proc['rank'] / proc['pass']:.1f}x |",
        f'| `python -c "import egovindex"` | {proc["import"]:.3f} s | {proc["import"] / proc["pass"]:.1f}x |',
        f"| `python -c pass` | {proc['pass']:.3f} s | 1.0x |",
        "",
        "Target: under 1 s. Heavy libraries (pandas, SQLAlchemy, openpyxl, country_converter, scipy) are imported",
        "only by the commands that need them; ranking a file needs none of them.",
        "",
        *sensitivity_lines(sens),
        "## Submitting statistics: validate and store one submission (SQLite)",
        "",
        "| what | rows per second | ratio |",
        "|---|---|---|",
        f"| read (Vietnamese decimal commas), check, run every rule, store with audit and reconciliation,"
        f" {sub['rows']:,} rows in one transaction | {sub['validated']:,.0f}"
        f" | {sub['bulk'] / sub['validated']:.1f}x slower |",
        f"| bulk insert of the same rows, no validation | {sub['bulk']:,.0f} | 1.0x |",
        "",
        "A synthetic registry with one quarterly indicator per row (the real registry's largest submission has six).",
        "",
        "## Verifying the audit log (SQLite)",
        "",
        "| what | median | ratio to hashlib |",
        "|---|---|---|",
        f"| `audit.verify` of {aud['entries']:,} entries, half of them row snapshots: every hash and link, the head"
        f" row and the signed head file, the snapshots replayed and every covered row compared"
        f" | {aud['verify']:.2f} s | {aud['verify'] / aud['hashlib']:.1f}x |",
        f"| SHA-256 of the same {aud['entries']:,} entries' payloads with hashlib alone"
        f" | {aud['hashlib']:.3f} s | 1.0x |",
        "",
        "Target: under a few seconds for 100,000 entries (`egovindex audit verify`, the board and the audit page"
        " verify the whole log).",
        "",
        "## The quarterly PDF report (2026Q4, Vietnamese, reference editions)",
        "",
        "| step | median | share of the report |",
        "|---|---|---|",
        *[
            f"| {label} | {rep[key]:.2f} s | {100 * rep[key] / rep['total']:.0f} % |"
            for key, label in (
                ("figures", "figures: position, explanation, what-if, nowcast, targets, data supply, recommendations"),
                ("charts", "charts (Altair + vl-convert, SVG)"),
                ("html", "HTML (Jinja2)"),
                ("pdf", "PDF (WeasyPrint)"),
            )
        ],
        f"| whole report | {rep['total']:.2f} s | 100 % |",
        f"| baseline: WeasyPrint printing a one-page HTML document | {rep['one_page']:.3f} s |"
        f" report is {rep['total'] / rep['one_page']:.0f}x |",
        "",
        f"## Web pages under load: 20 concurrent clients for {args.load_seconds:.0f} s each, on loopback (SQLite)",
        "",
        "`bench/load.py`: the server (uvicorn, one worker) in its own process; the clients (asyncio + httpx, no"
        " think time, no client cache: every request a full answer) in another, on the same 2 cores. Public pages"
        " are kept whole per state of the store (`web/cache.py`), so after the first request a page costs what a"
        " static file costs.",
        "",
        "| target | requests | errors | requests per second | p50 | p95 | p99 | p95 vs static file |",
        "|---|---|---|---|---|---|---|---|",
        *[
            f"| {name} | {r['requests']:,} | {r['errors']} | {r['rps']:,.0f} | {r['p50_ms']:.0f} ms |"
            f" {r['p95_ms']:.0f} ms | {r['p99_ms']:.0f} ms |"
            f" {r['p95_ms'] / web['static file (baseline)']['p95_ms']:.2f}x |"
            for name, r in web.items()
        ],
        "",
        "Target: p95 under 100 ms for every page and JSON twin.",
        "",
        *[line for run in dossiers for line in [*services.lines(run), ""]],
        "",
        "Targets (at 100 million dossiers): faster than the hand-written DuckDB SQL and Polars queries, within 2x of"
        " the raw scan, peak memory under 1 GiB; at 10 million, at least 10x faster than pandas; a quarter from the"
        " partials under 1 s.",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
