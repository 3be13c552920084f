"""Ingestion of the service catalogue and the dossier records into the warehouse, in chunks, every row checked.

A folder is its catalogue (``catalogue.parquet`` or ``.csv``) and then its dossiers (``dossiers/*``); files are
Parquet or CSV, their columns named as in docs/services.md or mapped from other names by a YAML mapping
(``{contract name: name in the file}``). Each file is read in chunks of ``CHUNK`` rows; a row that breaks a rule
is not stored but written to the rejects file with its file, row, field and reason (the first rule it breaks), so
that for every file ``accepted + rejected = read``. Everything named in one call is stored in one DuckDB
transaction: a failure half-way leaves the warehouse as it was. A file whose content (SHA-256) was ingested before
changes nothing. Agency codes are stored as the registry's successors, beside the code of the record.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from egovindex.services import records

CHUNK = 1_000_000  # rows per chunk: memory stays bounded whatever the file's size
SUFFIXES = (".parquet", ".csv")


class IngestError(ValueError):
    """An input that cannot be read at all (no such file, not Parquet or CSV, a column missing)."""


@dataclass
class FileResult:
    uri: str
    kind: str  # "catalogue" or "dossiers"
    status: str  # "added" or "unchanged"
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)  # "field: reason" -> rows
    sha256: str = ""


@dataclass
class IngestResult:
    files: list[FileResult]
    rejects: Path | None

    @property
    def read(self) -> int:
        return sum(f.read for f in self.files)

    @property
    def accepted(self) -> int:
        return sum(f.accepted for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)


def expand(paths: list[Path]) -> list[tuple[Path, str]]:
    """The files to read, each with its kind: a folder's catalogue first, then its dossiers, in name order."""
    out: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            out += [(p, "catalogue") for p in sorted(path.glob("catalogue.*")) if p.suffix in SUFFIXES]
            folder = path / "dossiers"
            out += [(p, "dossiers") for p in sorted(folder.glob("*")) if p.suffix in SUFFIXES]
        elif path.is_file():
            out.append((path, "catalogue" if path.stem.startswith("catalogue") else "dossiers"))
        else:
            raise IngestError(f"{path}: no such file or folder")
    if not out:
        raise IngestError(f"{', '.join(map(str, paths))}: no Parquet or CSV file of dossiers or a catalogue")
    return sorted(out, key=lambda item: item[1] != "catalogue")  # every catalogue before the dossiers


def read_mapping(path: Path | None) -> dict[str, str]:
    """``{contract name: name in the file}`` from a YAML mapping."""
    if path is None:
        return {}
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise IngestError(f"{path}: cannot read the mapping: {exc}") from None
    known = set(records.DOSSIER) | set(records.CATALOGUE) | {"level"}
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise IngestError(f"{path}: a mapping gives, for a column of the records, its name in the file")
    unknown = sorted(set(map(str, data)) - known)
    if unknown:
        raise IngestError(f"{path}: {', '.join(unknown)}: not a column of the records ({', '.join(sorted(known))})")
    return {str(k): v for k, v in data.items()}


def ingest(
    paths: list[Path],
    *,
    mapping: dict[str, str] | None = None,
    rejects: Path | None = None,
    connection: Any = None,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> IngestResult:
    """Ingest the files in one transaction; the rejected rows go to ``rejects`` (CSV: file, row, field, reason)."""
    from egovindex.services import warehouse

    files = expand(paths)
    con = connection or warehouse.connect()
    rejects = rejects or Path("rejects.csv")
    partial = rejects.with_name(rejects.name + ".part")
    results = []
    con.execute("BEGIN TRANSACTION")
    try:
        _agency_map(con)
        with partial.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(["file", "row", "field", "reason"])
            for path, kind in files:
                results.append(_file(con, path, kind, mapping or {}, writer, progress))
            _store_dossiers(con, results, writer)
        for r in results:
            if r.status == "added":
                con.execute(
                    "INSERT INTO ingested_file VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [r.sha256, r.uri, r.kind, r.read, r.accepted, r.rejected, dt.datetime.now()],
                )
        _partials(con, results)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        partial.unlink(missing_ok=True)
        raise
    if any(r.rejected for r in results):
        partial.replace(rejects)
        return IngestResult(results, rejects)
    partial.unlink(missing_ok=True)
    return IngestResult(results, None)


DUPLICATE = "the same id was given before"


def _store_dossiers(con: Any, results: list[FileResult], writer: Any) -> None:
    """Keep the dossiers just stored whose id is new: not stored before, and the first of the ids given twice in
    what is being ingested (in file and row order); remove the others and reject them. Ids are compared once, set
    against set, after every chunk is stored: one pass over the new dossiers, not one per chunk."""
    added = {r.sha256: n for n, r in enumerate(results) if r.status == "added" and r.kind == "dossiers"}
    if not added:
        return
    con.execute("CREATE OR REPLACE TEMP TABLE new_file AS SELECT unnest(?::VARCHAR[]) AS sha256, unnest(?::INT[]) AS n",
                [list(added), list(added.values())])  # fmt: skip
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE duplicate AS
        WITH new AS (
            SELECT d.rowid AS rid, d.dossier_id, f.n, d.source_row
            FROM dossier d JOIN new_file f ON f.sha256 = d.source_sha256
        ), suspect AS (
            SELECT dossier_id FROM new GROUP BY dossier_id HAVING count(*) > 1
            UNION SELECT dossier_id FROM dossier
            WHERE source_sha256 NOT IN (SELECT sha256 FROM new_file) AND dossier_id IN (SELECT dossier_id FROM new)
        ), ranked AS (
            SELECT rid, n, source_row, row_number() OVER (PARTITION BY dossier_id ORDER BY n, source_row) AS nth,
                dossier_id IN (
                    SELECT dossier_id FROM dossier WHERE source_sha256 NOT IN (SELECT sha256 FROM new_file)
                ) AS before
            FROM new WHERE dossier_id IN (SELECT dossier_id FROM suspect)
        )
        SELECT rid, n, source_row FROM ranked WHERE nth > 1 OR before
        """
    )
    for n, row_no in con.execute("SELECT n, source_row FROM duplicate ORDER BY n, source_row").fetchall():
        result = results[n]
        writer.writerow([result.uri, row_no, "dossier_id", DUPLICATE])
        key = f"dossier_id: {DUPLICATE}"
        result.reasons[key] = result.reasons.get(key, 0) + 1
        result.rejected += 1
        result.accepted -= 1
    con.execute("DELETE FROM dossier WHERE rowid IN (SELECT rid FROM duplicate)")


def _partials(con: Any, results: list[FileResult]) -> None:
    """Bring the monthly partials up to date: every month after a new catalogue (a service's form on the day of
    receipt may have changed), else the months of receipt of the dossiers just stored."""
    from egovindex.services.partials import refresh_partials

    added = [r for r in results if r.status == "added"]
    if any(r.kind == "catalogue" for r in added):
        refresh_partials(con)
    elif added:
        con.execute("CREATE OR REPLACE TEMP TABLE new_files AS SELECT unnest(?::VARCHAR[]) AS sha256", [
            [r.sha256 for r in added]
        ])  # fmt: skip
        refresh_partials(
            con,
            "SELECT DISTINCT date_trunc('month', received_at)::DATE AS month FROM dossier "
            "WHERE source_sha256 IN (SELECT sha256 FROM new_files)",
        )


def _agency_map(con: Any) -> None:
    import pyarrow as pa

    mapped = records.successors()
    table = pa.table({"original": list(mapped), "successor": list(mapped.values())})
    con.register("agency_map_arrow", table)
    con.execute("CREATE OR REPLACE TEMP TABLE agency_map AS SELECT * FROM agency_map_arrow")
    con.unregister("agency_map_arrow")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _file(
    con: Any,
    path: Path,
    kind: str,
    mapping: dict[str, str],
    writer: Any,
    progress: Callable[..., None] | None,
) -> FileResult:
    sha = _sha256(path)
    known = con.execute(
        "SELECT kind, rows_read, accepted, rejected FROM ingested_file WHERE sha256 = ?", [sha]
    ).fetchone()
    if known:
        return FileResult(str(path), known[0], "unchanged", known[1], known[2], known[3], sha256=sha)
    result = FileResult(str(path), kind, "added", sha256=sha)
    batches, total = _batches(path, kind, mapping)
    first_row = 1 if path.suffix == ".parquet" else 2  # a CSV's line 1 is its header
    for batch in batches:
        checked = _check_dossiers if kind == "dossiers" else _check_catalogue
        for row, column, reason in checked(con, batch, first_row + result.read, sha):
            writer.writerow([str(path), row, column, reason])
            key = f"{column}: {reason}"
            result.reasons[key] = result.reasons.get(key, 0) + 1
            result.rejected += 1
        result.read += batch.num_rows
        if progress:
            progress(str(path), batch.num_rows, total)
    result.accepted = result.read - result.rejected
    return result


def _batches(path: Path, kind: str, mapping: dict[str, str]) -> tuple[Iterator[Any], int | None]:
    """The file's rows in chunks of ``CHUNK``, as Arrow record batches with the contract's column names."""
    import pyarrow as pa

    wanted = records.DOSSIER if kind == "dossiers" else records.CATALOGUE
    renames = {theirs: ours for ours, theirs in mapping.items()}
    try:
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            reader = pq.ParquetFile(path)
            names, total = reader.schema_arrow.names, reader.metadata.num_rows
            stream: Iterator[Any] = reader.iter_batches(batch_size=CHUNK)
        else:
            from pyarrow import csv as pacsv

            with path.open("r", encoding="utf-8") as fh:
                names = next(csv.reader(fh), [])
            options = pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False)
            stream = pacsv.open_csv(path, convert_options=options, read_options=pacsv.ReadOptions(block_size=1 << 24))
            total = None
    except (OSError, pa.ArrowInvalid, StopIteration) as exc:
        raise IngestError(f"{path}: cannot be read as {path.suffix[1:]}: {exc}") from None
    present = [renames.get(n, n) for n in names]
    optional = {"completed_at", "rating", "valid_to"} | ({"service_form"} if "level" in present else set())
    missing = [c for c in wanted if c not in present and c not in optional]
    if missing:
        raise IngestError(f"{path}: no column {', '.join(missing)} (columns: {', '.join(names)})")

    def renamed() -> Iterator[Any]:
        for batch in stream:
            yield batch.rename_columns([renames.get(n, n) for n in batch.schema.names])

    return renamed(), total


def _typed(batch: Any, name: str, sql_type: str) -> tuple[str, str]:
    """SQL for a column's value as ``sql_type`` and for "given but not of that type"; a column the file does not
    have is empty."""
    import pyarrow as pa

    if name not in batch.schema.names:
        return "NULL", "false"
    arrow = batch.schema.field(name).type
    given = f"({name} IS NOT NULL AND trim(CAST({name} AS VARCHAR)) <> '')"
    if pa.types.is_string(arrow) or pa.types.is_large_string(arrow):
        value = f"TRY_CAST(NULLIF(trim({name}), '') AS {sql_type})"
        if sql_type == "BOOLEAN":
            value = (
                f"(CASE lower(trim({name})) WHEN 'true' THEN true WHEN '1' THEN true "
                "WHEN 'false' THEN false WHEN '0' THEN false END)"
            )
        return value, f"({given} AND {value} IS NULL)"
    return f"TRY_CAST({name} AS {sql_type})", f"({name} IS NOT NULL AND TRY_CAST({name} AS {sql_type}) IS NULL)"


def _check_dossiers(con: Any, batch: Any, first_row: int, sha: str) -> list[tuple[int, str, str]]:
    """Store the chunk's valid dossiers (their ids are compared once all are stored: ``_store_dossiers``); return
    the others as (row, field, reason)."""
    cols = {n: _typed(batch, n, t) for n, t in _DOSSIER_TYPES.items()}
    text = {n: (f"NULLIF(trim(CAST({n} AS VARCHAR)), '')" if n in batch.schema.names else "NULL") for n in _TEXT}
    batch = _numbered(batch, first_row)  # read by DuckDB by its name (see _numbered)
    select = ", ".join(
        ["row_no"]
        + [f"{text[n]} AS {n}" for n in _TEXT]
        + [f"{v} AS {n}, {bad} AS {n}_bad" for n, (v, bad) in cols.items()]
    )
    flags = " ".join(f"WHEN c.{f}_bad OR c.{f} IS NULL THEN '{f}|not true or false'" for f in records.FLAGS)
    checked = f"""
        SELECT c.*, m.successor, CASE
            WHEN c.dossier_id IS NULL THEN 'dossier_id|missing'
            WHEN m.successor IS NULL THEN 'agency_code|not an agency of the registry'
            WHEN p.procedure_code IS NULL THEN 'procedure_code|not in the service catalogue'
            WHEN c.channel IS NULL OR c.channel NOT IN ('online', 'counter', 'post')
                THEN 'channel|not online, counter or post'
            WHEN c.received_at IS NULL THEN 'received_at|missing or not a date and time'
            WHEN c.due_at IS NULL THEN 'due_at|missing or not a date and time'
            WHEN c.completed_at_bad THEN 'completed_at|not a date and time'
            WHEN c.due_at < c.received_at THEN 'due_at|before received_at'
            WHEN c.completed_at < c.received_at THEN 'completed_at|before received_at'
            {flags}
            WHEN c.rating_bad OR c.rating NOT BETWEEN 1 AND 5 THEN 'rating|not a whole number from 1 to 5'
        END AS problem
        FROM (SELECT {select} FROM batch) c
        LEFT JOIN agency_map m ON m.original = c.agency_code
        LEFT JOIN (SELECT DISTINCT procedure_code FROM catalogue) p ON p.procedure_code = c.procedure_code
        """
    con.execute(
        f"""
        INSERT INTO dossier SELECT dossier_id, successor, agency_code, procedure_code, channel, received_at, due_at,
            completed_at, fee_required, paid_online, digitised, e_result, synced, rating, ?, row_no
        FROM ({checked}) WHERE problem IS NULL
        """,
        [sha],
    )
    # the checks run a second time for the few rows refused: cheaper than keeping the whole chunk checked
    return _problems(con.execute(f"SELECT row_no, problem FROM ({checked}) WHERE problem IS NOT NULL ORDER BY row_no"))


def _numbered(batch: Any, first_row: int) -> Any:
    """The batch with the row number of each row in its file (``row_no``), fixed before any parallel scan.

    DuckDB reads it as the local variable named in the SQL (its replacement scan), not through ``register``: in
    the ingestion's one long transaction every registered view stays in the catalogue, with its Arrow data, until
    the commit, so memory grew with the file (130 MB per million rows)."""
    import pyarrow as pa

    return batch.append_column("row_no", pa.array(range(first_row, first_row + batch.num_rows), pa.int64()))


def _check_catalogue(con: Any, batch: Any, first_row: int, sha: str) -> list[tuple[int, str, str]]:
    """Store the chunk's valid catalogue rows; return the others as (row, field, reason)."""
    cols = {n: _typed(batch, n, t) for n, t in _CATALOGUE_TYPES.items()}
    text = {
        n: (f"NULLIF(trim(CAST({n} AS VARCHAR)), '')" if n in batch.schema.names else "NULL")
        for n in ("procedure_code", "agency_code", "unit_level", "service_form")
    }
    if "service_form" not in batch.schema.names and "level" in batch.schema.names:  # catalogues before 2023
        text["service_form"] = (
            "CASE TRY_CAST(level AS INTEGER) WHEN 4 THEN 'full_online' WHEN 3 THEN 'partial_online' "
            "WHEN 2 THEN 'offline' WHEN 1 THEN 'offline' END"
        )
    batch = _numbered(batch, first_row)  # read by DuckDB by its name (see _numbered)
    select = ", ".join(
        ["row_no"]
        + [f"{v} AS {n}" for n, v in text.items()]
        + [f"{v} AS {n}, {bad} AS {n}_bad" for n, (v, bad) in cols.items()]
    )
    checked = f"""
        SELECT c.*, m.successor, CASE
            WHEN c.procedure_code IS NULL THEN 'procedure_code|missing'
            WHEN m.successor IS NULL THEN 'agency_code|not an agency of the registry'
            WHEN c.unit_level IS NULL OR c.unit_level NOT IN ('central', 'province', 'district', 'commune')
                THEN 'unit_level|not central, province, district or commune'
            WHEN c.service_form IS NULL OR c.service_form NOT IN ('full_online', 'partial_online', 'offline')
                THEN 'service_form|not full_online, partial_online or offline (or a level 1 to 4)'
            WHEN c.fee_required_bad OR c.fee_required IS NULL THEN 'fee_required|not true or false'
            WHEN c.valid_from IS NULL THEN 'valid_from|missing or not a date'
            WHEN c.valid_to_bad THEN 'valid_to|not a date'
            WHEN c.valid_to < c.valid_from THEN 'valid_to|before valid_from'
        END AS problem
        FROM (SELECT {select} FROM batch) c LEFT JOIN agency_map m ON m.original = c.agency_code
        """
    con.execute(
        f"""
        INSERT INTO catalogue SELECT procedure_code, successor, agency_code, unit_level, service_form, fee_required,
            valid_from, valid_to, ? FROM ({checked}) WHERE problem IS NULL
        """,
        [sha],
    )
    return _problems(con.execute(f"SELECT row_no, problem FROM ({checked}) WHERE problem IS NOT NULL ORDER BY row_no"))


def _problems(cursor: Any) -> list[tuple[int, str, str]]:
    return [(int(row), *problem.split("|", 1)) for row, problem in cursor.fetchall()]


_TEXT = ("dossier_id", "agency_code", "procedure_code", "channel")
_DOSSIER_TYPES = {
    "received_at": "TIMESTAMP",
    "due_at": "TIMESTAMP",
    "completed_at": "TIMESTAMP",
    **dict.fromkeys(records.FLAGS, "BOOLEAN"),
    "rating": "TINYINT",
}
_CATALOGUE_TYPES = {"fee_required": "BOOLEAN", "valid_from": "DATE", "valid_to": "DATE"}
