"""The monthly partials, per month of receipt, agency, procedure, channel, the month of completion and of the due
date, and whether the dossier was completed by its due date, with the counts every statistic is read from
(``stats.STATISTICS``). Written once in SQL that DuckDB and Spark both run; kept up to date by ingestion."""

from __future__ import annotations

from typing import Any

PARTIAL = """
SELECT make_date(year(d.received_at), month(d.received_at), 1) AS month, d.agency_code, d.procedure_code,
    coalesce(c.unit_level, 'unknown') AS unit_level, c.service_form, d.channel,
    make_date(year(d.completed_at), month(d.completed_at), 1) AS completed_month,
    make_date(year(d.due_at), month(d.due_at), 1) AS due_month,
    d.completed_at <= d.due_at AS in_time,
    count(*) AS dossiers,
    count(*) FILTER (WHERE d.fee_required) AS fee,
    count(*) FILTER (WHERE d.fee_required AND d.paid_online) AS paid,
    count(*) FILTER (WHERE d.digitised) AS digitised,
    count(*) FILTER (WHERE d.e_result) AS e_result,
    count(*) FILTER (WHERE d.synced) AS synced,
    count(d.rating) AS rated,
    coalesce(sum(d.rating), 0) AS rating_sum,
    count(*) FILTER (WHERE d.rating <= 2) AS dissatisfied
FROM dossier d
LEFT JOIN catalogue c ON c.procedure_code = d.procedure_code AND c.agency_code = d.agency_code
    AND c.valid_from <= d.received_at::DATE AND (c.valid_to IS NULL OR d.received_at::DATE <= c.valid_to)
WHERE {where}
GROUP BY ALL
"""


def refresh_partials(con: Any, months: str | None = None) -> None:
    """Recompute the partials of the months of receipt that ``months`` (SQL giving a column ``month``) names, or of
    every month; in the caller's transaction."""
    if months is None:
        con.execute("DELETE FROM partial")
        con.execute("INSERT INTO partial " + PARTIAL.format(where="true"))
        return
    con.execute(f"CREATE OR REPLACE TEMP TABLE touched AS SELECT DISTINCT month FROM ({months})")
    con.execute("DELETE FROM partial WHERE month IN (SELECT month FROM touched)")
    where = "make_date(year(d.received_at), month(d.received_at), 1) IN (SELECT month FROM touched)"
    con.execute("INSERT INTO partial " + PARTIAL.format(where=where))
