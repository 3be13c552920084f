"""Units of an assessment: registry agencies found by code or by their name as published tables spell it ("TP. Hồ
Chí Minh", "Thừa Thiên - Huế", "TP. Cần Thơ"). Names are compared without case, diacritics, punctuation and the
prefixes "Thành phố", "TP.", "Tỉnh"; what that does not settle is an alias in the registry (``aliases``)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from egovindex import registry

PREFIXES = ("thanh pho ", "tp ", "tinh ")


class UnitError(ValueError):
    pass


def key(name: str) -> str:
    """A name reduced to what identifies it: "TP. Hồ Chí Minh" and "Hồ Chí Minh" give "ho chi minh"."""
    text = unicodedata.normalize("NFD", name.lower()).replace("đ", "d")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = " ".join(re.sub(r"[-–.,()]", " ", text).split())
    for prefix in PREFIXES:
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def resolve(name: str, day: dt.date) -> str:
    """The registry code of the unit named ``name`` (a code, a name or an alias) that exists on ``day``."""
    reg = registry.load()
    text = name.strip()
    if text.upper() in {a.code for a in reg.agencies}:
        agency = reg.agency(text.upper())
        if not agency.valid_at(day):
            after = ", ".join(reg.successor_at(agency.code, day))
            raise UnitError(f"{name!r}: {agency.code} does not exist on {day.isoformat()} (its successor: {after})")
        return agency.code
    wanted = key(text)
    found = [
        a.code
        for a in reg.agencies_at(day)
        if wanted in {key(a.name_vi), key(a.name), *(key(alias) for alias in a.aliases)}
    ]
    if len(found) == 1:
        return found[0]
    if not found:
        raise UnitError(f"{name!r}: no agency of the registry on {day.isoformat()} has this code, name or alias")
    raise UnitError(f"{name!r}: more than one agency is named so on {day.isoformat()}: {', '.join(found)}")
