"""Releases out: SDMX-CSV and SDMX-ML (pysdmx) in the shipped data structure definition (collection/sdmx), checked
against it, and Excel in the layout of the recipient's questionnaire. Reading an SDMX file back gives the same
values."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from egovindex import registry
from egovindex.collection import sdmx

if TYPE_CHECKING:
    from egovindex.store.collection import Release


def _period(text: str) -> str:
    """SDMX time period: 2026-Q4 or 2026."""
    return text.replace("Q", "-Q") if "Q" in text else text


def _freq(text: str) -> str:
    """SDMX frequency of a period: Q for a quarter (2026Q4), A for a year."""
    return "Q" if "Q" in text else "A"


def frame(release: Release) -> Any:
    import pandas as pd

    reg = registry.load()
    return pd.DataFrame(
        [
            {
                "FREQ": _freq(release.period),
                "REF_AREA": "VN",
                "INDICATOR": v.indicator_code,
                "REPORTING_AGENCY": v.agency_code,
                "TIME_PERIOD": _period(release.period),
                "OBS_VALUE": v.value,
                "UNIT_MEASURE": sdmx.unit_code(v.unit),
                "MEASURE": reg.indicator(v.indicator_code).sdmx.get("measure", v.indicator_code),
            }
            for v in release.values
        ]
    )


def schema() -> Any:
    """The data structure of the shipped definition (collection/sdmx/structure.xml), its codelists resolved:
    dimensions FREQ, REF_AREA, INDICATOR, REPORTING_AGENCY, TIME_PERIOD; measure OBS_VALUE; attributes
    UNIT_MEASURE and MEASURE."""
    return sdmx.load().to_schema()


def to_xlsx(release: Release) -> bytes:
    """The recipient's questionnaire layout: one row per indicator with its name, unit, value and reporter."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from egovindex.collection.intake import escape_text

    reg = registry.load()
    book = Workbook()
    ws = book.active
    ws.title = f"{release.recipient} {release.period}"[:31]
    ws.append(
        [
            escape_text(
                f"Viet Nam — release {release.id} to {reg.recipients[release.recipient]['name']}, "
                f"period {release.period}"
            )
        ]
    )
    ws.append(
        [f"content hash {release.content_hash}", f"created {release.created_at:%d/%m/%Y} by {release.created_by}"]
    )
    ws.append([])
    ws.append(["indicator_code", "indicator", "unit", "value", "reporting_agency", "sdmx_measure"])
    for cell in ws[4]:
        cell.font = Font(bold=True)
    for v in release.values:
        ind = reg.indicator(v.indicator_code)
        ws.append(
            [
                v.indicator_code,
                escape_text(ind.name),
                escape_text(ind.unit),
                v.value,
                v.agency_code,
                ind.sdmx.get("measure", ""),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FORMATS = {"sdmx-csv": "DATA_SDMX_CSV_2_0_0", "sdmx-ml": "DATA_SDMX_ML_3_0"}


class StructureError(ValueError):
    """A dataset that does not conform to the data structure definition."""


def check(data: Any, structure: Any) -> None:
    """Check a data frame against the structure: every component present, required ones filled, one observation
    per key, numeric measure, SDMX time periods, coded values in their codelists. Raises StructureError listing
    every problem."""
    import re

    problems = []
    ids = [c.id for c in structure.components]
    problems += [f"missing component {c}" for c in ids if c not in data.columns]
    problems += [f"column {c} is not in the structure" for c in data.columns if c not in ids]
    for c in structure.components:
        if c.required and c.id in data.columns and data[c.id].isna().any():
            problems.append(f"required component {c.id} is empty in {int(data[c.id].isna().sum())} row(s)")
    dims = [c.id for c in structure.components.dimensions if c.id in data.columns]
    if data.duplicated(dims).any():
        problems.append(f"{int(data.duplicated(dims).sum())} observation(s) repeat a key ({', '.join(dims)})")
    if "OBS_VALUE" in data.columns:
        bad = [v for v in data["OBS_VALUE"] if not isinstance(v, int | float)]
        problems += [f"OBS_VALUE {v!r} is not a number" for v in bad]
    if "TIME_PERIOD" in data.columns:
        problems += [
            f"TIME_PERIOD {v!r} is not an SDMX period"
            for v in data["TIME_PERIOD"]
            if not re.fullmatch(r"\d{4}(-Q[1-4])?", str(v))
        ]
    problems += _uncoded(data, structure)
    if problems:
        raise StructureError("; ".join(problems))


def _uncoded(data: Any, structure: Any) -> list[str]:
    """Values of coded components that are not in their codelist."""
    problems = []
    for c in structure.components:
        if c.local_codes is None or c.id not in data.columns:
            continue
        codes = {code.id for code in c.local_codes.items}
        unknown = sorted({str(v) for v in data[c.id].dropna() if str(v) not in codes})
        problems += [f"{c.id} {v!r} is not in {c.local_codes.id}" for v in unknown]
    return problems


def header(release: Release) -> Any:
    """The SDMX-ML message header: the sender from the settings (EGOVINDEX_SDMX_SENDER), an id naming the release."""
    from pysdmx.model import Organisation
    from pysdmx.model.message import Header

    from egovindex.settings import get_settings

    return Header(id=f"EGOVINDEX_RELEASE_{release.id}", sender=Organisation(id=get_settings().sdmx_sender))


def to_sdmx(release: Release, fmt: str) -> str:
    """The release as SDMX-CSV 2.0 or SDMX-ML 3.0 in the shipped structure, checked against it first; the text
    ends with one newline."""
    from pysdmx.io import write_sdmx
    from pysdmx.io.format import Format
    from pysdmx.io.pd import PandasDataset

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}, xlsx")
    data, structure = frame(release), schema()
    check(data, structure)
    options = {"header": header(release)} if fmt == "sdmx-ml" else {}
    dataset = PandasDataset(structure=structure, data=data)
    text = write_sdmx([dataset], sdmx_format=getattr(Format, FORMATS[fmt]), **options) or ""
    return text.rstrip("\n") + "\n"


def read_sdmx_values(text: str) -> list[tuple[str, str, str, float]]:
    """(indicator, reporting agency, period, value) of every observation of an SDMX-CSV or SDMX-ML message."""
    from pysdmx.io import read_sdmx

    message = read_sdmx(text)
    out = []
    for dataset in message.data:
        for rec in dataset.data.to_dict("records"):
            out.append(
                (
                    str(rec["INDICATOR"]),
                    str(rec["REPORTING_AGENCY"]),
                    str(rec["TIME_PERIOD"]).replace("-Q", "Q"),
                    float(rec["OBS_VALUE"]),
                )
            )
    return sorted(out)
