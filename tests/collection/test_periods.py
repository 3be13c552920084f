"""Periods: what parses, what is refused with a clear PeriodError, and the dates of the edges of the range."""

import datetime as dt

import pytest

from egovindex.domain.periods import FIRST_YEAR, LAST_YEAR, Period, PeriodError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026Q4", Period(2026, 4)),
        ("2026q1", Period(2026, 1)),
        (" 2026 - Q2 ", Period(2026, 2)),
        ("2026", Period(2026)),
        (str(FIRST_YEAR), Period(FIRST_YEAR)),
        (f"{LAST_YEAR}Q4", Period(LAST_YEAR, 4)),
    ],
)
def test_periods_that_parse(text: str, expected: Period) -> None:
    assert Period.parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0000", "outside 1990-2100"),
        ("9999Q4", "outside 1990-2100"),
        ("1989", "outside 1990-2100"),
        ("2101Q1", "outside 1990-2100"),
        ("2026Q5", "quarter 5"),
        ("2026Q0", "quarter 0"),
        ("2026Q", "not a period"),
        ("Q4 2026", "not a period"),
        ("", "not a period"),
        ("26Q4", "not a period"),
        ("20260Q4", "not a period"),
        ("٢٠٢٦Q4", "not a period"),  # digits of another script
        ("2026Q4\n2027Q1", "not a period"),
    ],
)
def test_periods_that_are_refused(text: str, message: str) -> None:
    with pytest.raises(PeriodError, match=message):
        Period.parse(text)


def test_refusal_is_a_value_error_with_one_line() -> None:
    with pytest.raises(ValueError) as caught:
        Period.parse("2026Q4\n[bold]")
    assert "\n" not in str(caught.value)


def test_dates_at_the_edges_of_the_range() -> None:
    last = Period.parse(f"{LAST_YEAR}Q4")
    assert last.end == dt.date(LAST_YEAR, 12, 31) and last.start == dt.date(LAST_YEAR, 10, 1)
    assert Period.parse(str(FIRST_YEAR)).start == dt.date(FIRST_YEAR, 1, 1)
    assert str(Period.parse(f"{FIRST_YEAR}Q1").previous()) == f"{FIRST_YEAR - 1}Q4"  # arithmetic is not limited


def test_next_is_the_inverse_of_previous() -> None:
    for text in ("2026Q1", "2026Q4", "2025", "2025Q3"):
        p = Period.parse(text)
        assert p.next().previous() == p and p.previous().next() == p
    assert str(Period.parse("2026Q4").next()) == "2027Q1" and str(Period.parse("2026").next()) == "2027"
