"""The registry of indicators and agencies (package data). This version holds the owners of the EGDI
components and raw indicators; the quarterly-collection registry extends it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Owner:
    agency: str
    name: str
    name_vi: str
    contributors: tuple[str, ...]


@cache
def _data() -> dict:  # type: ignore[type-arg]
    import yaml

    return yaml.safe_load((resources.files(__name__) / "owners.yaml").read_text(encoding="utf-8"))


def owner(indicator: str) -> Owner | None:
    """The agency that owns an indicator or EGDI component, or None when the registry does not name one."""
    data = _data()
    code = data["indicators"].get(indicator)
    if code is None:
        return None
    agency = data["agencies"][code["owner"]]
    return Owner(code["owner"], agency["name"], agency["name_vi"], tuple(code.get("contributors", ())))
