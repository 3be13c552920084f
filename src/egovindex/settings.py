"""Settings in one place, from environment variables prefixed ``EGOVINDEX_`` (or a ``.env`` file)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

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
    reference_data: Path | None = Field(
        None,
        description="Folder of reference data (UN Survey exports under egdi/, raw series under indicators/); "
        "default ../shared/data when it exists.",
    )
    undata_base_url: str = Field(
        "https://publicadministration.un.org/egovkb/Portals/egovkb/Documents/un",
        description="Base URL from which 'sources fetch' downloads EGOV_DATA_<year>.csv for each edition.",
    )

    secret_key: str = Field(
        "", description="Key that signs session cookies; default: a random key kept in data_dir/secret_key."
    )
    secure_cookies: bool = Field(False, description="Send cookies only over HTTPS (set true behind TLS).")

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'egovindex.sqlite').as_posix()}"
        if self.reference_data is None and SHARED_DATA.is_dir():
            self.reference_data = SHARED_DATA
        return self


@cache
def get_settings() -> Settings:
    return Settings()
