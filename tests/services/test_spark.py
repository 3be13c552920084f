"""The same statistics on Apache Spark as on DuckDB, from the same SQL, on a generated sample: identical rows for
months, quarters and years, per agency, level and nation. Needs Java 17 (.ci/run installs Debian's when missing);
elsewhere, without Java, the test is skipped and says why."""

import os
import shutil

import pytest

from egovindex.services import generate, ingest, stats, warehouse


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    if shutil.which("java") is None:
        if os.environ.get("CI"):
            raise pytest.UsageError("no Java for the Spark tests (required under CI: .ci/run installs it)")
        pytest.skip("no Java: the Spark engine needs Java 17 (apt-get install openjdk-17-jre-headless)")
    from egovindex.services.spark import Engine

    tmp = tmp_path_factory.mktemp("spark")
    generate.generate(20_000, 2026, 5, tmp / "records")
    con = warehouse.connect(tmp / "s.duckdb")
    ingest.ingest([tmp / "records"], connection=con, rejects=tmp / "rejects.csv")
    spark = Engine.start("local[2]", connection=con)
    yield con, spark
    spark.stop()
    con.close()


@pytest.mark.parametrize(
    ("period", "by"), [("2026-03", "national"), ("2026Q2", "agency"), ("2026Q4", "level"), ("2026", "agency")]
)
def test_spark_gives_what_duckdb_gives(engines, period: str, by: str) -> None:  # type: ignore[no-untyped-def]
    con, spark = engines
    span = stats.Span.parse(period)
    on_duckdb = stats.statistics(span, by, connection=con)  # type: ignore[arg-type]
    on_spark = stats.statistics(span, by, connection=spark)  # type: ignore[arg-type]
    assert on_duckdb and on_spark == on_duckdb
    assert spark.startup_seconds > 0
