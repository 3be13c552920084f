"""Reconciliation between the owner of a statistic and its contributors."""

import pytest

from egovindex.collection import reconcile, workflow
from egovindex.collection.access import AuthorisationError, get_user
from egovindex.collection.intake import Row
from egovindex.domain.periods import Period
from egovindex.store.db import unit_of_work
from samples import EDU

Y = Period.parse("2025")


def _submit(engine, user: str, agency: str, rows: list[Row]) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as s:
        return workflow.submit(
            s, user=get_user(s, user), agency=agency, period=Y, rows=rows, channel="json", name="api"
        )[0].id


@pytest.fixture
def contributors(engine):  # type: ignore[no-untyped-def]
    from egovindex.collection.accounts import add_user

    with unit_of_work(engine) as s:
        add_user(s, actor="setup", username="thong", agency="CTK", role="submitter")
        add_user(s, actor="setup", username="cuong", agency="CTK", role="approver")
    return engine


def test_disagreement_opens_and_resolution_is_released(contributors) -> None:  # type: ignore[no-untyped-def]
    engine = contributors
    edu = _submit(engine, "an", "BGDDT", EDU)
    _submit(
        engine,
        "thong",
        "CTK",
        [
            Row("adult_literacy_pct", 95.0, "labour force survey"),
            Row("mean_years_schooling", 8.41, "labour force survey"),
        ],
    )
    with unit_of_work(engine) as s:
        rows = reconcile.listing(s, period=Y)
    assert [
        (r["indicator"], r["owner"], r["owner_value"], r["other"], r["other_value"], r["status"]) for r in rows
    ] == [("adult_literacy_pct", "BGDDT", 96.1, "CTK", 95.0, "open")]  # 8.40 vs 8.41 is within the tolerance
    did = rows[0]["id"]
    with unit_of_work(engine) as s:
        workflow.approve(s, user=get_user(s, "binh"), submission_id=edu)
        lead = get_user(s, "hoa")
        result = workflow.release(s, user=lead, recipient="UIS", period=Y)
        assert "adult_literacy_pct (open discrepancy between agencies)" in result.missing
        assert "adult_literacy_pct" not in [v.indicator_code for v in result.release.values]
    with unit_of_work(engine) as s:
        reconcile.comment(s, user=get_user(s, "thong"), discrepancy_id=did, text="LFS 2025 covers ages 15+ too")
        with pytest.raises(AuthorisationError, match="only an approver of BGDDT"):
            reconcile.resolve(s, user=get_user(s, "cuong"), discrepancy_id=did, reason="x", choose="CTK")
        with pytest.raises(AuthorisationError, match="may not comment"):
            reconcile.comment(s, user=get_user(s, "thu"), discrepancy_id=did, text="?")
    with unit_of_work(engine) as s:
        with pytest.raises(workflow.WorkflowError, match="either the reconciled value or the agency"):
            reconcile.resolve(s, user=get_user(s, "binh"), discrepancy_id=did, reason="x")
        d = reconcile.resolve(
            s,
            user=get_user(s, "binh"),
            discrepancy_id=did,
            value=95.8,
            reason="census 2019 projected with the 2025 survey",
        )
        assert d.status == "resolved" and d.resolved_value == 95.8
    with unit_of_work(engine) as s:
        released = workflow.release(
            s,
            user=get_user(s, "hoa"),
            recipient="UIS",
            period=Y,
            reason="literacy reconciled between MOET and the statistics office",
        ).release
        values = {v.indicator_code: v.value for v in released.values}
        assert values["adult_literacy_pct"] == 95.8 and values["mean_years_schooling"] == 8.4


def test_agreeing_values_close_an_open_discrepancy(contributors) -> None:  # type: ignore[no-untyped-def]
    engine = contributors
    _submit(engine, "an", "BGDDT", EDU)
    _submit(engine, "thong", "CTK", [Row("adult_literacy_pct", 90.0, "LFS")])
    _submit(engine, "thong", "CTK", [Row("adult_literacy_pct", 96.0, "LFS revised")])
    with unit_of_work(engine) as s:
        assert [r["status"] for r in reconcile.listing(s, period=Y)] == ["agreed"]


def test_a_statistic_released_differently_to_two_recipients(contributors) -> None:  # type: ignore[no-untyped-def]
    engine = contributors
    sid = _submit(engine, "an", "BGDDT", EDU)
    with unit_of_work(engine) as s:
        workflow.approve(s, user=get_user(s, "binh"), submission_id=sid)
        workflow.release(s, user=get_user(s, "hoa"), recipient="UIS", period=Y)
        workflow.release(s, user=get_user(s, "hoa"), recipient="UNDP", period=Y)
        assert reconcile.recipients_disagree(s, period=Y) == []
    with unit_of_work(engine) as s:  # the UIS release is corrected, UNDP's is not
        workflow.open_correction(s, user=get_user(s, "hoa"), agency="BGDDT", period=Y, reason="EYS revised")
    sid2 = _submit(engine, "an", "BGDDT", [*EDU[:4], Row("expected_years_schooling", 13.2, "MOET"), EDU[5]])
    with unit_of_work(engine) as s:
        workflow.approve(s, user=get_user(s, "binh"), submission_id=sid2)
        workflow.release(s, user=get_user(s, "hoa"), recipient="UIS", period=Y, reason="expected years revised")
        rows = reconcile.recipients_disagree(s, period=Y)
    assert [(r["indicator"], {k: v["value"] for k, v in r["releases"].items()}) for r in rows] == [
        ("expected_years_schooling", {"UIS": 13.2, "UNDP": 13.0})
    ]


def test_comments_and_reasons_are_bounded_whichever_door(contributors) -> None:  # type: ignore[no-untyped-def]
    """A comment or a reason longer than MAX_TEXT characters is refused by the function itself (the CLI's door
    as much as the web's), with a message that says the limit."""
    engine = contributors
    _submit(engine, "an", "BGDDT", EDU)
    _submit(engine, "thong", "CTK", [Row("adult_literacy_pct", 95.0, "labour force survey")])
    long = "x" * (workflow.MAX_TEXT + 1)
    with unit_of_work(engine) as s:
        did = reconcile.listing(s, period=Y)[0]["id"]
        with pytest.raises(ValueError, match=f"the limit is {workflow.MAX_TEXT}"):
            reconcile.comment(s, user=get_user(s, "binh"), discrepancy_id=did, text=long)
        with pytest.raises(workflow.WorkflowError, match=f"the limit is {workflow.MAX_TEXT}"):
            reconcile.resolve(s, user=get_user(s, "binh"), discrepancy_id=did, reason=long, choose="BGDDT")
        reconcile.comment(s, user=get_user(s, "binh"), discrepancy_id=did, text="x" * workflow.MAX_TEXT)
