"""The statistics of online public services for a month, a quarter or a year, per agency, per unit level or for
the nation, written once in SQL over the warehouse (docs/services.md gives each definition).

A dossier belongs to the period in which it was received. Its service's form and unit level are those of the
catalogue row of its agency and procedure valid on the day of receipt. Every share is the exact ratio of two counts,
given with 6 decimals, and empty when the denominator is 0.

The statistics are read from the monthly partials (``partials.PARTIAL``), which ingestion keeps up to date. Every
period is whole months, and "at the period's end" compares a date with the first instant of a month, which the
month of that date decides exactly; so the partials give the same numbers as the dossiers,
without reading them again.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

By = Literal["agency", "level", "national"]
GROUP = {"agency": "agency_code", "level": "unit_level", "national": None}
COUNTS = (
    "received",
    "online",
    "full_online",
    "on_time",
    "overdue_open",
    "online_services",
    "online_services_used",
    "fee_dossiers",
    "rated",
)
COLUMNS = (
    "received",
    "online",
    "online_share",
    "full_online",
    "full_online_share",
    "on_time",
    "on_time_rate",
    "overdue_open",
    "online_services",
    "online_services_used",
    "online_services_used_share",
    "fee_dossiers",
    "paid_online_share",
    "digitised_share",
    "e_result_share",
    "sync_rate",
    "rated",
    "rated_share",
    "mean_rating",
)
DECIMALS = 6


FIRST_YEAR, LAST_YEAR = 1990, 2100  # the years a dossier record can be of


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Span:
    """A month (``2026-07``), a quarter (``2026Q3``) or a year (``2026``): its first day and the day after it."""

    label: str
    start: dt.date
    end: dt.date  # the first day after the period

    def literals(self) -> dict[str, str]:
        """The period's bounds as SQL literals that DuckDB and Spark read alike."""
        return {
            "start": f"DATE '{self.start.isoformat()}'",
            "end": f"DATE '{self.end.isoformat()}'",
            "start_ts": f"TIMESTAMP '{self.start.isoformat()} 00:00:00'",
            "end_ts": f"TIMESTAMP '{self.end.isoformat()} 00:00:00'",
        }

    @classmethod
    def parse(cls, text: str) -> Span:
        text = text.strip()
        year = int(text[:4]) if text[:4].isdigit() else None
        if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
            raise PeriodError(f"{text!r}: the year is outside {FIRST_YEAR} to {LAST_YEAR}")
        if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
            year, month = int(m[1]), int(m[2])
            if not 1 <= month <= 12:
                raise PeriodError(f"{text!r}: month {month} is not 1 to 12")
            start = dt.date(year, month, 1)
            return cls(text, start, dt.date(year + (month == 12), month % 12 + 1, 1))
        if m := re.fullmatch(r"(\d{4})[Qq]([1-4])", text):
            year, quarter = int(m[1]), int(m[2])
            start = dt.date(year, 3 * quarter - 2, 1)
            return cls(f"{year}Q{quarter}", start, dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1))
        if re.fullmatch(r"\d{4}", text):
            year = int(text)
            return cls(text, dt.date(year, 1, 1), dt.date(year + 1, 1, 1))
        raise PeriodError(f"{text!r}: give a month (2026-07), a quarter (2026Q3) or a year (2026)")


def sql(by: By, span: Span) -> str:
    """The statistics of one period grouped ``by``: one query, every column, in the SQL that DuckDB and Spark both
    run (literal bounds, ``FILTER (WHERE ...)``, ``GROUP BY ALL``)."""
    group = GROUP[by]
    key = f"{group} AS grp" if group else "'national' AS grp"
    return STATISTICS.format(key=key, **span.literals())


STATISTICS = """
WITH p AS (
    SELECT *, completed_month IS NULL OR completed_month >= {end} AS open_at_end
    FROM partial WHERE month >= {start} AND month < {end}
), counted AS (
    SELECT {key},
        sum(dossiers) AS received,
        coalesce(sum(dossiers) FILTER (WHERE channel = 'online'), 0) AS online,
        coalesce(sum(dossiers) FILTER (WHERE channel = 'online' AND service_form = 'full_online'), 0) AS full_online,
        coalesce(sum(dossiers) FILTER (WHERE (NOT open_at_end AND in_time) OR (open_at_end AND due_month >= {end})),
            0) AS on_time,
        coalesce(sum(dossiers) FILTER (WHERE open_at_end AND due_month < {end}), 0) AS overdue_open,
        sum(fee) AS fee_dossiers, sum(paid) AS paid_online, sum(digitised) AS digitised,
        sum(e_result) AS e_result, sum(synced) AS synced, sum(rated) AS rated,
        sum(rating_sum) / nullif(sum(rated), 0) AS mean_rating,
        sum(dissatisfied) AS dissatisfied,
        coalesce(sum(dossiers) FILTER (WHERE service_form = 'full_online'), 0) AS full_online_service_dossiers
    FROM p GROUP BY ALL
), used AS (
    SELECT agency_code, procedure_code, bool_or(channel = 'online') AS online, bool_or(paid > 0) AS paid
    FROM p GROUP BY agency_code, procedure_code
), offered AS (
    SELECT c.agency_code, c.procedure_code, min(c.unit_level) AS unit_level,
        bool_or(c.service_form IN ('full_online', 'partial_online')) AS online,
        bool_or(c.fee_required) AS fee_required,
        coalesce(bool_or(u.online), false) AS used, coalesce(bool_or(u.paid), false) AS paid
    FROM catalogue c
    LEFT JOIN used u ON u.agency_code = c.agency_code AND u.procedure_code = c.procedure_code
    WHERE c.valid_from < {end} AND (c.valid_to IS NULL OR c.valid_to >= {start})
    GROUP BY c.agency_code, c.procedure_code
), services AS (
    SELECT {key}, count(*) FILTER (WHERE online) AS online_services,
        count(*) FILTER (WHERE online AND used) AS online_services_used,
        count(*) AS all_services,
        count(*) FILTER (WHERE fee_required) AS fee_services,
        count(*) FILTER (WHERE fee_required AND paid) AS fee_services_paid
    FROM offered GROUP BY ALL
)
SELECT coalesce(n.grp, s.grp) AS grp,
    coalesce(n.received, 0) AS received, coalesce(n.online, 0) AS online,
    coalesce(n.full_online, 0) AS full_online, coalesce(n.on_time, 0) AS on_time,
    coalesce(n.overdue_open, 0) AS overdue_open,
    coalesce(s.online_services, 0) AS online_services, coalesce(s.online_services_used, 0) AS online_services_used,
    coalesce(n.fee_dossiers, 0) AS fee_dossiers, coalesce(n.paid_online, 0) AS paid_online,
    coalesce(n.digitised, 0) AS digitised, coalesce(n.e_result, 0) AS e_result, coalesce(n.synced, 0) AS synced,
    coalesce(n.rated, 0) AS rated, n.mean_rating,
    coalesce(n.dissatisfied, 0) AS dissatisfied,
    coalesce(n.full_online_service_dossiers, 0) AS full_online_service_dossiers,
    coalesce(s.all_services, 0) AS all_services, coalesce(s.fee_services, 0) AS fee_services,
    coalesce(s.fee_services_paid, 0) AS fee_services_paid
FROM counted n FULL OUTER JOIN services s ON s.grp = n.grp
ORDER BY grp
"""


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, DECIMALS)


def run(query: str, *, connection: Any = None) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The column names and rows of a query, on DuckDB (a connection; the warehouse by default) or on Spark (a
    ``services.spark.Engine``), which run the same SQL."""
    from egovindex.services import warehouse

    con = connection or warehouse.connect(read_only=True)
    if hasattr(con, "run"):
        return con.run(query)  # type: ignore[no-any-return]
    rows = con.execute(query).fetchall()
    return [d[0] for d in con.description], rows


def counts(span: Span, by: By = "national", *, connection: Any = None) -> list[dict[str, Any]]:
    """The counts behind the statistics, one dict per group (``grp``): those of ``COUNTS``, the sums behind the
    shares, and the counts that the service index 766 also needs (``dissatisfied``: ratings of 1 or 2;
    ``full_online_service_dossiers``: dossiers of services whose form is full online, by any channel;
    ``all_services``, ``fee_services`` and ``fee_services_paid``: the catalogue's services valid in the period,
    those with a fee, and those of them with a dossier paid online)."""
    names, raw = run(sql(by, span), connection=connection)
    found = [dict(zip(names, values, strict=True)) for values in raw]
    if by == "national" and not found:  # the nation has a row even when nothing is recorded: counts of 0
        found.append({name: None if name == "mean_rating" else ("national" if name == "grp" else 0) for name in names})
    return found


def statistics(span: Span, by: By = "national", *, connection: Any = None) -> list[dict[str, Any]]:
    """One row per group (agency, unit level, or the nation) with every column of docs/services.md;
    ``connection`` is a DuckDB connection (the warehouse by default) or a Spark engine."""
    out = []
    for r in counts(span, by, connection=connection):
        row: dict[str, Any] = {"period": span.label}
        if GROUP[by]:
            row[GROUP[by]] = r["grp"]
        row.update(
            received=r["received"],
            online=r["online"],
            online_share=_share(r["online"], r["received"]),
            full_online=r["full_online"],
            full_online_share=_share(r["full_online"], r["received"]),
            on_time=r["on_time"],
            on_time_rate=_share(r["on_time"], r["received"]),
            overdue_open=r["overdue_open"],
            online_services=r["online_services"],
            online_services_used=r["online_services_used"],
            online_services_used_share=_share(r["online_services_used"], r["online_services"]),
            fee_dossiers=r["fee_dossiers"],
            paid_online_share=_share(r["paid_online"], r["fee_dossiers"]),
            digitised_share=_share(r["digitised"], r["received"]),
            e_result_share=_share(r["e_result"], r["received"]),
            sync_rate=_share(r["synced"], r["received"]),
            rated=r["rated"],
            rated_share=_share(r["rated"], r["received"]),
            mean_rating=None if r["mean_rating"] is None else round(float(r["mean_rating"]), DECIMALS),
        )
        out.append(row)
    return out


def gaps(span: Span, agency: str | None = None, *, connection: Any = None) -> list[dict[str, Any]]:
    """The online services (full or partial online, valid during the period) that received no online dossier of
    their agency in the period, with the dossiers they did receive by other channels."""
    from egovindex.services import warehouse

    con = connection or warehouse.connect(read_only=True)
    rows = con.execute(
        """
        WITH d AS (
            SELECT agency_code, procedure_code, count(*) FILTER (WHERE channel = 'online') AS online,
                count(*) AS received
            FROM dossier WHERE received_at >= {start_ts} AND received_at < {end_ts} GROUP BY ALL
        ), offered AS (
            SELECT agency_code, procedure_code, min(unit_level) AS unit_level, max(service_form) AS service_form
            FROM catalogue
            WHERE service_form IN ('full_online', 'partial_online')
                AND valid_from < {end} AND (valid_to IS NULL OR valid_to >= {start})
                AND ($agency::VARCHAR IS NULL OR agency_code = $agency::VARCHAR)
            GROUP BY ALL
        )
        SELECT o.agency_code, o.procedure_code, o.unit_level, o.service_form, coalesce(d.received, 0) AS received
        FROM offered o LEFT JOIN d USING (agency_code, procedure_code)
        WHERE coalesce(d.online, 0) = 0
        ORDER BY o.agency_code, o.procedure_code
        """.format(**span.literals()),
        {"agency": agency},
    ).fetchall()
    keys = ("agency_code", "procedure_code", "unit_level", "service_form", "dossiers_by_other_channels")
    return [{"period": span.label, **dict(zip(keys, r, strict=True))} for r in rows]


INTEGRITY = {
    "completed_within_minutes": "completed within 5 minutes of receipt",
    "online_of_offline_service": "online dossiers of a service whose catalogue form is offline",
    "last_days_burst": "received in the period's last 3 days, beyond twice the period's daily mean",
    "bulk_timestamps": "received at the same second as 10 or more other dossiers of the agency",
    "rated_while_open": "rated but not completed",
}


def integrity_sql(span: Span) -> str:
    """Each dossier of the period with the flags it raises (columns named as ``INTEGRITY``)."""
    return """
    WITH d AS (
        SELECT d.dossier_id, d.agency_code, d.received_at, d.completed_at, d.channel, d.rating, c.service_form,
            count(*) OVER (PARTITION BY d.agency_code, d.received_at) AS same_second
        FROM dossier d
        LEFT JOIN catalogue c ON c.procedure_code = d.procedure_code AND c.agency_code = d.agency_code
            AND c.valid_from <= d.received_at::DATE AND (c.valid_to IS NULL OR d.received_at::DATE <= c.valid_to)
        WHERE d.received_at >= {start_ts} AND d.received_at < {end_ts}
    ), days AS (
        SELECT agency_code, count(*) / greatest(1, date_diff('day', {start}, {end})) AS daily,
            count(*) FILTER (WHERE received_at >= {end_ts} - INTERVAL 3 DAY) AS last_days
        FROM d GROUP BY agency_code
    )
    SELECT d.dossier_id, d.agency_code,
        d.completed_at IS NOT NULL AND d.completed_at < d.received_at + INTERVAL 5 MINUTE AS completed_within_minutes,
        d.channel = 'online' AND d.service_form = 'offline' AS online_of_offline_service,
        d.received_at >= {end_ts} - INTERVAL 3 DAY AND days.last_days > 2 * 3 * days.daily AS last_days_burst,
        d.same_second > 10 AS bulk_timestamps,
        d.rating IS NOT NULL AND d.completed_at IS NULL AS rated_while_open
    FROM d JOIN days USING (agency_code)
    """.format(**span.literals())


def integrity(span: Span, *, connection: Any = None) -> list[dict[str, Any]]:
    """Per agency, each flag of ``INTEGRITY`` that some of its dossiers raise: the count and the share of the
    agency's dossiers of the period (what a reviewer should look at, not a verdict)."""
    from egovindex.services import warehouse

    con = connection or warehouse.connect(read_only=True)
    sums = ", ".join(f"count(*) FILTER (WHERE {flag}) AS {flag}" for flag in INTEGRITY)
    rows = con.execute(
        f"SELECT agency_code, count(*) AS received, {sums} FROM ({integrity_sql(span)}) "
        "GROUP BY ALL ORDER BY agency_code",
    ).fetchall()
    out = []
    for agency, received, *counts in rows:
        for flag, count in zip(INTEGRITY, counts, strict=True):
            if count:
                out.append(
                    {
                        "period": span.label,
                        "agency_code": agency,
                        "flag": flag,
                        "dossiers": count,
                        "share": _share(count, received),
                        "meaning": INTEGRITY[flag],
                    }
                )
    return out


def flagged(span: Span, *, connection: Any = None) -> list[dict[str, Any]]:
    """The dossiers behind the flags: id, agency and the flags each raises."""
    from egovindex.services import warehouse

    con = connection or warehouse.connect(read_only=True)
    where = " OR ".join(INTEGRITY)
    rows = con.execute(
        f"SELECT * FROM ({integrity_sql(span)}) WHERE {where} ORDER BY agency_code, dossier_id",
    ).fetchall()
    return [
        {
            "dossier_id": r[0],
            "agency_code": r[1],
            "flags": " ".join(f for f, on in zip(INTEGRITY, r[2:], strict=True) if on),
        }
        for r in rows
    ]
