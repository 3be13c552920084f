"""``egovindex sources``: load UN Data Center exports from files, folders, the reference data, or URLs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from egovindex.cli.output import Format, console, emit, fail, fail_input
from egovindex.sources.files import InputError

if TYPE_CHECKING:
    from collections.abc import Callable

    from egovindex.domain import Edition

app = typer.Typer(help="Load and fetch UN E-Government Survey exports.", no_args_is_help=True)


def _with_progress(label: str, items: list[str], work: Callable[..., list[Edition]]) -> list[Edition]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[item]}"),
        console=console(),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=len(items), item="")
        state = {"started": False}

        def step(item: str) -> None:
            if state["started"]:
                bar.advance(task)
            state["started"] = True
            bar.update(task, item=Path(item).name)

        try:
            return work(progress=step)
        finally:
            bar.update(task, completed=len(items))


def _report(results: list) -> None:  # type: ignore[type-arg]
    emit(
        [{"edition": r.year, "version": r.version, "status": r.status, "source": r.uri} for r in results],
        Format.table,
        title="Loaded editions",
    )


@app.command("load")
def load(
    paths: Annotated[list[Path] | None, typer.Argument(help="UN export files (CSV, XLSX) or folders of them.")] = None,
    reference: Annotated[bool, typer.Option("--reference", help="Load the exports of the reference data.")] = False,
    partial: Annotated[bool, typer.Option(help="Accept tables of fewer than 100 countries.")] = False,
    or_fetch: Annotated[
        bool,
        typer.Option(
            "--or-fetch",
            help="With --reference: download the exports ('sources fetch') when there is no reference data.",
        ),
    ] = False,
) -> None:
    """Load UN exports into the store: all files are checked first, then stored in one transaction."""
    from egovindex.cli.common import engine
    from egovindex.settings import get_settings
    from egovindex.sources import load as loader

    files = loader.expand(paths or [])
    if reference:
        ref = get_settings().reference_data
        if (ref is None or not ref.is_dir()) and or_fetch:
            try:
                editions = _download(None, None, None)
            except loader.UnreachableError as exc:  # offline: one line, not one per edition
                raise fail(
                    f"no reference data: EGOVINDEX_REFERENCE_DATA ({ref or 'not set'}) is not a folder, and "
                    f"{exc.problems[0].message}; set EGOVINDEX_REFERENCE_DATA to the folder of the UN exports, or "
                    "run 'egovindex sources fetch' when the network is there"
                ) from None
            except InputError as exc:
                raise fail_input(exc) from None
            from egovindex.store.editions import save_editions

            _report(save_editions(engine(), editions))
            return
        if ref is None or not ref.is_dir():
            raise fail("no reference data: set EGOVINDEX_REFERENCE_DATA or use 'egovindex sources fetch'")
        try:
            files += loader.reference_files(ref)
        except InputError as exc:
            raise fail_input(exc) from None
    if not files:
        raise fail("nothing to load: give files or folders, or --reference")
    try:
        editions = _with_progress(
            "Reading",
            [str(f) for f in files],
            lambda progress: loader.parse_all(files, progress=progress, partial=partial),
        )
    except InputError as exc:
        raise fail_input(exc) from None
    from egovindex.store.editions import save_editions

    _report(save_editions(engine(), editions))


@app.command("fetch")
def fetch(
    edition: Annotated[list[int] | None, typer.Option("--edition", "-e", help="Edition year; repeat.")] = None,
    url: Annotated[list[str] | None, typer.Option("--url", help="Explicit export URL; repeat.")] = None,
    base_url: Annotated[str | None, typer.Option(help="Base URL (default: EGOVINDEX_UNDATA_BASE_URL).")] = None,
) -> None:
    """Download exports from the UN Data Center (or a mirror), keep a copy, and load them."""
    from egovindex.cli.common import engine

    try:
        editions = _download(edition, url, base_url)
    except InputError as exc:
        raise fail_input(exc) from None
    from egovindex.store.editions import save_editions

    _report(save_editions(engine(), editions))


def _download(edition: list[int] | None, url: list[str] | None, base_url: str | None) -> list[Any]:
    """The editions of the given URLs, or of the given (default: every) edition years at the base URL."""
    from egovindex import methodologies
    from egovindex.settings import get_settings
    from egovindex.sources import load as loader

    settings = get_settings()
    urls = list(url or [])
    if edition or not urls:
        years = edition or methodologies.egdi_editions()
        urls += loader.edition_urls(base_url or settings.undata_base_url, years)
    return _with_progress(  # type: ignore[no-any-return]
        "Downloading",
        urls,
        lambda progress: loader.fetch(urls, save_to=settings.data_dir / "downloads", progress=progress),
    )


@app.command("list")
def list_loaded(
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table, csv or json")] = Format.table,
) -> None:
    """Every stored edition version with its source file and checksum."""
    from egovindex.cli.common import engine
    from egovindex.store.db import unit_of_work
    from egovindex.store.editions import edition_history

    with unit_of_work(engine()) as session:
        rows = [
            {
                "edition": v.year,
                "version": v.version,
                "countries": v.n_rows,
                "assessed": v.n_assessed,
                "decimals": v.decimals,
                "methodology": f"{v.methodology_id} v{v.methodology_version}",
                "source": v.source_file.uri,
                "sha256": v.source_file.sha256[:16],
                "loaded_at": str(v.loaded_at),
            }
            for v in edition_history(session)
        ]
    emit(rows, fmt, title="Stored editions")
