"""The statistics read from the monthly partials equal a plain Python reading of the definitions over every dossier
of a generated sample, for months, quarters and years, per agency, level and nation, after ingestions in several
steps (the partials of the months each step touches are brought up to date)."""

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from egovindex.services import generate, ingest, stats, warehouse


def reference(folder: Path, span: stats.Span, by: str) -> dict[str, dict]:  # type: ignore[type-arg]
    """The definitions of docs/services.md, read literally, one dossier at a time."""
    catalogue = pq.read_table(folder / "catalogue.parquet").to_pylist()
    dossiers = [r for p in sorted((folder / "dossiers").glob("*.parquet")) for r in pq.read_table(p).to_pylist()]
    start = dt.datetime.combine(span.start, dt.time())
    end = dt.datetime.combine(span.end, dt.time())
    rows_of = defaultdict(list)
    for c in catalogue:
        rows_of[(c["agency_code"], c["procedure_code"])].append(c)

    def service(d: dict) -> dict | None:  # type: ignore[type-arg]
        day = d["received_at"].date()
        return next(
            (c for c in rows_of[(d["agency_code"], d["procedure_code"])]
             if c["valid_from"] <= day and (c["valid_to"] is None or day <= c["valid_to"])),
            None,
        )  # fmt: skip

    def group(agency: str, level: str) -> str:
        return {"agency": agency, "level": level, "national": "national"}[by]

    out: dict[str, dict] = defaultdict(lambda: defaultdict(int))  # type: ignore[type-arg]
    used = set()
    for d in dossiers:
        if not start <= d["received_at"] < end:
            continue
        c = service(d)
        g = out[group(d["agency_code"], c["unit_level"] if c else "unknown")]
        open_at_end = d["completed_at"] is None or d["completed_at"] >= end
        g["received"] += 1
        g["online"] += d["channel"] == "online"
        g["full_online"] += d["channel"] == "online" and c is not None and c["service_form"] == "full_online"
        g["on_time"] += (not open_at_end and d["completed_at"] <= d["due_at"]) or (open_at_end and d["due_at"] >= end)
        g["overdue_open"] += open_at_end and d["due_at"] < end
        g["fee_dossiers"] += d["fee_required"]
        g["paid"] += d["fee_required"] and d["paid_online"]
        g["rated"] += d["rating"] is not None
        g["rating_sum"] += d["rating"] or 0
        if d["channel"] == "online":
            used.add((d["agency_code"], d["procedure_code"]))
    offered = {}
    for c in catalogue:
        if (
            c["service_form"] != "offline"
            and c["valid_from"] < span.end
            and (c["valid_to"] is None or c["valid_to"] >= span.start)
        ):
            offered.setdefault((c["agency_code"], c["procedure_code"]), c["unit_level"])
    for (agency, procedure), level in offered.items():
        g = out[group(agency, level)]
        g["online_services"] += 1
        g["online_services_used"] += (agency, procedure) in used
    return out


@pytest.mark.parametrize(
    ("period", "by"), [("2026Q1", "agency"), ("2026-02", "national"), ("2026", "level"), ("2026Q4", "national")]
)
def test_partials_give_what_the_definitions_give(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, period: str, by: str
) -> None:
    monkeypatch.setattr(generate, "CHUNK", 3_000)
    folder = tmp_path / "records"
    generate.generate(9_000, 2026, 11, folder)
    con = warehouse.connect(tmp_path / "s.duckdb")
    parts = sorted((folder / "dossiers").glob("*.parquet"))
    ingest.ingest([folder / "catalogue.parquet", parts[0]], connection=con, rejects=tmp_path / "r.csv")
    ingest.ingest(parts[1:], connection=con, rejects=tmp_path / "r.csv")  # a second step: its months refreshed
    span = stats.Span.parse(period)
    expected = reference(folder, span, by)
    got = {
        r.get(stats.GROUP[by] or "", "national") if stats.GROUP[by] else "national": r
        for r in stats.statistics(span, by, connection=con)
    }  # type: ignore[arg-type]
    assert sorted(got) == sorted(expected)
    for key, e in expected.items():
        g = got[key]
        for column in ("received", "online", "full_online", "on_time", "overdue_open", "fee_dossiers", "rated",
                       "online_services", "online_services_used"):  # fmt: skip
            assert g[column] == e[column], (key, column)
        assert g["paid_online_share"] == (round(e["paid"] / e["fee_dossiers"], 6) if e["fee_dossiers"] else None)
        assert g["mean_rating"] == (round(e["rating_sum"] / e["rated"], 6) if e["rated"] else None)
    con.close()
