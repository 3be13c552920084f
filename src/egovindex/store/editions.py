"""Saving and reading Survey editions. Each load adds a version; the latest version of a year is current."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, selectinload

from egovindex import methodologies
from egovindex.domain import Edition, EditionRow, SourceFile
from egovindex.store.models import CountryScore, EditionVersion, SourceFileRecord


@dataclass(frozen=True)
class LoadResult:
    year: int
    version: int
    status: str  # "added" or "unchanged"
    uri: str


def save_edition(session: Session, edition: Edition) -> LoadResult:
    """Store an edition as a new version, unless the current version came from a file with the same checksum."""
    current = _current(session, edition.year)
    if current is not None and current.source_file.sha256 == edition.source.sha256:
        return LoadResult(edition.year, current.version, "unchanged", edition.source.uri)
    framework = methodologies.egdi(edition.year)
    src = SourceFileRecord(
        uri=edition.source.uri,
        sha256=edition.source.sha256,
        size=edition.source.size,
        media_type=edition.source.media_type,
        producer=edition.source.producer,
        retrieved_at=edition.source.retrieved_at.replace(tzinfo=None),
    )
    version = EditionVersion(
        year=edition.year,
        version=(current.version + 1) if current else 1,
        methodology_id=framework.id,
        methodology_version=framework.version,
        decimals=edition.decimals,
        n_rows=len(edition.rows),
        n_assessed=len(edition.assessed()),
        source_file=src,
        rows=[CountryScore(**_row_fields(r)) for r in edition.rows],
    )
    session.add(version)
    session.flush()
    return LoadResult(edition.year, version.version, "added", edition.source.uri)


def save_editions(engine: Engine, editions: list[Edition]) -> list[LoadResult]:
    """Save every edition in one transaction: all of them, or none."""
    from egovindex.store.db import unit_of_work

    with unit_of_work(engine) as session:
        return [save_edition(session, e) for e in editions]


def _current(session: Session, year: int) -> EditionVersion | None:
    return session.scalars(
        select(EditionVersion).where(EditionVersion.year == year).order_by(EditionVersion.version.desc()).limit(1)
    ).first()


def current_editions(session: Session, years: list[int] | None = None) -> list[Edition]:
    """The current version of every stored edition (or of the given years), as Editions."""
    latest = (
        select(EditionVersion.year, func.max(EditionVersion.version).label("v"))
        .group_by(EditionVersion.year)
        .subquery()
    )
    query = (
        select(EditionVersion)
        .join(latest, (EditionVersion.year == latest.c.year) & (EditionVersion.version == latest.c.v))
        .options(selectinload(EditionVersion.rows), selectinload(EditionVersion.source_file))
        .order_by(EditionVersion.year)
    )
    if years is not None:
        query = query.where(EditionVersion.year.in_(years))
    return [_to_edition(v) for v in session.scalars(query)]


def edition_history(session: Session) -> list[EditionVersion]:
    return list(
        session.scalars(
            select(EditionVersion)
            .options(selectinload(EditionVersion.source_file))
            .order_by(EditionVersion.year, EditionVersion.version)
        )
    )


def _to_edition(v: EditionVersion) -> Edition:
    s = v.source_file
    return Edition(
        year=v.year,
        decimals=v.decimals,
        source=SourceFile(
            uri=s.uri,
            sha256=s.sha256,
            size=s.size,
            retrieved_at=s.retrieved_at,
            media_type=s.media_type,
            producer=s.producer,
        ),
        rows=tuple(EditionRow(**_row_fields(r)) for r in v.rows),
    )


ROW_FIELDS = tuple(f.name for f in dataclasses.fields(EditionRow))


def _row_fields(row: EditionRow | CountryScore) -> dict[str, object]:
    """The published values of a row, shared by the parsed EditionRow and the stored CountryScore."""
    return {name: getattr(row, name) for name in ROW_FIELDS}
