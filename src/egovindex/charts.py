"""Charts as SVG, rendered on the server with Altair and vl-convert, for the web pages and the reports.

Every chart has a title, axis titles with units, the source and a text description for screen readers
(``Chart.description``), all in the page's language (``lang``), numbers in the locale's notation. To assistive
technology the SVG is one image named by its title: Vega's own ARIA labels (generated in English) are removed.
Rendering is cached: the same data give the same SVG.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import Any

SOURCE = "UN E-Government Survey (UN DESA), editions 2003-2024"
NUMBERS = {  # d3-format locales of the page languages (Babel's symbols: Vietnamese "1.234,5")
    "vi": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", ""]},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", ""]},
}
_ARIA = re.compile(r'\s(?:role|aria-[a-z]+)="[^"]*"')


@dataclass(frozen=True)
class Chart:
    svg: str
    description: str


@lru_cache(maxsize=256)
def _render(spec_json: str) -> str:
    import vl_convert as vlc

    spec = json.loads(spec_json)
    return _one_image(vlc.vegalite_to_svg(spec), spec["title"]["text"])


def _one_image(svg: str, title: str) -> str:
    """The SVG as one image named by its title (``role="img"`` and ``<title>``), without Vega's ARIA labels."""
    svg = _ARIA.sub("", svg)
    start = svg.index("<svg")
    end = svg.index(">", start)
    return f'{svg[:end]} role="img">' + f"<title>{escape(title, quote=False)}</title>" + svg[end + 1 :]


def render(spec: dict[str, Any], description: str) -> Chart:
    return Chart(_render(json.dumps(spec, sort_keys=True, default=str)), description)


def source(lang: str) -> str:
    """The charts' source line in ``lang``."""
    from egovindex.translations import gettext

    return gettext(lang)(SOURCE)


def _base(title: str, subtitle: str, lang: str, source_text: str | None = None) -> dict[str, Any]:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": title, "subtitle": [subtitle, source_text or source(lang)], "anchor": "start"},
        "width": 560,
        "height": 240,
        "config": {
            "font": "DejaVu Sans",
            "view": {"stroke": None},
            "locale": {"number": NUMBERS.get(lang, NUMBERS["en"])},
        },
    }


def rank_trend(
    rows: list[dict[str, Any]],
    *,
    title: str,
    rank_label: str,
    edition_label: str,
    description: str,
    lang: str = "en",
) -> Chart:
    """Rank by edition (1 at the top), one line per country."""
    spec = _base(title, rank_label, lang)
    spec.update(
        {
            "data": {"values": rows},
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": {"field": "edition", "type": "ordinal", "title": edition_label},
                "y": {
                    "field": "rank",
                    "type": "quantitative",
                    "scale": {"reverse": True, "zero": False},
                    "title": rank_label,
                },
                "color": {"field": "country", "type": "nominal", "title": None},
            },
        }
    )
    return render(spec, description)


def monthly_shares(
    rows: list[dict[str, Any]],
    *,
    title: str,
    value_label: str,
    month_label: str,
    description: str,
    source_text: str,
    lang: str = "en",
) -> Chart:
    """Shares in percent by month (``month`` as ``2026-07``), one line per ``series``; 0 to 100 on the axis."""
    spec = _base(title, value_label, lang, source_text)
    spec.update(
        {
            "data": {"values": rows},
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": {"field": "month", "type": "ordinal", "title": month_label},
                "y": {"field": "percent", "type": "quantitative", "scale": {"domain": [0, 100]}, "title": value_label},
                "color": {"field": "series", "type": "nominal", "title": None},
            },
        }
    )
    return render(spec, description)


def unit_scores(
    rows: list[dict[str, Any]], *, title: str, label: str, description: str, source_text: str, lang: str = "en"
) -> Chart:
    """Horizontal bars: each unit's score (``unit``, ``score``), highest first."""
    spec = _base(title, label, lang, source_text)
    spec.update(
        {
            "height": max(120, 18 * len(rows)),
            "data": {"values": rows},
            "mark": "bar",
            "encoding": {
                "y": {"field": "unit", "type": "nominal", "sort": "-x", "title": None},
                "x": {"field": "score", "type": "quantitative", "title": label},
            },
        }
    )
    return render(spec, description)


def components(
    rows: list[dict[str, Any]], *, title: str, value_label: str, description: str, lang: str = "en"
) -> Chart:
    """Grouped bars: each country's OSI, TII, HCI and EGDI in one edition (values 0-1)."""
    spec = _base(title, value_label, lang)
    spec.update(
        {
            "data": {"values": rows},
            "mark": "bar",
            "encoding": {
                "x": {"field": "component", "type": "nominal", "title": None, "sort": ["EGDI", "OSI", "TII", "HCI"]},
                "xOffset": {"field": "country", "type": "nominal"},
                "y": {"field": "value", "type": "quantitative", "scale": {"domain": [0, 1]}, "title": value_label},
                "color": {"field": "country", "type": "nominal", "title": None},
            },
        }
    )
    return render(spec, description)


def rank_bands(rows: list[dict[str, Any]], *, title: str, rank_label: str, description: str, lang: str = "en") -> Chart:
    """Each country's median rank (point) and 5-95% interval (bar) under uncertain weights, method and data."""
    spec = _base(title, rank_label, lang)
    order = [r["country"] for r in sorted(rows, key=lambda r: r["median"])]
    spec.update(
        {
            "height": max(120, 22 * len(rows)),
            "data": {"values": rows},
            "layer": [
                {
                    "mark": {"type": "rule", "strokeWidth": 3, "opacity": 0.6},
                    "encoding": {
                        "y": {"field": "country", "type": "nominal", "sort": order, "title": None},
                        "x": {"field": "p05", "type": "quantitative", "title": rank_label, "scale": {"zero": False}},
                        "x2": {"field": "p95"},
                    },
                },
                {
                    "mark": {"type": "point", "filled": True, "size": 60},
                    "encoding": {
                        "y": {"field": "country", "type": "nominal", "sort": order},
                        "x": {"field": "median", "type": "quantitative"},
                        "color": {"field": "highlight", "type": "nominal", "legend": None},
                    },
                },
            ],
        }
    )
    return render(spec, description)


def target_gaps(rows: list[dict[str, Any]], *, title: str, label: str, description: str, lang: str = "en") -> Chart:
    """Current rank against each rank target (bars: places still to gain)."""
    spec = _base(title, label, lang)
    spec.update(
        {
            "height": max(100, 28 * len(rows)),
            "data": {"values": rows},
            "mark": "bar",
            "encoding": {
                "y": {"field": "target", "type": "nominal", "title": None, "sort": None},
                "x": {"field": "gap", "type": "quantitative", "title": label},
                "color": {"field": "status", "type": "nominal", "title": None},
            },
        }
    )
    return render(spec, description)


def digest(chart: Chart) -> str:
    return hashlib.sha256(chart.svg.encode()).hexdigest()[:16]
