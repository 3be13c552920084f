"""Languages: Vietnamese by default, English available. Every UI string goes through the Babel catalogues in
``translations/<lang>/LC_MESSAGES/messages.po`` (compiled in memory when first used); numbers and dates follow the
locale (Vietnamese: "0,7709", dd/mm/yyyy)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache
from importlib import resources

LANGUAGES = ("vi", "en")
DEFAULT = "vi"


@cache
def catalogue(lang: str) -> dict[str, str]:
    from babel.messages.pofile import read_po

    path = resources.files("egovindex.translations") / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        cat = read_po(fh, locale=lang)
    return {m.id: m.string for m in cat if m.id and m.string}


def choose(query: str | None, cookie: str | None) -> str:
    """The language of a page: ``?lang=`` when it is one of ours, else the ``lang`` cookie, else Vietnamese. The
    one rule for the pages and for the cache that keeps them."""
    for lang in (query, cookie):
        if lang in LANGUAGES:
            return lang  # type: ignore[return-value]
    return DEFAULT


def gettext(lang: str) -> Callable[[str], str]:
    table = catalogue(lang if lang in LANGUAGES else DEFAULT)

    def _(text: str) -> str:
        return table.get(text, text)

    return _


def number(value: float | None, lang: str, digits: int = 4) -> str:
    """A number in the locale's notation: Vietnamese "1.234,5678", English "1,234.5678" (Babel's symbols for
    these locales; formatted directly, as a page of a few hundred numbers would wait on Babel's formatter)."""
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def date(value: dt.date | str, lang: str) -> str:
    from babel.dates import format_date

    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return format_date(value, "dd/MM/yyyy" if lang == "vi" else "d MMM yyyy", locale=lang)


def moment(value: dt.datetime | str | None, lang: str) -> str:
    """A date and time to the minute in the locale's notation (Vietnamese "02/12/2026 06:28"); "" for none."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return f"{date(value.date(), lang)} {value:%H:%M}"
