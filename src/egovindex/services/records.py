"""The records, by the names that are the contract (docs/services.md): the dossier and the service catalogue,
their Parquet schemas, and the agency codes as the registry maps them to their successors."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

CHANNELS = ("online", "counter", "post")
LEVELS = ("central", "province", "district", "commune")
FORMS = ("full_online", "partial_online", "offline")
LEVEL_TO_FORM = {4: "full_online", 3: "partial_online", 2: "offline", 1: "offline"}  # catalogues before 2023
FLAGS = ("fee_required", "paid_online", "digitised", "e_result", "synced")

DOSSIER = (
    "dossier_id",
    "agency_code",
    "procedure_code",
    "channel",
    "received_at",
    "due_at",
    "completed_at",
    *FLAGS,
    "rating",
)
CATALOGUE = ("procedure_code", "agency_code", "unit_level", "service_form", "fee_required", "valid_from", "valid_to")


def dossier_schema() -> Any:
    import pyarrow as pa

    stamp = pa.timestamp("s")  # local time of Viet Nam, without a zone
    return pa.schema(
        [
            ("dossier_id", pa.string()),
            ("agency_code", pa.string()),
            ("procedure_code", pa.string()),
            ("channel", pa.string()),
            ("received_at", stamp),
            ("due_at", stamp),
            ("completed_at", stamp),
            *[(flag, pa.bool_()) for flag in FLAGS],
            ("rating", pa.int8()),
        ]
    )


def catalogue_schema() -> Any:
    import pyarrow as pa

    return pa.schema(
        [
            ("procedure_code", pa.string()),
            ("agency_code", pa.string()),
            ("unit_level", pa.string()),
            ("service_form", pa.string()),
            ("fee_required", pa.bool_()),
            ("valid_from", pa.date32()),
            ("valid_to", pa.date32()),
        ]
    )


@cache
def successors(day: dt.date | None = None) -> dict[str, str]:
    """Every registry agency code and the agency that carries it on ``day`` (default: today): itself while it
    exists, its successor after a merger (the 2025 reform: 63 provinces into 34, ministries merged). A code that
    split into several keeps itself."""
    from egovindex import registry

    reg = registry.load()
    day = day or dt.date.today()
    out = {}
    for agency in reg.agencies:
        carried = reg.successor_at(agency.code, day)
        out[agency.code] = carried[0] if len(carried) == 1 else agency.code
    return out
