"""The statistics on Apache Spark, from the same SQL as on DuckDB (``partials.PARTIAL`` and ``stats.STATISTICS``), for
when the records outgrow one machine. PySpark is imported only here, and only when ``--engine spark`` asks for it.

The warehouse's catalogue and dossiers are handed to Spark as Parquet (exported by DuckDB into a folder), Spark
computes the monthly partials from them with the partials' one definition, and every statistic is then read from
the partials, as on DuckDB. Times are those of Viet Nam without a zone, so Spark's session runs in UTC, where a
timestamp without a zone is what it says.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any


class Engine:
    """A Spark session with the views ``catalogue``, ``dossier`` and ``partial``; ``run(sql)`` gives the column
    names and rows of a query, as ``stats.run`` does on DuckDB."""

    def __init__(self, session: Any, folder: Any, started: float) -> None:
        self.session = session
        self.folder = folder
        self.startup_seconds = started

    @classmethod
    def start(cls, master: str = "local[2]", *, connection: Any = None) -> Engine:
        from pyspark.sql import SparkSession

        from egovindex.services import partials, warehouse

        began = time.perf_counter()
        session = (
            SparkSession.builder.master(master)
            .appName("egovindex services")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "8")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        started = time.perf_counter() - began
        folder = tempfile.TemporaryDirectory(prefix="egovindex-spark-")
        con = connection or warehouse.connect(read_only=True)
        for table in ("catalogue", "dossier"):
            target = Path(folder.name) / f"{table}.parquet"
            con.execute(f"COPY {table} TO '{target}' (FORMAT PARQUET)")
            session.read.parquet(str(target)).createOrReplaceTempView(table)
        partial = session.sql(partials.PARTIAL.format(where="true")).cache()
        partial.createOrReplaceTempView("partial")
        return cls(session, folder, started)

    def run(self, query: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        frame = self.session.sql(query)
        return list(frame.columns), [tuple(row) for row in frame.collect()]

    def stop(self) -> None:
        self.session.stop()
        self.folder.cleanup()
