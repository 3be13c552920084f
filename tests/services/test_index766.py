"""The service index 766 from dossier records, on the hand-computed fixture (tests/services/hand.py): every
indicator the records determine, its points by the methodology's thresholds and rounding, group 2 (the only group
that records determine whole), and what is left undetermined."""

from pathlib import Path

import pytest

from egovindex.services import index766, ingest, stats, warehouse
from services.hand import CATALOGUE, DOSSIERS, HEAD_C, HEAD_D
from services.hand import write as _write


@pytest.fixture
def con(tmp_path: Path):  # type: ignore[no-untyped-def]
    _write(tmp_path / "records" / "catalogue.csv", HEAD_C, CATALOGUE)
    _write(tmp_path / "records" / "dossiers" / "part-0.csv", HEAD_D, DOSSIERS)
    connection = warehouse.connect(tmp_path / "services.duckdb")
    ingest.ingest([tmp_path / "records"], connection=connection)
    yield connection
    connection.close()


def _of(scored: index766.Scored, group: str) -> dict[str, tuple[float | None, float | None]]:
    key = stats.GROUP[scored.by] or "national"  # type: ignore[index]
    return {r["node"]: (r["ratio"], r["points"]) for r in scored.rows if r.get(key, "national") == group}


def test_the_indicators_of_a_province_by_hand(con) -> None:  # type: ignore[no-untyped-def]
    scored = index766.score(stats.Span.parse("2026Q3"), "agency", connection=con)
    assert (scored.method, scored.version) == ("service-index-766", "2022.1")
    p01 = _of(scored, "P01")
    # received d1 d2 d3 d4 d10; on time d1, d3 (open, due after the quarter), d10 (completed after it, due after)
    assert p01["2.1"] == (0.6, 12.0)  # 20 x 3/5
    assert p01["tien_do_ket_qua"] == (None, 12.0)  # group 2 is determined whole
    assert p01["1.4"] == (0.8, 4.8)  # synced 4 of 5
    assert p01["3.0"] == (0.5, 6.0)  # PA is full online: d1 online of its d1, d2
    assert p01["3.1"] == (0.75, None)  # PA, PB, PG online of 4 services (PF is offered from October): shown only
    assert p01["3.2"] == (0.666667, None)  # PA and PB used of 3
    assert p01["3.3"] == (0.48, None)  # 3/5 online x 0.8 synced
    assert p01["3.5b"] == (1.0, 2.0)  # PA bears a fee and has a dossier paid online
    assert p01["3.6"] == (0.5, 3.0)  # d1 of d1, d2 paid online
    assert p01["4.1"] == (0.2, 1.2)  # e-result d1
    assert p01["4.2"] == (0.4, 1.6)  # digitised d1, d3
    assert p01["5.4"] == (0.6, 4.0)  # 1 - 2/5 not on time; 6 x 0.6 / 0.9
    # the other groups need what agencies report: not determined, and so neither is the index nor its class
    assert p01["cong_khai_minh_bach"] == (None, None) and p01["service_index_766"] == (None, None)
    assert all(r["class"] is None for r in scored.rows)
    assert {"records_denominator", "result_required", "dissatisfied_rating"} <= set(scored.assumptions)


def test_a_ministry_whose_service_changed_form_mid_quarter(con) -> None:  # type: ignore[no-untyped-def]
    ministry = _of(index766.score(stats.Span.parse("2026Q3"), "agency", connection=con), "BKHCN")
    assert ministry["2.1"] == (0.5, 10.0)  # d7 on time; d6 open at the quarter's end past its due date
    assert ministry["3.0"] == (1.0, 12.0)  # d6 came while PE was full online; d7 after it became partial
    assert ministry["5.4"] == (0.5, 3.33)  # 6 x 0.5 / 0.9 = 3.333.. rounded to 2 decimals


def test_satisfaction_counts_low_ratings_and_an_empty_period_scores_zero() -> None:
    counts = {"received": 10, "on_time": 8, "dissatisfied": 1}
    assert index766.RATIOS["5.4"](counts) == pytest.approx(0.7)  # 1 - (2 + 1) / 10
    assert index766.RATIOS["5.4"]({"received": 0, "on_time": 0, "dissatisfied": 0}) == 0.0
    assert index766.RATIOS["5.4"]({"received": 2, "on_time": 0, "dissatisfied": 2}) == 0.0  # not below 0
    assert index766.RATIOS["2.1"]({"received": 0, "on_time": 0}) is None  # undetermined, as the portal's N/A


def test_the_nation_and_a_quarter_without_dossiers(con) -> None:  # type: ignore[no-untyped-def]
    nation = _of(index766.score(stats.Span.parse("2026Q3"), "national", connection=con), "national")
    assert nation["2.1"] == (0.625, 12.5)  # 5 of 8
    empty = index766.score(stats.Span.parse("2020Q1"), "national", connection=con)
    assert _of(empty, "national")["2.1"] == (None, None)


def test_an_empty_warehouse_gives_the_nation_a_row_of_nothing_determined(tmp_path: Path) -> None:
    connection = warehouse.connect(tmp_path / "empty.duckdb")
    nation = _of(index766.score(stats.Span.parse("2026Q3"), "national", connection=connection), "national")
    assert nation["2.1"] == (None, None) and nation["5.4"] == (0.0, 0.0)  # the source's rule for no dossier
    [row] = stats.statistics(stats.Span.parse("2026Q3"), "national", connection=connection)
    assert (row["received"], row["online_share"], row["mean_rating"]) == (0, None, None)
