"""The registry: agencies (with validity dates and successions), indicators (one owner agency each), recipients,
national targets and the submission calendar. YAML package data, validated on load; ``egovindex registry load``
stores a versioned copy."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from functools import cache, cached_property
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

FILES = ("agencies.yaml", "indicators.yaml", "targets.yaml", "calendar.yaml", "rules.yaml")


class RegistryError(ValueError):
    """A registry file that does not validate; names the file and the entry."""


class Agency(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[A-Z][A-Z0-9]*$")
    name: str
    name_vi: str
    block: Literal["ministry", "ministry_level", "government_agency", "province"]
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    successors: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other names of the agency as published tables spell them
    note: str | None = None

    def valid_at(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


class OwnerBefore(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    agency: str
    until: dt.date


class Indicator(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    name_vi: str
    unit: str
    definition: str
    owner: str
    owner_before: OwnerBefore | None = None
    contributors: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    egdi_component: Literal["osi", "tii", "hci"] | None = None
    raw_indicator: str | None = None
    range: tuple[float, float]
    cadence: Literal["quarterly", "annual"]
    sdmx: dict[str, str]

    def owner_at(self, day: dt.date) -> str:
        if self.owner_before and day <= self.owner_before.until:
            return self.owner_before.agency
        return self.owner

    def reporters(self) -> tuple[str, ...]:
        return (self.owner, *self.contributors)


class Registry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    agencies: tuple[Agency, ...]
    lead: str
    report_addressees: tuple[str, ...] = ()
    indicators: tuple[Indicator, ...]
    recipients: dict[str, dict[str, str]]
    components: dict[str, dict[str, Any]]
    targets: tuple[dict[str, Any], ...]
    calendar: dict[str, int]
    rules: tuple[dict[str, Any], ...]
    reconciliation: dict[str, float]
    digest: str

    @model_validator(mode="after")
    def _references(self) -> Registry:
        codes = {a.code for a in self.agencies}
        problems = []
        for a in self.agencies:
            problems += [f"agencies.yaml: {a.code}: unknown successor {s}" for s in a.successors if s not in codes]
        problems += [
            f"agencies.yaml: report_addressees: unknown agency {c}" for c in self.report_addressees if c not in codes
        ]
        for i in self.indicators:
            for ref in (i.owner, *i.contributors, *((i.owner_before.agency,) if i.owner_before else ())):
                if ref not in codes:
                    problems.append(f"indicators.yaml: {i.code}: unknown agency {ref}")
            problems += [
                f"indicators.yaml: {i.code}: unknown recipient {r}" for r in i.recipients if r not in self.recipients
            ]
            if i.range[0] > i.range[1]:
                problems.append(f"indicators.yaml: {i.code}: range {i.range} is reversed")
        counts = Counter(i.code for i in self.indicators)
        problems += [f"indicators.yaml: {c} appears twice" for c in sorted(c for c, n in counts.items() if n > 1)]
        if self.lead not in codes:
            problems.append(f"agencies.yaml: lead {self.lead} is not an agency")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # ------------------------------------------------------------------------------------------- lookups
    @cached_property
    def _agencies(self) -> dict[str, Agency]:
        return {a.code: a for a in self.agencies}

    @cached_property
    def _indicators(self) -> dict[str, Indicator]:
        return {i.code: i for i in self.indicators}

    def agency(self, code: str) -> Agency:
        try:
            return self._agencies[code]
        except KeyError:
            raise KeyError(f"unknown agency {code!r}") from None

    def indicator(self, code: str) -> Indicator:
        try:
            return self._indicators[code]
        except KeyError:
            raise KeyError(f"unknown indicator {code!r}") from None

    def agencies_at(self, day: dt.date, block: str | None = None) -> list[Agency]:
        """The agencies that exist on a date (63 provinces before 1 July 2025, 34 from then)."""
        return [a for a in self.agencies if a.valid_at(day) and (block is None or a.block == block)]

    def successor_at(self, code: str, day: dt.date) -> list[str]:
        """The agencies that carry ``code``'s responsibilities on ``day`` (itself while it exists)."""
        agency = self.agency(code)
        if agency.valid_at(day) or not agency.successors:
            return [code]
        return sorted({c for s in agency.successors for c in self.successor_at(s, day)})

    def predecessors(self, code: str) -> list[str]:
        return sorted(a.code for a in self.agencies if code in a.successors)

    def addressees_at(self, day: dt.date) -> list[Agency]:
        """To whom a report dated ``day`` goes: the registry's addressees, each followed to its successors."""
        codes: list[str] = []
        for code in self.report_addressees:
            codes += [c for c in self.successor_at(code, day) if c not in codes]
        return [self.agency(c) for c in codes]

    def lead_at(self, day: dt.date) -> str:
        """The lead ministry for e-government on a date (its predecessor before it took over)."""
        lead = self.agency(self.lead)
        for p in self.predecessors(self.lead):
            if self.agency(p).valid_at(day) and p != self.lead:
                return p
        return lead.code

    def owner(self, indicator: str, day: dt.date | None = None) -> str:
        """The owner agency of an indicator or EGDI component on a date (today by default)."""
        day = day or dt.date.today()
        if indicator in self.components:
            return self.components[indicator]["owner"]
        return self.successor_at(self.indicator(indicator).owner_at(day), day)[0]


def _read(name: str) -> tuple[str, Any]:
    import yaml

    text = (resources.files(__name__) / name).read_text(encoding="utf-8")
    try:
        return text, yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RegistryError(f"registry/{name}: not valid YAML: {exc}") from None


@cache
def load() -> Registry:
    """The packaged registry, validated."""
    texts, data = {}, {}
    for name in FILES:
        texts[name], data[name] = _read(name)
    digest = hashlib.sha256("".join(texts[n] for n in FILES).encode()).hexdigest()
    ind = data["indicators.yaml"]
    try:
        return Registry(
            agencies=data["agencies.yaml"]["agencies"],
            lead=data["agencies.yaml"]["lead"],
            report_addressees=tuple(data["agencies.yaml"].get("report_addressees", ())),
            indicators=ind["indicators"],
            recipients=ind["recipients"],
            components=ind["components"],
            targets=data["targets.yaml"]["targets"],
            calendar=data["calendar.yaml"],
            rules=data["rules.yaml"]["rules"],
            reconciliation=data["rules.yaml"]["reconciliation"],
            digest=digest,
        )
    except ValidationError as exc:
        lines = [
            f"{'.'.join(str(x) for x in e['loc'])}: {e['msg'].removeprefix('Value error, ')}" for e in exc.errors()
        ]
        raise RegistryError("registry: " + "\n  ".join(lines)) from None


class Owner(BaseModel):
    agency: str
    name: str
    name_vi: str


def owner(indicator: str) -> Owner | None:
    """The agency that owns an indicator or EGDI component today, or None when the registry does not name one."""
    reg = load()
    try:
        code = reg.owner(indicator)
    except KeyError:
        return None
    a = reg.agency(code)
    return Owner(agency=a.code, name=a.name, name_vi=a.name_vi)
