"""Provenance: where an imported file came from."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class SourceFile:
    """Where an imported file came from: its path or URL, checksum, size and when it was read."""

    uri: str
    sha256: str
    size: int
    retrieved_at: dt.datetime
    media_type: str
    producer: str | None = None

    @classmethod
    def of_bytes(cls, uri: str, data: bytes, *, media_type: str, producer: str | None = None) -> SourceFile:
        return cls(
            uri=uri,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            retrieved_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
            media_type=media_type,
            producer=producer,
        )
