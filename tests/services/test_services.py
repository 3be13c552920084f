"""Dossier statistics on small fixtures whose every figure is computed by hand (docs/services.md), the rows that
ingestion refuses with their reasons, and what ingestion guarantees (nothing half-stored, nothing twice)."""

import csv
from pathlib import Path

import pytest

from egovindex.services import ingest, stats, warehouse
from services.hand import CATALOGUE, DOSSIERS, HEAD_C, HEAD_D
from services.hand import write as _write


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    _write(tmp_path / "records" / "catalogue.csv", HEAD_C, CATALOGUE)
    _write(tmp_path / "records" / "dossiers" / "part-0.csv", HEAD_D, DOSSIERS)
    return tmp_path / "records"


@pytest.fixture
def con(tmp_path: Path):  # type: ignore[no-untyped-def]
    connection = warehouse.connect(tmp_path / "services.duckdb")
    yield connection
    connection.close()


def test_every_statistic_of_a_quarter_as_computed_by_hand(folder: Path, con, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = ingest.ingest([folder], connection=con, rejects=tmp_path / "rejects.csv")
    assert (result.read, result.accepted, result.rejected, result.rejects) == (18, 18, 0, None)
    [nation] = stats.statistics(stats.Span.parse("2026Q3"), "national", connection=con)
    assert nation == {
        "period": "2026Q3", "received": 8, "online": 6, "online_share": 0.75, "full_online": 3,
        "full_online_share": 0.375, "on_time": 5, "on_time_rate": 0.625, "overdue_open": 2, "online_services": 5,
        "online_services_used": 4, "online_services_used_share": 0.8, "fee_dossiers": 4, "paid_online_share": 0.5,
        "digitised_share": 0.5, "e_result_share": 0.375, "sync_rate": 0.875, "rated": 3, "rated_share": 0.375,
        "mean_rating": 4.0,
    }  # fmt: skip
    agencies = {r["agency_code"]: r for r in stats.statistics(stats.Span.parse("2026Q3"), "agency", connection=con)}
    assert sorted(agencies) == ["BKHCN", "N08", "P01"]  # Hà Giang's dossiers are its successor's
    p01 = agencies["P01"]
    assert (p01["received"], p01["online_share"], p01["full_online_share"], p01["on_time_rate"]) == (5, 0.6, 0.2, 0.6)
    assert (p01["overdue_open"], p01["online_services"], p01["online_services_used_share"]) == (1, 3, 0.666667)
    assert (p01["paid_online_share"], p01["digitised_share"], p01["sync_rate"], p01["mean_rating"]) == (
        0.5,
        0.4,
        0.8,
        5.0,
    )
    n08 = agencies["N08"]
    assert (n08["received"], n08["fee_dossiers"], n08["paid_online_share"], n08["on_time_rate"]) == (1, 0, None, 1.0)
    ministry = agencies["BKHCN"]
    assert (ministry["full_online"], ministry["on_time"], ministry["overdue_open"], ministry["mean_rating"]) == (
        1,
        1,
        1,
        3.0,
    )
    levels = {r["unit_level"]: r for r in stats.statistics(stats.Span.parse("2026Q3"), "level", connection=con)}
    assert {k: (v["received"], v["online_services"], v["online_services_used"]) for k, v in levels.items()} == {
        "central": (2, 1, 1),
        "commune": (1, 0, 0),
        "province": (5, 4, 3),
    }
    [august] = stats.statistics(stats.Span.parse("2026-08"), "national", connection=con)
    assert (august["received"], august["on_time"], august["overdue_open"]) == (3, 2, 1)  # d6 open at the month's end
    [year] = stats.statistics(stats.Span.parse("2026"), "national", connection=con)
    assert year["received"] == 10


def test_a_period_without_dossiers_has_counts_of_zero_and_empty_shares(folder: Path, con, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ingest.ingest([folder], connection=con, rejects=tmp_path / "rejects.csv")
    [empty] = stats.statistics(stats.Span.parse("2019Q1"), "national", connection=con)
    assert empty["received"] == 0 and empty["online_share"] is None and empty["mean_rating"] is None
    assert empty["online_services"] == 0  # the catalogue rows start in 2020


def test_merged_agencies_keep_their_original_code(folder: Path, con, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ingest.ingest([folder], connection=con, rejects=tmp_path / "rejects.csv")
    assert con.execute("SELECT agency_code, agency_code_original FROM dossier WHERE dossier_id = 'd5'").fetchone() == (
        "N08",
        "P02",
    )


BAD = [
    ("", "P01", "PA", "online", "2026-07-05 08:00", "2026-07-10 17:00", "", 1, 1, 1, 1, 1, ""),
    ("d1", "P01", "PA", "online", "2026-07-05 08:00", "2026-07-10 17:00", "", 1, 1, 1, 1, 1, ""),  # stored before
    ("x1", "P01", "PA", "online", "2026-07-05 08:00", "2026-07-10 17:00", "", 1, 1, 1, 1, 1, ""),
    ("x1", "P01", "PA", "online", "2026-07-05 08:00", "2026-07-10 17:00", "", 1, 1, 1, 1, 1, ""),  # twice here
    ("x2", "ZZZ", "PA", "online", "2026-07-05 08:00", "2026-07-10 17:00", "", 1, 1, 1, 1, 1, ""),
    ("x3", "P01", "QQ", "online", "2026-07-05 08:00", "2026-07-10 17:00", "", 1, 1, 1, 1, 1, ""),
    ("x4", "P01", "PA", "email", "2026-07-05 08:00", "2026-07-10 17:00", "", 1, 1, 1, 1, 1, ""),
    ("x5", "P01", "PA", "online", "yesterday", "2026-07-10 17:00", "", 1, 1, 1, 1, 1, ""),
    ("x6", "P01", "PA", "online", "2026-07-05 08:00", "", "", 1, 1, 1, 1, 1, ""),
    ("x7", "P01", "PA", "online", "2026-07-05 08:00", "2026-07-10 17:00", "soon", 1, 1, 1, 1, 1, ""),
    ("x8", "P01", "PA", "online", "2026-07-05 08:00", "2026-07-01 17:00", "", 1, 1, 1, 1, 1, ""),
    ("x9", "P01", "PA", "online", "2026-07-05 08:00", "2026-07-10 17:00", "2026-07-04 08:00", 1, 1, 1, 1, 1, ""),
    ("x10", "P01", "PA", "online", "2026-07-05 08:00", "2026-07-10 17:00", "", "maybe", 1, 1, 1, 1, ""),
    ("x11", "P01", "PA", "online", "2026-07-05 08:00", "2026-07-10 17:00", "", 1, 1, 1, 1, 1, "7"),
    ("x12", "P01", "PA", "online", "2026-07-05 08:00", "2026-07-10 17:00", "", 1, 1, 1, 1, 1, "4"),  # good
]


def test_every_rejection_reason_with_counts_that_add_up(folder: Path, con, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ingest.ingest([folder], connection=con, rejects=tmp_path / "first.csv")
    bad = _write(tmp_path / "bad.csv", HEAD_D, BAD)
    result = ingest.ingest([bad], connection=con, rejects=tmp_path / "rejects.csv")
    [file] = result.files
    assert (file.read, file.accepted, file.rejected) == (15, 2, 13)  # x1 (first) and x12
    assert file.read == file.accepted + file.rejected
    assert file.reasons == {
        "dossier_id: missing": 1,
        "dossier_id: the same id was given before": 2,
        "agency_code: not an agency of the registry": 1,
        "procedure_code: not in the service catalogue": 1,
        "channel: not online, counter or post": 1,
        "received_at: missing or not a date and time": 1,
        "due_at: missing or not a date and time": 1,
        "completed_at: not a date and time": 1,
        "due_at: before received_at": 1,
        "completed_at: before received_at": 1,
        "fee_required: not true or false": 1,
        "rating: not a whole number from 1 to 5": 1,
    }
    lines = list(csv.reader((tmp_path / "rejects.csv").open(encoding="utf-8")))
    assert lines[0] == ["file", "row", "field", "reason"] and len(lines) == 14
    assert lines[1] == [str(bad), "2", "dossier_id", "missing"]  # line 2 of the file (line 1 is its header)


def test_the_same_file_twice_changes_nothing_and_a_failure_stores_nothing(folder: Path, con, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ingest.ingest([folder], connection=con, rejects=tmp_path / "r.csv")
    again = ingest.ingest([folder], connection=con, rejects=tmp_path / "r.csv")
    assert {f.status for f in again.files} == {"unchanged"}
    assert con.execute("SELECT count(*) FROM dossier").fetchone() == (10,)
    good = _write(tmp_path / "more" / "a.csv", HEAD_D, [BAD[-1]])
    broken = _write(tmp_path / "more" / "b.csv", HEAD_D[:-3], [row[:-3] for row in BAD[-1:]])  # columns missing
    with pytest.raises(ingest.IngestError, match="no column e_result, synced"):
        ingest.ingest([good, broken], connection=con, rejects=tmp_path / "r.csv")
    assert con.execute("SELECT count(*) FROM dossier").fetchone() == (10,)  # a.csv's row was rolled back too


def test_periods() -> None:
    assert stats.Span.parse("2026-12").end.isoformat() == "2027-01-01"
    assert stats.Span.parse("2026Q4").start.isoformat() == "2026-10-01"
    assert stats.Span.parse("2026q4").end.isoformat() == "2027-01-01"
    with pytest.raises(stats.PeriodError):
        stats.Span.parse("2026-13")
    with pytest.raises(stats.PeriodError):
        stats.Span.parse("Q3 2026")
    for outside in ("0000", "0000-01", "9999Q4", "1899"):  # no date there, or no dossier there
        with pytest.raises(stats.PeriodError, match="1990 to 2100"):
            stats.Span.parse(outside)


def test_the_services_that_received_no_online_dossier(folder: Path, con, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ingest.ingest([folder], connection=con, rejects=tmp_path / "r.csv")
    q3 = stats.Span.parse("2026Q3")
    assert [(g["agency_code"], g["procedure_code"]) for g in stats.gaps(q3, connection=con)] == [("P01", "PG")]
    assert stats.gaps(q3, "N08", connection=con) == []
    q4 = stats.gaps(stats.Span.parse("2026Q4"), connection=con)  # PF is offered from October; d9 used PA
    assert [(g["procedure_code"], g["dossiers_by_other_channels"]) for g in q4 if g["agency_code"] == "P01"] == [
        ("PB", 0),
        ("PF", 0),
        ("PG", 0),
    ]


EXTRA = [
    ("e1", "P01", "PA", "online", "2026-04-02 09:00:00", "2026-04-05 17:00", "2026-04-02 09:02:00", 1, 1, 1, 1, 1, ""),
    *[
        (
            f"e{i}",
            "P01",
            "PA",
            "counter",
            "2026-05-05 10:00:00",
            "2026-05-10 17:00",
            "2026-05-06 10:00",
            1,
            0,
            0,
            0,
            1,
            "",
        )
        for i in range(2, 13)
    ],
    ("e13", "P01", "PB", "online", "2026-05-20 09:00", "2026-05-25 17:00", "", 0, 0, 0, 0, 1, "5"),
]


def test_what_a_reviewer_should_look_at(folder: Path, con, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ingest.ingest([folder, _write(tmp_path / "extra.csv", HEAD_D, EXTRA)], connection=con, rejects=tmp_path / "r.csv")
    flags = {
        (f["agency_code"], f["flag"]): (f["dossiers"], f["share"])
        for f in stats.integrity(stats.Span.parse("2026Q2"), connection=con)
    }
    assert flags == {  # P01 received 14 dossiers in the quarter: d8 and the 13 above
        ("P01", "completed_within_minutes"): (1, 0.071429),
        ("P01", "bulk_timestamps"): (11, 0.785714),
        ("P01", "rated_while_open"): (1, 0.071429),
        ("P01", "last_days_burst"): (1, 0.071429),  # d8, on 30 June
    }
    q3 = {
        (f["agency_code"], f["flag"]): f["dossiers"]
        for f in stats.integrity(stats.Span.parse("2026Q3"), connection=con)
    }
    assert q3[("P01", "online_of_offline_service")] == 1  # d4: online, but PC is an offline service
    behind = stats.flagged(stats.Span.parse("2026Q2"), connection=con)
    assert len(behind) == 14 and {"dossier_id": "e13", "agency_code": "P01", "flags": "rated_while_open"} in behind
