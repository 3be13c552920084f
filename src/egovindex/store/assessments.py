"""Tables of the assessments of ministries, government agencies and provinces (ICT application, DTI, the service
index 766): values of the nodes of a method's tree for a unit and a year. Never overwritten: a newer value of the
same unit, node and kind supersedes the older one, which stays (``superseded_by_id``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from egovindex.store.models import Base, _now

KINDS = ("record", "claimed", "adjusted")
"""``record``: a published or external value, with its source; ``claimed``: an agency's answer in its
self-assessment; ``adjusted``: the lead ministry's adjustment of a claimed value, with its reason."""


class AssessmentValue(Base):
    __tablename__ = "assessment_value"

    id: Mapped[int] = mapped_column(primary_key=True)
    method: Mapped[str] = mapped_column(String(40), index=True)
    method_version: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer, index=True)
    unit_code: Mapped[str] = mapped_column(String(20), index=True)
    node: Mapped[str] = mapped_column(String(60))
    value: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=_now)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("assessment_value.id"))
