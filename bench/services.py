"""Benchmarks of the dossier statistics, side by side in one run, on generated Parquet files.

Each contender runs in its own process (peak resident memory is that process's own) and computes the same thing:
every statistic per agency and quarter for a year, from the files, with the same definitions: the service's form is
that of the catalogue row valid on the day of receipt, and the online services used are the distinct procedures
with an online dossier. (Polars and pandas join on the agency and procedure and then drop a row's form when it is
not valid on the day: the same as the dated join while the catalogue has one row per service, as generated ones do.)

- **egovindex**: the monthly partials from the files with the partials' one definition (``partials.PARTIAL``), then
  the four quarters' statistics from them (``stats.STATISTICS``), on DuckDB with the warehouse's memory limit;
- **hand-written DuckDB SQL**: one query per agency and quarter over the files;
- **hand-written Polars lazy query**: the same;
- **raw scan**: DuckDB reading the columns used, summing them, nothing else (the floor);
- **straightforward pandas**: read the files, group by agency and quarter (up to 20 million dossiers: beyond, the
  frame does not fit in this machine's memory).

Then the ingestion (every row checked, rejects, partials) in rows per second against a plain copy of the same
Parquet into DuckDB, and a quarter's statistics from the ingested partials.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2026
PANDAS_LIMIT = 20_000_000

CONTENDERS = {
    "egovindex": """
from egovindex.services import partials, stats
con = duckdb.connect(config={"memory_limit": MEMORY})
con.execute(f"CREATE VIEW dossier AS SELECT * FROM read_parquet('{FILES}')")
con.execute(f"CREATE VIEW catalogue AS SELECT *, agency_code AS agency_code_original FROM read_parquet('{CATALOGUE}')")
con.execute("CREATE TABLE partial AS " + partials.PARTIAL.format(where="true"))
rows = [r for q in range(1, 5) for r in stats.statistics(stats.Span.parse(f"{YEAR}Q{q}"), "agency", connection=con)]
""",
    "hand-written DuckDB SQL": '''
con = duckdb.connect(config={"memory_limit": MEMORY})
rows = con.execute(f"""
WITH d AS (
  SELECT d.*, c.service_form, quarter(d.received_at) AS q,
    make_timestamp({YEAR} + (quarter(d.received_at) = 4)::INT, (quarter(d.received_at) * 3) % 12 + 1, 1, 0, 0, 0)
      AS qend
  FROM read_parquet('{FILES}') d LEFT JOIN read_parquet('{CATALOGUE}') c
    ON c.agency_code = d.agency_code AND c.procedure_code = d.procedure_code
    AND d.received_at::DATE BETWEEN c.valid_from AND coalesce(c.valid_to, DATE '9999-12-31')
)
SELECT agency_code, q, count(*), count(*) FILTER (channel = 'online'),
  count(*) FILTER (channel = 'online' AND service_form = 'full_online'),
  count(*) FILTER ((completed_at < qend AND completed_at <= due_at)
    OR ((completed_at IS NULL OR completed_at >= qend) AND due_at >= qend)),
  count(*) FILTER ((completed_at IS NULL OR completed_at >= qend) AND due_at < qend),
  count(DISTINCT procedure_code) FILTER (channel = 'online'),
  count(*) FILTER (fee_required), count(*) FILTER (fee_required AND paid_online), count(*) FILTER (digitised),
  count(*) FILTER (e_result), count(*) FILTER (synced), count(rating), avg(rating)
FROM d GROUP BY ALL
""").fetchall()
''',
    "hand-written Polars lazy query": """
import polars as pl
cat = pl.scan_parquet(CATALOGUE).select("agency_code", "procedure_code", "service_form", "valid_from", "valid_to")
d = pl.scan_parquet(FILES).join(cat, on=["agency_code", "procedure_code"], how="left")
day = pl.col("received_at").dt.date()
valid = (pl.col("valid_from") <= day) & (pl.col("valid_to").is_null() | (day <= pl.col("valid_to")))
d = d.with_columns(q=pl.col("received_at").dt.quarter(), service_form=pl.when(valid).then(pl.col("service_form")))
d = d.with_columns(qend=pl.datetime(YEAR + (pl.col("q") == 4).cast(pl.Int32), (pl.col("q") * 3) % 12 + 1, 1))
open_ = pl.col("completed_at").is_null() | (pl.col("completed_at") >= pl.col("qend"))
online = pl.col("channel") == "online"
rows = d.group_by("agency_code", "q").agg(
    pl.len().alias("received"), online.sum().alias("online"),
    (online & (pl.col("service_form") == "full_online")).sum().alias("full_online"),
    ((~open_ & (pl.col("completed_at") <= pl.col("due_at"))) | (open_ & (pl.col("due_at") >= pl.col("qend"))))
    .sum().alias("on_time"),
    (open_ & (pl.col("due_at") < pl.col("qend"))).sum().alias("overdue_open"),
    pl.col("procedure_code").filter(online).n_unique().alias("online_services_used"),
    pl.col("fee_required").sum().alias("fee"), (pl.col("fee_required") & pl.col("paid_online")).sum().alias("paid"),
    pl.col("digitised").sum(), pl.col("e_result").sum(), pl.col("synced").sum(),
    pl.col("rating").count().alias("rated"), pl.col("rating").mean().alias("mean_rating"),
).collect().rows()
""",
    "raw scan of the columns used (DuckDB)": '''
con = duckdb.connect(config={"memory_limit": MEMORY})
rows = con.execute(f"""SELECT count(DISTINCT agency_code), count(procedure_code), count(channel), max(received_at),
  max(due_at), max(completed_at), count(*) FILTER (fee_required), count(*) FILTER (paid_online),
  count(*) FILTER (digitised), count(*) FILTER (e_result), count(*) FILTER (synced), sum(rating)
  FROM read_parquet('{FILES}')""").fetchall()
''',
    "straightforward pandas": """
import pandas as pd
import pyarrow.parquet as pq
d = pq.read_table(Path(FILES).parent).to_pandas()
cat = pd.read_parquet(CATALOGUE)[["agency_code", "procedure_code", "service_form", "valid_from", "valid_to"]]
d = d.merge(cat, on=["agency_code", "procedure_code"], how="left")
day = d["received_at"].dt.normalize()
valid = (pd.to_datetime(d["valid_from"]) <= day) & (d["valid_to"].isna() | (day <= pd.to_datetime(d["valid_to"])))
d["service_form"] = d["service_form"].where(valid)
d["q"] = d["received_at"].dt.quarter
d["qend"] = pd.to_datetime({"year": YEAR + (d["q"] == 4).astype(int), "month": (d["q"] * 3) % 12 + 1, "day": 1})
open_ = d["completed_at"].isna() | (d["completed_at"] >= d["qend"])
d["online"] = d["channel"] == "online"
d["full"] = d["online"] & (d["service_form"] == "full_online")
d["on_time"] = (~open_ & (d["completed_at"] <= d["due_at"])) | (open_ & (d["due_at"] >= d["qend"]))
d["overdue"] = open_ & (d["due_at"] < d["qend"])
d["paid"] = d["fee_required"] & d["paid_online"]
d["online_procedure"] = d["procedure_code"].where(d["online"])
rows = d.groupby(["agency_code", "q"]).agg(
    received=("online", "size"), online=("online", "sum"), full=("full", "sum"), on_time=("on_time", "sum"),
    overdue=("overdue", "sum"), used=("online_procedure", "nunique"), fee=("fee_required", "sum"),
    paid=("paid", "sum"), digitised=("digitised", "sum"),
    e_result=("e_result", "sum"), synced=("synced", "sum"), rated=("rating", "count"), mean=("rating", "mean"),
).reset_index().values.tolist()
""",
}

HARNESS = """
import json, resource, sys, time
from pathlib import Path
import duckdb
FILES, CATALOGUE, YEAR, MEMORY = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
started = time.perf_counter()
{body}
print("\\nRESULT " + json.dumps({{"seconds": time.perf_counter() - started, "rows": len(rows),
    "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


INGEST = """
from egovindex.services import ingest, stats, warehouse
folder = Path(CATALOGUE).parent
con = warehouse.connect(folder.parent / "warehouse.duckdb")
result = ingest.ingest([folder], connection=con, rejects=folder.parent / "rejects.csv")
ingested = time.perf_counter()
quarter = stats.statistics(stats.Span.parse(f"{YEAR}Q3"), "agency", connection=con)
print("\\nRESULT " + json.dumps({"quarter_seconds": time.perf_counter() - ingested, "read": result.read}))
rows = [result.read]
"""

COPY = """
con = duckdb.connect(config={"memory_limit": MEMORY})
con.execute(f"CREATE TABLE d AS SELECT * FROM read_parquet('{FILES}')")
rows = [1]
"""


def _contender(name: str, folder: Path, body: str | None = None) -> dict[str, float]:
    from egovindex.services.warehouse import MEMORY_LIMIT

    code = HARNESS.format(body=body or CONTENDERS[name])
    args = [str(folder / "dossiers" / "*.parquet"), str(folder / "catalogue.parquet"), str(YEAR), MEMORY_LIMIT]
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{name}: {done.stderr[-2000:]}")
    # DuckDB's progress bar may share the output's lines: each result is marked
    lines = [json.loads(line.split("RESULT ", 1)[1]) for line in done.stdout.splitlines() if "RESULT " in line]
    result = {k: v for line in lines for k, v in line.items()}
    print(f"{name}: {json.dumps(result)}", file=sys.stderr, flush=True)  # kept even if a later step fails
    if "seconds" not in result:
        raise RuntimeError(f"{name}: no timing in its output: {done.stdout[-2000:]}")
    return result


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def run(dossiers: int) -> dict[str, object]:
    import os

    exe = str(Path(sys.executable).parent / "egovindex")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "records"
        env = {**os.environ, "EGOVINDEX_DATA_DIR": tmp}
        generate = [exe, "services", "generate", "--rows", str(dossiers), "--year", str(YEAR), "--out", str(folder)]
        gen_seconds = _timed([*generate, "--workers", "2"], env)
        contenders = {
            name: _contender(name, folder)
            for name in CONTENDERS
            if dossiers <= PANDAS_LIMIT or not name.endswith("pandas")
        }
        ingested = _contender("ingestion", folder, INGEST)
        plain = _contender("plain copy into DuckDB", folder, COPY)
    return {
        "dossiers": dossiers,
        "generate_seconds": gen_seconds,
        "contenders": contenders,
        "ingest_seconds": ingested["seconds"] - ingested["quarter_seconds"],
        "ingest_mib": ingested["peak_mib"],
        "copy_seconds": plain["seconds"],
        "quarter_seconds": ingested["quarter_seconds"],
    }


def lines(r: dict) -> list[str]:  # type: ignore[type-arg]
    c = r["contenders"]
    ours = c["egovindex"]["seconds"]
    rows = [
        f"| {name} | {v['seconds']:.2f} s | {ours / v['seconds']:.2f}x | {v['peak_mib']:,.0f} MiB |"
        for name, v in c.items()
    ]
    n = r["dossiers"]
    return [
        f"## Online public services: {n:,} generated dossiers (Parquet), every statistic per agency and quarter"
        " of a year",
        "",
        "Each in its own process; `bench/services.py`. The ratio is egovindex's time over the contender's (below 1:"
        " egovindex is faster).",
        "",
        "| contender | time | egovindex / contender | peak memory |",
        "|---|---|---|---|",
        *rows,
        "",
        "| step | time | rate | ratio |",
        "|---|---|---|---|",
        f"| `services ingest` (every row checked, rejects, partials) | {r['ingest_seconds']:.1f} s |"
        f" {n / r['ingest_seconds']:,.0f} rows/s | {r['ingest_seconds'] / r['copy_seconds']:.1f}x the plain copy"
        f" (peak {r['ingest_mib']:,.0f} MiB) |",
        f"| plain copy of the same Parquet into DuckDB | {r['copy_seconds']:.1f} s |"
        f" {n / r['copy_seconds']:,.0f} rows/s | 1.0x |",
        f"| a quarter's statistics per agency from the ingested partials | {r['quarter_seconds']:.3f} s | | |",
        f"| `services generate` (2 workers) | {r['generate_seconds']:.1f} s |"
        f" {n / r['generate_seconds']:,.0f} rows/s | |",
    ]


if __name__ == "__main__":
    print("\n".join(lines(run(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))))
