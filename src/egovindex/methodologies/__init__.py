"""Methodologies as data: one YAML file per UN Survey edition (``egdi-2024.yaml``) and per national method."""

from __future__ import annotations

from functools import cache
from importlib import resources

from egovindex.engine.framework import Framework


def available() -> list[str]:
    """Ids of the packaged methodologies, sorted."""
    return sorted(p.name.removesuffix(".yaml") for p in resources.files(__name__).iterdir() if p.name.endswith(".yaml"))


@cache
def load(methodology_id: str) -> Framework:
    """A packaged methodology by id ("egdi-2024"): one of ``available()``, never a path (an id reaches here from
    the command line and from URLs)."""
    if methodology_id not in available():
        raise KeyError(f"no methodology {methodology_id!r}; available: {', '.join(available())}")
    path = resources.files(__name__) / f"{methodology_id}.yaml"
    return Framework.from_yaml(path.read_text(encoding="utf-8"), source=f"methodologies/{methodology_id}.yaml")


def egdi(edition: int) -> Framework:
    """The UN E-Government Survey methodology of an edition."""
    return load(f"egdi-{edition}")


def egdi_editions() -> list[int]:
    return [int(m.split("-")[1]) for m in available() if m.startswith("egdi-")]
