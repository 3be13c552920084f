"""Helpers shared by commands: open the store, find an edition given as a file or a year, check record numbers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from egovindex.cli.output import fail, fail_input
from egovindex.sources.files import InputError

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Engine

    from egovindex.domain import Edition


def engine() -> Engine:
    """The store's engine, migrated to the latest schema."""
    from egovindex.settings import get_settings
    from egovindex.store.db import make_engine, upgrade

    url = get_settings().database_url
    upgrade(url)
    return make_engine(url)


MAX_RECORD = 2**63 - 1  # the largest key the store holds (a signed 64-bit integer)
EDITION_YEARS = range(1900, 2200)  # wider than any edition, narrow enough for any store and any date


def record_number(kind: str) -> Callable[[int | None], int | None]:
    """A callback for an option or argument that names a stored record (a submission, a release): a number that no
    record can have is reported as missing, as any other number without a record is, before the store is asked."""

    def check(value: int | None) -> int | None:
        if value is not None and not 1 <= value <= MAX_RECORD:
            raise fail(f"no {kind} {value}")
        return value

    return check


def stored_editions(years: list[int] | None = None) -> list[Edition]:
    """The current version of the stored editions (of the given years); a year no edition can have finds none."""
    from egovindex.store.db import unit_of_work
    from egovindex.store.editions import current_editions

    if years is not None:
        years = [y for y in years if y in EDITION_YEARS]
        if not years:
            return []
    with unit_of_work(engine()) as session:
        return current_editions(session, years)


def edition_of(file_or_edition: str, *, edition: int | None = None) -> Edition:
    """An edition from a UN export file (never loaded before) or from the store by year."""
    path = Path(file_or_edition)
    if path.exists():
        from egovindex.sources.undata import read_undata

        try:
            found = read_undata(path, edition=edition)
        except InputError as exc:
            raise fail_input(exc, stores=False) from None
        if edition is not None:
            found = [e for e in found if e.year == edition]
        if len(found) != 1:
            years = ", ".join(str(e.year) for e in found) or "none"
            raise fail(f"{path} holds editions {years}: choose one with --edition")
        return found[0]
    if not file_or_edition.isdigit():
        raise fail(f"{file_or_edition!r} is neither a file nor an edition year")
    year = int(file_or_edition)
    found = stored_editions([year])
    if not found:
        raise fail(f"edition {year} is not loaded: run 'egovindex sources load' first")
    return found[0]


def iso3_of(text: str) -> str:
    from egovindex.sources.countries import UnknownCountryError, countries, to_iso3

    if text.upper() in countries():
        return text.upper()
    try:
        return to_iso3(text)
    except UnknownCountryError as exc:
        raise fail(str(exc)) from None
