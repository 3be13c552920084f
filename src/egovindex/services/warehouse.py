"""The embedded DuckDB file that holds the dossier records, the service catalogue and what was ingested
(``EGOVINDEX_SERVICES_DATABASE``, default ``data/services.duckdb``). Every agency code is stored as the registry's
successor (``agency_code``) beside the code of the record (``agency_code_original``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS catalogue (
    procedure_code VARCHAR NOT NULL,
    agency_code VARCHAR NOT NULL,
    agency_code_original VARCHAR NOT NULL,
    unit_level VARCHAR NOT NULL,
    service_form VARCHAR NOT NULL,
    fee_required BOOLEAN NOT NULL,
    valid_from DATE NOT NULL,
    valid_to DATE,
    source_sha256 VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS dossier (
    dossier_id VARCHAR NOT NULL,
    agency_code VARCHAR NOT NULL,
    agency_code_original VARCHAR NOT NULL,
    procedure_code VARCHAR NOT NULL,
    channel VARCHAR NOT NULL,
    received_at TIMESTAMP NOT NULL,
    due_at TIMESTAMP NOT NULL,
    completed_at TIMESTAMP,
    fee_required BOOLEAN NOT NULL,
    paid_online BOOLEAN NOT NULL,
    digitised BOOLEAN NOT NULL,
    e_result BOOLEAN NOT NULL,
    synced BOOLEAN NOT NULL,
    rating TINYINT,
    source_sha256 VARCHAR NOT NULL,
    source_row BIGINT
);
CREATE TABLE IF NOT EXISTS partial (
    month DATE NOT NULL,
    agency_code VARCHAR NOT NULL,
    procedure_code VARCHAR NOT NULL,
    unit_level VARCHAR NOT NULL,
    service_form VARCHAR,
    channel VARCHAR NOT NULL,
    completed_month DATE,
    due_month DATE NOT NULL,
    in_time BOOLEAN,
    dossiers BIGINT NOT NULL,
    fee BIGINT NOT NULL,
    paid BIGINT NOT NULL,
    digitised BIGINT NOT NULL,
    e_result BIGINT NOT NULL,
    synced BIGINT NOT NULL,
    rated BIGINT NOT NULL,
    rating_sum BIGINT NOT NULL,
    dissatisfied BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS ingested_file (
    sha256 VARCHAR PRIMARY KEY,
    uri VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    accepted BIGINT NOT NULL,
    rejected BIGINT NOT NULL,
    ingested_at TIMESTAMP NOT NULL
);
"""


MEMORY_LIMIT = "768MB"  # DuckDB's own limit; Arrow chunks being read come on top (bench: peak resident memory)


def path() -> Path:
    from egovindex.settings import get_settings

    found = get_settings().services_database
    assert found is not None  # the settings default it
    return found


def connect(file: Path | None = None, *, read_only: bool = False) -> Any:
    """A connection to the DuckDB file (created with its tables when it does not exist yet)."""
    import duckdb

    target = file or path()
    if read_only and not target.exists():
        read_only = False  # nothing to read yet: create the empty file
    target.parent.mkdir(parents=True, exist_ok=True)
    # bounded memory whatever the data's size: DuckDB spills what does not fit to disk beside the file
    config = {"memory_limit": MEMORY_LIMIT, "preserve_insertion_order": False}
    connection = duckdb.connect(str(target), read_only=read_only, config=config)
    if not read_only:
        connection.execute(SCHEMA)
        _upgrade(connection)
    return connection


class BusyError(RuntimeError):
    """An ingestion holds the file: the statistics can be read once it is done."""


@contextmanager
def reading(*, missing_ok: bool = False) -> Iterator[Any]:
    """A read-only connection to the file, closed afterwards; ``None`` when the file does not exist and
    ``missing_ok`` (else an empty one is created); ``BusyError`` while an ingestion holds it."""
    import duckdb

    if missing_ok and not path().exists():
        yield None
        return
    try:
        con = connect(read_only=True)
    except duckdb.IOException:
        raise BusyError("the dossier records are being ingested now: try again in a moment") from None
    try:
        yield con
    finally:
        con.close()


def _upgrade(connection: Any) -> None:
    """Bring a file written by an earlier version to the current tables: the partials gained ``dissatisfied``
    (ratings of 1 or 2), recomputed from the dossiers kept."""
    from egovindex.services import partials

    columns = {
        r[0]
        for r in connection.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'partial'").fetchall()
    }
    if "dissatisfied" not in columns:
        connection.execute("BEGIN")
        connection.execute("ALTER TABLE partial ADD COLUMN dissatisfied BIGINT DEFAULT 0")
        partials.refresh_partials(connection)
        connection.execute("COMMIT")
