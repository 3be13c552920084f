"""Load test of the web application on loopback: 20 concurrent clients (no think time, no client cache) for a
fixed time against every public page family and its JSON twin, and a static file served by the same server (the
baseline), in one run.

The server runs in its own process (uvicorn, one worker) on an embedded SQLite store loaded with the reference
editions; the clients run in this process (asyncio + httpx). Requests are bounded by the duration.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
TARGETS = (
    ("static file (baseline)", "/static/style.css"),
    ("overview page", "/"),
    ("overview JSON twin", "/overview.json"),
    ("2024 ranking page", "/egdi/2024"),
    ("2024 ranking JSON twin", "/egdi/2024.json"),
    ("country page (VNM)", "/country/VNM"),
    ("simulator page", "/simulator"),
    ("simulator JSON twin", "/simulator.json"),
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _hammer(url: str, clients: int, seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    kinds: dict[str, int] = {}
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < stop:
                t = time.perf_counter()
                try:
                    r = await client.get(url)
                    ok, kind = r.status_code == 200, f"HTTP {r.status_code}"
                except httpx.HTTPError as exc:
                    ok, kind = False, type(exc).__name__
                latencies.append(time.perf_counter() - t)
                if not ok:
                    errors += 1
                    kinds[kind] = kinds.get(kind, 0) + 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - start
    q = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50_ms": q[49] * 1000,
        "p95_ms": q[94] * 1000,
        "p99_ms": q[98] * 1000,
    }


def run(seconds: float = 120.0, clients: int = 20) -> dict[str, dict[str, float]]:
    reference = os.environ.get("EGOVINDEX_REFERENCE_DATA", str(ROOT.parent / "shared" / "data"))
    exe = Path(sys.executable).parent / "egovindex"
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "EGOVINDEX_DATA_DIR": tmp,
            "EGOVINDEX_DATABASE_URL": f"sqlite:///{tmp}/load.sqlite",
            "EGOVINDEX_REFERENCE_DATA": reference,
        }
        subprocess.run([str(exe), "sources", "load", "--reference"], env=env, check=True, capture_output=True)
        port = _free_port()
        server = subprocess.Popen(
            [str(exe), "web", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    if httpx.get(base + "/static/style.css", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            for _, path in TARGETS:  # warm the caches (charts, editions) before measuring
                httpx.get(base + path, timeout=60)
            return {name: asyncio.run(_hammer(base + path, clients, seconds)) for name, path in TARGETS}
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    for name, r in run(float(sys.argv[1]) if len(sys.argv) > 1 else 10).items():
        print(name, {k: round(v, 1) for k, v in r.items()})
