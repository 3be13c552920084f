"""Parameters shared by the routes, with the bounds that keep bad values out before any code sees them: a
record's id fits the database's 64-bit integers (a larger one is a 422, never an overflow deep in a driver)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

MAX_ID = 2**63 - 1

RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="a record's id")]
OlderThan = Annotated[int | None, Query(ge=1, le=MAX_ID, description="show entries before this id")]
