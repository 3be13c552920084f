"""A seeded generator of dossier records with the shapes of the real ones: agencies of the registry at their
levels and sizes (Hà Nội and Hồ Chí Minh City receive many times what a small province does), online shares by
the service's form, the year's seasonality with the Tết dip, due dates by working days, an overdue tail, dossiers
still open at the year's end, fees, and ratings given by a minority.

Rows are made in chunks of ``CHUNK``, chunk ``i`` from its own random stream (``SeedSequence(seed).spawn``), and
written as ``dossiers/part-<i>.parquet``: the output does not depend on how many workers write it.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from egovindex.services import records

CHUNK = 1_000_000
FORM_SHARES = {"full_online": 0.45, "partial_online": 0.3, "offline": 0.25}
ONLINE_BY_FORM = {"full_online": 0.82, "partial_online": 0.55, "offline": 0.01}  # the last: "virtual" dossiers
TET = {2024: dt.date(2024, 2, 10), 2025: dt.date(2025, 1, 29), 2026: dt.date(2026, 2, 17), 2027: dt.date(2027, 2, 6)}


@dataclass(frozen=True)
class Catalogue:
    procedure: np.ndarray
    agency: np.ndarray
    level: np.ndarray
    form: np.ndarray
    fee: np.ndarray
    weight: np.ndarray  # each service's share of all dossiers


def catalogue(year: int, seed: int) -> Catalogue:
    """The services of every agency existing on 1 July of ``year``: ministries at the central level, provinces at
    the province, district (before the 2025 reform) and commune levels."""
    from egovindex import registry

    rng = np.random.default_rng(np.random.SeedSequence([seed, 0]))
    agencies = registry.load().agencies_at(dt.date(year, 7, 1))
    rows: list[tuple[str, str, str]] = []
    sizes = []
    for i, agency in enumerate(sorted(agencies, key=lambda a: a.code)):
        if agency.block == "province":
            levels = ("province", "commune") if year >= 2025 else ("province", "district", "commune")
            size = 1.0 / (1 + i % 20) ** 0.7 * (6.0 if agency.name in ("Hà Nội", "Hồ Chí Minh") else 1.0)
        else:
            levels = ("central",)
            size = 0.4
        count = int(rng.integers(30, 80))
        for k in range(count):
            rows.append((f"{1 + k % 3}.{k:06d}", agency.code, levels[k % len(levels)]))
            sizes.append(size * rng.pareto(1.5) + 1e-3)
    n = len(rows)
    weight = np.array(sizes)
    return Catalogue(
        procedure=np.array([r[0] for r in rows], dtype=object),
        agency=np.array([r[1] for r in rows], dtype=object),
        level=np.array([r[2] for r in rows], dtype=object),
        form=rng.choice(list(FORM_SHARES), size=n, p=list(FORM_SHARES.values())),
        fee=rng.random(n) < 0.3,
        weight=weight / weight.sum(),
    )


def write_catalogue(cat: Catalogue, year: int, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = len(cat.procedure)
    table = pa.table(
        {
            "procedure_code": cat.procedure.astype(str),
            "agency_code": cat.agency.astype(str),
            "unit_level": cat.level.astype(str),
            "service_form": cat.form.astype(str),
            "fee_required": cat.fee,
            "valid_from": [dt.date(year - 1, 1, 1)] * n,
            "valid_to": [None] * n,
        },
        schema=records.catalogue_schema(),
    )
    pq.write_table(table, path)


def _day_weights(year: int) -> np.ndarray:
    """The share of a year's dossiers received on each day: working days, a rise towards the year's end, the
    weeks around Tết almost empty."""
    days = np.arange(np.datetime64(f"{year}-01-01"), np.datetime64(f"{year + 1}-01-01"))
    dates = days.astype("datetime64[D]").astype(object)
    weekday = np.array([d.weekday() for d in dates])
    w = np.where(weekday < 5, 1.0, np.where(weekday == 5, 0.25, 0.05))
    w *= 1 + 0.3 * np.arange(len(days)) / len(days)
    tet = TET.get(year)
    if tet is not None:
        gap = np.array([(d - tet).days for d in dates])
        w *= np.where((gap >= -7) & (gap <= 7), 0.08, 1.0)
    return w / w.sum()


def chunk(cat: Catalogue, year: int, seed: int, index: int, rows: int) -> Any:
    """Chunk ``index`` of the dossiers: an Arrow table of ``rows`` rows from the chunk's own random stream."""
    import pyarrow as pa

    rng = np.random.default_rng(np.random.SeedSequence([seed, 1, index]))
    service = rng.choice(len(cat.procedure), size=rows, p=cat.weight)
    form = cat.form[service]
    online = rng.random(rows) < np.vectorize(ONLINE_BY_FORM.get)(form)
    channel = np.where(online, "online", np.where(rng.random(rows) < 0.92, "counter", "post"))
    day = rng.choice(len(_day_weights(year)), size=rows, p=_day_weights(year))
    start = np.datetime64(f"{year}-01-01T00:00:00", "s")
    received = start + (day * 86400 + rng.integers(7 * 3600, 17 * 3600, size=rows)).astype("timedelta64[s]")
    allowed = rng.choice([1, 3, 5, 7, 10, 15, 20], size=rows, p=[0.1, 0.25, 0.2, 0.15, 0.15, 0.1, 0.05])
    due = received + (allowed * 1.4 * 86400).astype("timedelta64[s]")
    late = rng.random(rows) < 0.07
    spent = np.where(late, allowed * (1.5 + rng.exponential(1.0, rows)), allowed * rng.uniform(0.05, 1.0, rows))
    completed = received + (spent * 1.4 * 86400).astype("timedelta64[s]")
    still_open = (rng.random(rows) < 0.02) | (completed > np.datetime64(f"{year}-12-31T23:59:59", "s"))
    fee = cat.fee[service]
    rated = (rng.random(rows) < 0.25) & ~still_open
    rating = np.where(rated, rng.choice([1, 2, 3, 4, 5], size=rows, p=[0.03, 0.04, 0.13, 0.3, 0.5]), 0)
    ids = np.char.add(f"{year}-", np.char.zfill((index * CHUNK + np.arange(rows)).astype(str), 10))
    return pa.table(
        {
            "dossier_id": ids.astype(object),
            "agency_code": cat.agency[service],
            "procedure_code": cat.procedure[service],
            "channel": channel.astype(object),
            "received_at": received,
            "due_at": due,
            "completed_at": pa.array(completed, mask=still_open),
            "fee_required": fee,
            "paid_online": fee & online & (rng.random(rows) < 0.7),
            "digitised": rng.random(rows) < np.where(online, 0.8, 0.45),
            "e_result": rng.random(rows) < np.where(online, 0.6, 0.2),
            "synced": rng.random(rows) < 0.9,
            "rating": pa.array(rating.astype(np.int8), mask=~rated),
        },
        schema=records.dossier_schema(),
    )


def _write_chunk(args: tuple[Catalogue, int, int, int, int, Path]) -> int:
    import pyarrow.parquet as pq

    cat, year, seed, index, rows, folder = args
    pq.write_table(chunk(cat, year, seed, index, rows), folder / f"part-{index:05d}.parquet", row_group_size=250_000)
    return rows


def generate(rows: int, year: int, seed: int, out: Path, *, workers: int = 1, progress: Any = None) -> int:
    """Write ``out/catalogue.parquet`` and ``out/dossiers/part-*.parquet`` (``rows`` dossiers received in
    ``year``); the same arguments give the same files, whatever ``workers``."""
    cat = catalogue(year, seed)
    (out / "dossiers").mkdir(parents=True, exist_ok=True)
    for old in (out / "dossiers").glob("part-*.parquet"):
        old.unlink()
    write_catalogue(cat, year, out / "catalogue.parquet")
    jobs = [(cat, year, seed, i, min(CHUNK, rows - i * CHUNK), out / "dossiers") for i in range(-(-rows // CHUNK))]
    if workers <= 1:
        done = map(_write_chunk, jobs)
        for n in done:
            if progress:
                progress(n)
        return rows
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for n in pool.map(_write_chunk, jobs):
            if progress:
                progress(n)
    return rows
