"""Settings in one place, from environment variables prefixed ``EGOVINDEX_`` (or a ``.env`` file)."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SHARED_DATA = Path("../shared/data")


class Settings(BaseSettings):
    """Every setting has a description; ``egovindex settings`` prints them with their current values."""

    model_config = SettingsConfigDict(env_prefix="EGOVINDEX_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Folder for the embedded database files.")
    database_url: str = Field(
        "", description="SQLAlchemy URL of the store; default: a SQLite file egovindex.sqlite in data_dir."
    )
    audit_head_file: Path | None = Field(
        None,
        description="File that keeps the audit log's head (entries and last hash) outside the database, signed with "
        "the instance key (secret_key); default: beside a SQLite database file (<file>.audit-head.json), for other "
        "databases audit-head-<digest of the URL without password>.json in data_dir.",
    )
    reference_data: Path | None = Field(
        None,
        description="Folder of reference data (UN Survey exports under egdi/, raw series under indicators/); "
        "default ../shared/data when it exists.",
    )
    undata_base_url: str = Field(
        "https://publicadministration.un.org/egovkb/Portals/egovkb/Documents/un",
        description="Base URL from which 'sources fetch' downloads EGOV_DATA_<year>.csv for each edition.",
    )
    sdmx_sender: str = Field(
        "VN_BKHCN",
        pattern=r"^[A-Za-z0-9_@$\-]+$",
        description="Sender id in the header of SDMX-ML exports of a release (an SDMX id); default: the lead "
        "ministry's agency id.",
    )

    services_database: Path | None = Field(
        None,
        description="DuckDB file of the dossier records of online public services and their statistics; default: "
        "services.duckdb in data_dir.",
    )

    secret_key: str = Field(
        "", description="Key that signs session cookies; default: a random key kept in data_dir/secret_key."
    )
    secure_cookies: bool = Field(False, description="Send cookies only over HTTPS (set true behind TLS).")
    session_idle_minutes: int = Field(
        30, ge=1, le=24 * 60, description="A signed-in session ends after this many minutes without a request."
    )
    session_lifetime_hours: int = Field(
        8, ge=1, le=24 * 30, description="A signed-in session ends this many hours after signing in, however used."
    )
    token_days: int = Field(90, ge=1, le=366, description="Days for which a new API token is valid.")
    upload_max_bytes: int = Field(
        5_000_000, ge=1_000, description="Largest file accepted for submission (web upload, API, CLI), in bytes."
    )
    upload_max_rows: int = Field(10_000, ge=1, description="Most rows of values (or JSON records) in one submission.")
    upload_max_columns: int = Field(
        50, ge=10, description="Most columns of a CSV file; no cell of a workbook beyond this column may hold a value."
    )
    upload_max_cell_chars: int = Field(2_000, ge=100, description="Most characters in one cell, field or JSON text.")
    upload_max_unpacked_bytes: int = Field(
        20_000_000,
        ge=100_000,
        description="Largest total size of the parts of an Excel workbook once unpacked, in bytes (zip bombs).",
    )

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'egovindex.sqlite').as_posix()}"
        if self.audit_head_file is None:
            self.audit_head_file = default_audit_head_file(self.database_url, self.data_dir)
        if self.services_database is None:
            self.services_database = self.data_dir / "services.duckdb"
        if self.reference_data is None and SHARED_DATA.is_dir():
            self.reference_data = SHARED_DATA
        return self


def default_audit_head_file(database_url: str, data_dir: Path) -> Path | None:
    """Where the audit log's signed head of the store at ``database_url`` is kept by default: beside a SQLite file,
    else in the data folder under a digest of the URL without its password; None for an in-memory database."""
    scheme, _, rest = database_url.partition("://")
    if scheme.split("+")[0] == "sqlite":
        name = rest.split("?")[0].removeprefix("/")
        if not name or name == ":memory:" or name.startswith("file:"):
            return None
        return Path(name + ".audit-head.json")
    parts = urlsplit(database_url)
    netloc = parts.netloc
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        netloc = f"{user.split(':', 1)[0]}@{host}"
    plain = urlunsplit(parts._replace(netloc=netloc))
    return data_dir / f"audit-head-{hashlib.sha256(plain.encode()).hexdigest()[:16]}.json"


@cache
def get_settings() -> Settings:
    return Settings()
