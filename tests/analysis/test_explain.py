import datetime as dt
from fractions import Fraction

import pytest

from egovindex.analysis.explain import explain
from egovindex.analysis.state import AnalysisError
from egovindex.domain import Edition, EditionRow, SourceFile
from egovindex.survey.egdi import check

PAIRS = [(2014, 2016), (2016, 2018), (2018, 2020), (2020, 2022), (2022, 2024)]


def _edition(year: int, rows: list[tuple[str, float, float, float, int]]) -> Edition:
    src = SourceFile("hand", "0" * 64, 0, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "text/csv")
    return Edition(
        year,
        tuple(
            EditionRow(k, iso3, iso3, rank, (o + t + h) / 3, o, t, h, None, None, True, None)
            for k, (iso3, o, t, h, rank) in enumerate(rows, start=2)
        ),
        src,
        5,
    )


def test_hand_computed_case() -> None:
    a = _edition(2014, [("AAA", 0.6, 0.6, 0.6, 1), ("XXX", 0.5, 0.5, 0.5, 2), ("BBB", 0.4, 0.4, 0.4, 3)])
    b = _edition(2016, [("AAA", 0.7, 0.7, 0.7, 1), ("BBB", 0.65, 0.65, 0.65, 2), ("XXX", 0.8, 0.5, 0.5, 3)])
    x = explain(a, b, "XXX")
    # R(none)=2, R(osi)=1 (tie with AAA at 0.6), R(others)=3, R(osi, others)=3
    assert x.parts == {
        "own_osi": Fraction(-1, 2),
        "own_tii": 0,
        "own_hci": 0,
        "others": Fraction(3, 2),
        "published_ties": 0,
    }
    assert x.overtaken_by == ["BBB"]


@pytest.mark.parametrize(("year_from", "year_to"), PAIRS)
def test_parts_add_up_exactly_for_every_country(editions: dict, year_from: int, year_to: int) -> None:
    a, b = editions[year_from], editions[year_to]
    mismatched = {m.iso3 for ed in (a, b) for m in check(ed).rank_mismatches}
    common = sorted({r.iso3 for r in a.assessed()} & {r.iso3 for r in b.assessed()})
    assert len(common) == 193
    for iso3 in common:
        x = explain(a, b, iso3)
        assert sum(x.parts.values()) == x.rank_to - x.rank_from, iso3
        assert x.rank_from == a.row(iso3).rank and x.rank_to == b.row(iso3).rank
        if x.parts["published_ties"] != 0:
            assert iso3 in mismatched, iso3  # only countries tied at the published precision


def test_method_is_a_factor_when_weights_change(editions: dict) -> None:
    x = explain(editions[2005], editions[2008], "VNM")
    assert "method" in x.parts
    assert sum(x.parts.values()) == 91 - 105


def test_viet_nam_2022_to_2024(editions: dict) -> None:
    d = explain(editions[2022], editions[2024], "VNM").to_dict()
    assert (d["rank_from"], d["rank_to"]) == (86, 71)
    assert d["parts"]["own_tii"] < d["parts"]["own_osi"] < 0 and d["parts"]["others"] > 0
    assert sum(d["parts"].values()) == pytest.approx(-15, abs=1e-9)


def test_wrong_order_is_refused(editions: dict) -> None:
    with pytest.raises(AnalysisError, match="must come before"):
        explain(editions[2024], editions[2022], "VNM")
