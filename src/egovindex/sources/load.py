"""Reading UN exports to load: files, folders, the reference-data folder, or URLs (``fetch``).

Everything named in one call is parsed first; only if every file is valid is anything stored, in one
transaction (``store.editions.save_editions``). Nothing is overwritten: a changed file becomes a new version of
its edition.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path

from egovindex.domain import Edition
from egovindex.sources.files import InputError, Problem
from egovindex.sources.undata import parse_undata, read_undata

MIN_ROWS = 100  # a Survey edition covers 190+ Member States; fewer rows is a partial table
SUFFIXES = (".csv", ".xlsx")
Progress = Callable[[str], None]


def reference_manifest() -> dict[str, object]:
    import yaml

    text = (resources.files("egovindex.sources") / "data" / "reference.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def reference_files(reference: Path) -> list[Path]:
    """The UN exports named by the reference manifest, checked to exist."""
    manifest = reference_manifest()["undata"]
    assert isinstance(manifest, dict)
    paths = [reference / rel for _, rel in sorted(manifest.items())]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise InputError([Problem(m, None, None, "reference file not found") for m in missing])
    return paths


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders become the CSV and XLSX files directly inside them, sorted."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.iterdir() if f.suffix.lower() in SUFFIXES and f.is_file()))
        else:
            out.append(p)
    return out


def parse_all(paths: list[Path], *, progress: Progress | None = None, partial: bool = False) -> list[Edition]:
    """Parse every file; raise one InputError listing every problem of every file."""
    editions: list[Edition] = []
    problems: list[Problem] = []
    for path in paths:
        if progress:
            progress(str(path))
        try:
            found = read_undata(path)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        for e in found:
            if len(e.rows) < MIN_ROWS and not partial:
                problems.append(
                    Problem(
                        str(path),
                        None,
                        None,
                        f"{e.year}: only {len(e.rows)} countries, a partial table (use --partial)",
                    )
                )
            editions.append(e)
    if problems:
        raise InputError(problems)
    return editions


def download(url: str, *, timeout: float = 60.0) -> bytes:
    import httpx

    try:
        response = httpx.get(url, timeout=timeout, follow_redirects=True)
        response.raise_for_status()
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        host = httpx.URL(url).host
        raise UnreachableError([Problem(url, None, None, f"cannot reach {host}: {exc}")]) from None
    except httpx.HTTPError as exc:
        raise InputError([Problem(url, None, None, f"download failed: {exc}")]) from None
    return response.content


class UnreachableError(InputError):
    """The server cannot be reached at all (offline, or no such host): the other files are not tried."""


def fetch(urls: list[str], *, save_to: Path, progress: Progress | None = None) -> list[Edition]:
    """Download exports, keep a copy of each in ``save_to``, and parse them (URL recorded as provenance)."""
    save_to.mkdir(parents=True, exist_ok=True)
    editions: list[Edition] = []
    problems: list[Problem] = []
    for url in urls:
        if progress:
            progress(url)
        try:
            data = download(url)
            editions.extend(parse_undata(url, data))
        except UnreachableError:
            raise  # one message, not one per file: the host is the same for every file
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        (save_to / Path(url.split("?")[0]).name).write_bytes(data)
    if problems:
        raise InputError(problems)
    return editions


def edition_urls(base_url: str, years: Iterable[int]) -> list[str]:
    return [f"{base_url.rstrip('/')}/EGOV_DATA_{year}.csv" for year in years]
