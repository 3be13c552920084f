"""Charts as SVG, rendered on the server with Altair and vl-convert, for the web pages and the reports.

Every chart has a title, axis titles with units, the source and a text description for screen readers
(``Chart.description``). Rendering is cached: the same data give the same SVG.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

SOURCE = "UN E-Government Survey (UN DESA), editions 2003-2024"


@dataclass(frozen=True)
class Chart:
    svg: str
    description: str


@lru_cache(maxsize=256)
def _render(spec_json: str) -> str:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(json.loads(spec_json))


def render(spec: dict[str, Any], description: str) -> Chart:
    return Chart(_render(json.dumps(spec, sort_keys=True, default=str)), description)


def _base(title: str, subtitle: str) -> dict[str, Any]:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": title, "subtitle": [subtitle, SOURCE], "anchor": "start"},
        "width": 560,
        "height": 240,
        "config": {"font": "DejaVu Sans", "view": {"stroke": None}},
    }


def rank_trend(
    rows: list[dict[str, Any]], *, title: str, rank_label: str, edition_label: str, description: str
) -> Chart:
    """Rank by edition (1 at the top), one line per country."""
    spec = _base(title, rank_label)
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


def components(rows: list[dict[str, Any]], *, title: str, value_label: str, description: str) -> Chart:
    """Grouped bars: each country's OSI, TII, HCI and EGDI in one edition (values 0-1)."""
    spec = _base(title, value_label)
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


def rank_bands(rows: list[dict[str, Any]], *, title: str, rank_label: str, description: str) -> Chart:
    """Each country's median rank (point) and 5-95% interval (bar) under uncertain weights, method and data."""
    spec = _base(title, rank_label)
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


def target_gaps(rows: list[dict[str, Any]], *, title: str, label: str, description: str) -> Chart:
    """Current rank against each rank target (bars: places still to gain)."""
    spec = _base(title, label)
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
