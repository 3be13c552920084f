"""The generator: the same seed gives the same files whatever the number of workers, and what it writes is
ingested without a rejection and has the shapes it is meant to have."""

import hashlib
from pathlib import Path

import pytest

from egovindex.services import generate, ingest, stats, warehouse


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*.parquet"))}


def test_same_seed_same_files_whatever_the_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generate, "CHUNK", 4_000)
    generate.generate(10_000, 2026, 7, tmp_path / "one", workers=1)
    generate.generate(10_000, 2026, 7, tmp_path / "two", workers=2)
    one, two = _digests(tmp_path / "one"), _digests(tmp_path / "two")
    assert len(one) == 4 and one == two  # the catalogue and three chunks
    generate.generate(10_000, 2026, 8, tmp_path / "three", workers=1)
    assert _digests(tmp_path / "three") != one


def test_generated_records_are_ingested_whole_and_look_like_the_real_ones(tmp_path: Path) -> None:
    generate.generate(20_000, 2026, 3, tmp_path / "records")
    con = warehouse.connect(tmp_path / "s.duckdb")
    result = ingest.ingest([tmp_path / "records"], connection=con, rejects=tmp_path / "rejects.csv")
    assert result.rejected == 0 and result.accepted == result.read
    [year] = stats.statistics(stats.Span.parse("2026"), "national", connection=con)
    assert year["received"] == 20_000
    assert 0.4 < year["online_share"] < 0.8 and 0.8 < year["on_time_rate"] < 0.99
    assert 0.2 < year["rated_share"] < 0.3 and 3.5 < year["mean_rating"] < 4.6
    february, march = (stats.statistics(stats.Span.parse(m), connection=con)[0] for m in ("2026-02", "2026-03"))
    assert february["received"] < 0.8 * march["received"]  # the Tết dip
    levels = dict(con.execute("SELECT unit_level, count(DISTINCT agency_code) FROM catalogue GROUP BY ALL").fetchall())
    assert levels["province"] == 34 and "district" not in levels  # the 34 provinces of 2026, two tiers
    con.close()
