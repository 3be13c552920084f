"""Tables. Records are versioned, never overwritten: loading an edition again adds a new version."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


class SourceFileRecord(Base):
    """An imported file: path or URL, checksum, size, type, producer, when it was retrieved and loaded."""

    __tablename__ = "source_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    uri: Mapped[str] = mapped_column(String(2000))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    media_type: Mapped[str] = mapped_column(String(200))
    producer: Mapped[str | None] = mapped_column(String(200))
    retrieved_at: Mapped[dt.datetime]
    loaded_at: Mapped[dt.datetime] = mapped_column(default=_now)


class EditionVersion(Base):
    """One load of one Survey edition. The highest version of a year is the current one."""

    __tablename__ = "edition_version"
    __table_args__ = (UniqueConstraint("year", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    version: Mapped[int]
    methodology_id: Mapped[str] = mapped_column(String(50))
    methodology_version: Mapped[str] = mapped_column(String(50))
    decimals: Mapped[int]
    n_rows: Mapped[int]
    n_assessed: Mapped[int]
    source_file_id: Mapped[int] = mapped_column(ForeignKey("source_file.id"))
    loaded_at: Mapped[dt.datetime] = mapped_column(default=_now)

    source_file: Mapped[SourceFileRecord] = relationship()
    rows: Mapped[list[CountryScore]] = relationship(back_populates="edition", order_by="CountryScore.row")


class CountryScore(Base):
    """One country's published values in one edition version, with its line in the source file."""

    __tablename__ = "country_score"
    __table_args__ = (UniqueConstraint("edition_version_id", "iso3"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_version_id: Mapped[int] = mapped_column(ForeignKey("edition_version.id"), index=True)
    row: Mapped[int]
    iso3: Mapped[str] = mapped_column(String(3), index=True)
    country_name: Mapped[str] = mapped_column(String(200))
    rank: Mapped[int | None]
    egdi: Mapped[float | None]
    osi: Mapped[float | None]
    tii: Mapped[float | None]
    hci: Mapped[float | None]
    epi: Mapped[float | None]
    region: Mapped[str | None] = mapped_column(String(100))
    assessed: Mapped[bool]
    reason: Mapped[str | None] = mapped_column(String(200))

    edition: Mapped[EditionVersion] = relationship(back_populates="rows")
