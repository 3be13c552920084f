"""Integrity of the figures: a correction reaches the release after a resolved discrepancy, a resolved value goes
through the same rules as a submitted one, approval needs a second person, and the ASEAN outlier rule runs
whichever door the values come through."""

import math

import pytest

from egovindex.collection import accounts, reconcile, workflow
from egovindex.collection.access import AuthorisationError, get_user
from egovindex.collection.accounts import add_user
from egovindex.collection.intake import Row
from egovindex.domain.periods import Period
from egovindex.store.collection import AuditEntry, Discrepancy
from egovindex.store.db import unit_of_work
from samples import EDU

Y = Period.parse("2025")


def _with(rows: list[Row], code: str, value: float) -> list[Row]:
    return [Row(r.indicator, value, "corrected") if r.indicator == code else r for r in rows]


def _submit(engine, user: str, agency: str, rows: list[Row], period: Period = Y) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as s:
        return workflow.submit(
            s, user=get_user(s, user), agency=agency, period=period, rows=rows, channel="json", name="api"
        )[0].id


@pytest.fixture
def world(engine):  # type: ignore[no-untyped-def]
    """BGDDT owns adult literacy, CTK contributes it: 96.1 against 95.0 opens a discrepancy; BGDDT's values are
    approved and released to UIS with literacy held out."""
    with unit_of_work(engine) as s:
        add_user(s, actor="setup", username="thong", agency="CTK", role="submitter")
    edu = _submit(engine, "an", "BGDDT", EDU)
    _submit(engine, "thong", "CTK", [Row("adult_literacy_pct", 95.0, "labour force survey")])
    with unit_of_work(engine) as s:
        workflow.approve(s, user=get_user(s, "binh"), submission_id=edu)
        did = reconcile.listing(s, period=Y, status="open")[0]["id"]
    return engine, did


def _resolve(engine, did: int, **how) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as s:
        reconcile.resolve(s, user=get_user(s, "binh"), discrepancy_id=did, reason="settled at the meeting", **how)


def _release_and_correct(engine, rows: list[Row]) -> workflow.ReleaseResult:  # type: ignore[no-untyped-def]
    """Release, open a correction, submit the corrected values, approve them, release again."""
    with unit_of_work(engine) as s:
        workflow.release(s, user=get_user(s, "hoa"), recipient="UIS", period=Y)
        workflow.open_correction(s, user=get_user(s, "hoa"), agency="BGDDT", period=Y, reason="literacy revised")
    sid = _submit(engine, "an", "BGDDT", rows)
    with unit_of_work(engine) as s:
        workflow.approve(s, user=get_user(s, "binh"), submission_id=sid)
        result = workflow.release(s, user=get_user(s, "hoa"), recipient="UIS", period=Y, reason="literacy revised")
        result.release.values  # noqa: B018 - loaded inside the transaction
        return result


def _released(result: workflow.ReleaseResult, code: str):  # type: ignore[no-untyped-def]
    return next((v for v in result.release.values if v.indicator_code == code), None)


# ------------------------------------------------------------------------- 1. a stale resolution
def test_stale_resolution_does_not_override_the_owners_correction(world) -> None:  # type: ignore[no-untyped-def]
    engine, did = world
    _resolve(engine, did, value=95.8)
    # the owner corrects its value to the contributor's: the disagreement is gone, the correction is released
    result = _release_and_correct(engine, _with(EDU, "adult_literacy_pct", 95.0))
    released = _released(result, "adult_literacy_pct")
    assert released is not None and released.value == 95.0
    assert released.basis == "submitted" and released.discrepancy_id is None
    with unit_of_work(engine) as s:
        assert s.get(Discrepancy, did).status == "superseded"


def test_a_resolution_naming_the_owners_value_carries_the_correction(world) -> None:  # type: ignore[no-untyped-def]
    engine, did = world
    _resolve(engine, did, choose="BGDDT")
    result = _release_and_correct(engine, _with(EDU, "adult_literacy_pct", 96.5))
    released = _released(result, "adult_literacy_pct")
    assert released is not None and released.value == 96.5 and released.basis == "reconciled"
    with unit_of_work(engine) as s:
        carried = s.get(Discrepancy, released.discrepancy_id)
        assert carried.id != did and carried.status == "resolved" and carried.resolution == "owner"
        assert carried.resolved_value == 96.5 and carried.owner_value == 96.5
        assert s.get(Discrepancy, did).status == "superseded"


def test_a_typed_resolution_is_reopened_by_a_correction(world) -> None:  # type: ignore[no-untyped-def]
    engine, did = world
    _resolve(engine, did, value=95.8)
    result = _release_and_correct(engine, _with(EDU, "adult_literacy_pct", 97.0))
    assert _released(result, "adult_literacy_pct") is None
    assert "adult_literacy_pct (open discrepancy between agencies)" in result.missing
    with unit_of_work(engine) as s:
        assert [(d["status"], d["owner_value"]) for d in reconcile.listing(s, period=Y)] == [
            ("superseded", 96.1),
            ("open", 97.0),
        ]


def test_a_new_version_of_the_contributor_reopens_the_resolution(world) -> None:  # type: ignore[no-untyped-def]
    engine, did = world
    _resolve(engine, did, choose="BGDDT")
    _submit(engine, "thong", "CTK", [Row("adult_literacy_pct", 94.0, "labour force survey, revised")])
    with unit_of_work(engine) as s:
        assert [d["status"] for d in reconcile.listing(s, period=Y)] == ["superseded", "open"]
        result = workflow.release(s, user=get_user(s, "hoa"), recipient="UIS", period=Y)
        assert "adult_literacy_pct" not in [v.indicator_code for v in result.release.values]


def test_the_release_says_which_value_and_why(world) -> None:  # type: ignore[no-untyped-def]
    engine, did = world
    _resolve(engine, did, choose="CTK")
    with unit_of_work(engine) as s:
        rel = workflow.release(s, user=get_user(s, "hoa"), recipient="UIS", period=Y).release
        basis = {v.indicator_code: (v.value, v.basis, v.discrepancy_id) for v in rel.values}
        entry = s.query(AuditEntry).filter(AuditEntry.action == "release.create").one()
    assert basis["adult_literacy_pct"] == (95.0, "reconciled", did)
    assert basis["mean_years_schooling"] == (8.4, "submitted", None)
    assert '"basis":"reconciled"' in entry.after and f'"discrepancy":{did}' in entry.after


# ------------------------------------------------------------------------- 2. a resolved value is validated
@pytest.mark.parametrize("value", [-5.0, math.nan, math.inf, 100.5, 1e308])
def test_a_resolved_value_is_validated(world, value: float) -> None:  # type: ignore[no-untyped-def]
    engine, did = world
    with unit_of_work(engine) as s, pytest.raises(workflow.RuleError, match="adult_literacy_pct"):
        reconcile.resolve(s, user=get_user(s, "binh"), discrepancy_id=did, value=value, reason="typed in")
    with unit_of_work(engine) as s:
        d = s.get(Discrepancy, did)
        assert d.status == "open" and d.resolved_value is None


# ------------------------------------------------------------------------- 3. four eyes
def test_an_approver_may_not_approve_their_own_submission(engine) -> None:  # type: ignore[no-untyped-def]
    rows = [
        Row("mobile_subs_per100", 140.5, "VNNIC"),
        Row("mobile_broadband_per100", 95.0, "VNNIC"),
        Row("fixed_broadband_per100", 24.8, "VNNIC"),
    ]
    sid = _submit(engine, "minh", "BKHCN", rows, Period.parse("2026Q4"))
    with unit_of_work(engine) as s, pytest.raises(AuthorisationError, match="second person"):
        workflow.approve(s, user=get_user(s, "minh"), submission_id=sid)
    with unit_of_work(engine) as s:  # an administrator allows it for BKHCN, and that is in the audit log
        accounts.set_self_approval(s, user=get_user(s, "admin"), agency="BKHCN", allow=True)
    with unit_of_work(engine) as s:
        assert workflow.approve(s, user=get_user(s, "minh"), submission_id=sid).status == "approved"
        actions = [e.action for e in s.query(AuditEntry).order_by(AuditEntry.id)]
        assert "agency.self_approval" in actions
        approval = s.query(AuditEntry).filter(AuditEntry.action == "submission.approve").one()
        assert "self_approval" in approval.after
    with unit_of_work(engine) as s, pytest.raises(AuthorisationError, match="an administrator"):
        accounts.set_self_approval(s, user=get_user(s, "hoa"), agency="BKHCN", allow=False)


# ------------------------------------------------------------------------- 14. one validation at every door
def test_the_asean_outlier_rule_runs_without_the_door_passing_peers(engine, store_env) -> None:  # type: ignore[no-untyped-def]
    rows = [Row("internet_users_pct", 3.0, "survey")]
    with unit_of_work(engine) as s:
        _, failures = workflow.submit(
            s, user=get_user(s, "lan"), agency="BKHCN", period=Y, rows=rows, channel="api", name="request"
        )
    assert "asean_outlier" in {f.rule for f in failures}


def test_comments_and_reasons_take_no_control_characters(world) -> None:  # type: ignore[no-untyped-def]
    engine, did = world
    with unit_of_work(engine) as s, pytest.raises(workflow.WorkflowError, match="control characters"):
        reconcile.comment(s, user=get_user(s, "thong"), discrepancy_id=did, text="LFS \x1b[2J revised")
    with unit_of_work(engine) as s:  # line breaks and tabs are text
        reconcile.comment(s, user=get_user(s, "thong"), discrepancy_id=did, text="LFS 2025\n\tcovers 15+")
