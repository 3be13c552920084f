"""The national statistics that dossier records determine, as the collection workflow receives them: for a
quarter, ``share_services_level4``, ``share_services_l34`` and ``online_dossier_rate`` become a submission of
their owner agency (the registry's owner on the quarter's last day), with source "dossier records" and the counts
behind each value as its evidence. They are then validated, reconciled against typed-in values, approved and
released like any other submission.

The services are those of the catalogue valid on the period's last day (the state at the quarter's end), each
service of an agency counted once; the online dossier rate is the share of the period's dossiers received online.
Values are percentages with 4 decimals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from egovindex.services.stats import Span

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from egovindex.collection.rules import Failure
    from egovindex.domain.periods import Period
    from egovindex.store.collection import Submission, User

SOURCE = "dossier records"
CHANNEL = "dossiers"
DECIMALS = 4


@dataclass(frozen=True)
class Figure:
    indicator: str
    part: int
    whole: int
    what: str  # what is counted, for the evidence

    @property
    def value(self) -> float | None:
        return None if self.whole == 0 else round(100 * self.part / self.whole, DECIMALS)

    def evidence(self, span: Span) -> str:
        return f"{self.part:,} of {self.whole:,} {self.what}, {span.label} (egovindex services)"


def national(span: Span, *, connection: Any = None) -> list[Figure]:
    """The three figures of the period for the nation."""
    from egovindex.services import warehouse

    con = connection or warehouse.connect(read_only=True)
    last_day = span.end - dt.timedelta(days=1)
    full, l34, services = con.execute(
        """
        SELECT count(*) FILTER (service_form = 'full_online'),
            count(*) FILTER (service_form IN ('full_online', 'partial_online')), count(*)
        FROM (
            SELECT agency_code, procedure_code, arg_max(service_form, valid_from) AS service_form FROM catalogue
            WHERE valid_from <= $day AND (valid_to IS NULL OR valid_to >= $day) GROUP BY ALL
        )
        """,
        {"day": last_day},
    ).fetchone()
    from egovindex.services.stats import statistics

    [nation] = statistics(span, "national", connection=con)  # the online share's one definition
    online, received = nation["online"], nation["received"]
    at_end = f"services of the catalogue on {last_day.isoformat()}"
    return [
        Figure("share_services_level4", full, services, f"{at_end} full-process online"),
        Figure("share_services_l34", l34, services, f"{at_end} full or partial online"),
        Figure("online_dossier_rate", online, received, "dossiers received online"),
    ]


def submit(session: Session, *, user: User, period: Period, connection: Any = None) -> tuple[Submission, list[Failure]]:
    """The quarter's figures as a new version of their owner agency's submission, through ``workflow.submit``
    (authorised, validated, reconciled and audited there). A figure without dossiers or services is left out."""
    from egovindex import registry
    from egovindex.collection import workflow
    from egovindex.collection.intake import Row
    from egovindex.sources.files import InputError, Problem

    span = Span.parse(str(period))
    figures = [f for f in national(span, connection=connection) if f.value is not None]
    if not figures:
        raise InputError([Problem(SOURCE, None, None, f"no dossier records and no catalogue for {period}")])
    owners = {registry.load().indicator(f.indicator).owner_at(period.end) for f in figures}
    if len(owners) != 1:
        raise workflow.WorkflowError(f"the figures belong to several agencies ({', '.join(sorted(owners))})")
    rows = [
        Row(f.indicator, f.value, SOURCE, "computed from the dossier records", f.evidence(span), i + 1)  # type: ignore[arg-type]
        for i, f in enumerate(figures)
    ]
    return workflow.submit(
        session, user=user, agency=owners.pop(), period=period, rows=rows, channel=CHANNEL, name=SOURCE
    )
