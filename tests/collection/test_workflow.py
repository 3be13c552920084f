"""The workflow end to end on SQLite: submit, validate, justify, approve, unapprove, release, audit, export."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from egovindex.collection import audit, export, workflow
from egovindex.collection.access import AuthorisationError, get_user
from egovindex.collection.intake import Row
from egovindex.domain.periods import Period
from egovindex.store.collection import Release, Submission
from egovindex.store.db import unit_of_work

Q3, Q4 = Period.parse("2026Q3"), Period.parse("2026Q4")
TELECOM = [
    Row("mobile_subs_per100", 140.5, "VNNIC", "operators' reports", "https://vnnic.vn", 7),
    Row("mobile_broadband_per100", 95.0, "VNNIC", row=8),
    Row("fixed_broadband_per100", 24.8, "VNNIC", row=9),
]
SERVICES = [
    Row("share_services_level4", 55.0, "National Public Service Portal"),
    Row("share_services_l34", 80.0, "National Public Service Portal"),
    Row("online_dossier_rate", 48.0, "National Public Service Portal"),
    Row("share_agencies_publishing_satisfaction", 70.0, "Government Office survey"),
]


def _submit(engine, user: str, agency: str, period: Period, rows: list[Row]):  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as s:
        sub, failures = workflow.submit(
            s, user=get_user(s, user), agency=agency, period=period, rows=rows, channel="json", name="test"
        )
        return sub.id, sub.status, failures


def test_submit_approve_release_and_export(engine) -> None:  # type: ignore[no-untyped-def]
    sid, status, _ = _submit(engine, "lan", "BKHCN", Q4, TELECOM)
    assert status == "validated"  # complete, no earlier values to jump from
    vid, _vstatus, _ = _submit(engine, "thu", "VPCP", Q4, SERVICES)
    with unit_of_work(engine) as s:
        workflow.approve(s, user=get_user(s, "minh"), submission_id=sid)
        workflow.approve(s, user=get_user(s, "quan"), submission_id=vid)
    with unit_of_work(engine) as s:
        result = workflow.release(s, user=get_user(s, "hoa"), recipient="ITU", period=Q4)
        rel = result.release
        assert result.created and [v.indicator_code for v in rel.values] == [
            "fixed_broadband_per100",
            "mobile_broadband_per100",
            "mobile_subs_per100",
        ]
        assert len(rel.content_hash) == 64 and s.get(Submission, sid).status == "released"
        again = workflow.release(s, user=get_user(s, "hoa"), recipient="ITU", period=Q4)
        assert not again.created and again.release.id == rel.id
        csv_text = export.to_sdmx(rel, "sdmx-csv")
        xml_text = export.to_sdmx(rel, "sdmx-ml")
        expected = sorted((v.indicator_code, v.agency_code, "2026Q4", v.value) for v in rel.values)
        assert export.read_sdmx_values(csv_text) == expected == export.read_sdmx_values(xml_text)
        sheet = load_workbook(io.BytesIO(export.to_xlsx(rel))).active
        assert [c.value for c in sheet[5]][:4] == [
            "fixed_broadband_per100",
            "Fixed-broadband subscriptions per 100 inhabitants",
            "per 100 inhabitants",
            24.8,
        ]
        vp = workflow.release(s, user=get_user(s, "hoa"), recipient="VPCP", period=Q4)
        assert [v.indicator_code for v in vp.release.values] == [
            "online_dossier_rate",
            "share_agencies_publishing_satisfaction",
            "share_services_l34",
            "share_services_level4",
        ]
    with unit_of_work(engine) as s:
        assert audit.verify(s).ok


def test_warnings_need_justification_before_approval(engine) -> None:  # type: ignore[no-untyped-def]
    _sid, _, _ = _submit(engine, "lan", "BKHCN", Q3, TELECOM)
    jumped = [Row("mobile_subs_per100", 190.0, "VNNIC"), *TELECOM[1:]]
    sid2, status, failures = _submit(engine, "lan", "BKHCN", Q4, jumped)
    assert status == "submitted"
    assert [(f.rule, f.indicator) for f in failures] == [("jump_previous", "mobile_subs_per100")]
    assert "changed +35% against 140.5 in 2026Q3" in failures[0].message
    unjustified = "unjustified warnings: jump_previous on mobile_subs_per100"
    with unit_of_work(engine) as s, pytest.raises(workflow.WorkflowError, match=unjustified):
        workflow.approve(s, user=get_user(s, "minh"), submission_id=sid2)
    with unit_of_work(engine) as s:
        sub = workflow.justify(
            s,
            user=get_user(s, "lan"),
            submission_id=sid2,
            rule="jump_previous",
            text="a new 5G operator entered the market in October",
        )
        assert sub.status == "validated"
        workflow.approve(s, user=get_user(s, "minh"), submission_id=sid2)


def test_justifications_and_reasons_are_bounded_whichever_door(engine) -> None:  # type: ignore[no-untyped-def]
    """A justification or reason longer than MAX_TEXT characters, or a password longer than MAX_PASSWORD, is
    refused by the function itself (the CLI's door as much as the web's)."""
    from egovindex.collection.accounts import MAX_PASSWORD, hash_password

    long, limit = "x" * (workflow.MAX_TEXT + 1), f"the limit is {workflow.MAX_TEXT}"
    _submit(engine, "lan", "BKHCN", Q3, TELECOM)
    sid, _, _ = _submit(engine, "lan", "BKHCN", Q4, [Row("mobile_subs_per100", 190.0, "VNNIC"), *TELECOM[1:]])
    with unit_of_work(engine) as s, pytest.raises(workflow.WorkflowError, match=limit):
        workflow.justify(s, user=get_user(s, "lan"), submission_id=sid, rule="jump_previous", text=long)
    with unit_of_work(engine) as s, pytest.raises(workflow.WorkflowError, match=limit):
        workflow.release(s, user=get_user(s, "hoa"), recipient="ITU", period=Q4, reason=long)
    with unit_of_work(engine) as s, pytest.raises(workflow.WorkflowError, match=limit):
        workflow.open_correction(s, user=get_user(s, "hoa"), agency="BKHCN", period=Q4, reason=long)
    with pytest.raises(ValueError, match=f"at most {MAX_PASSWORD} characters"):
        hash_password("x" * (MAX_PASSWORD + 1))
    with unit_of_work(engine) as s:
        workflow.justify(
            s, user=get_user(s, "lan"), submission_id=sid, rule="jump_previous", text="x" * workflow.MAX_TEXT
        )
        workflow.approve(s, user=get_user(s, "minh"), submission_id=sid)
    with unit_of_work(engine) as s, pytest.raises(workflow.WorkflowError, match=limit):
        workflow.unapprove(s, user=get_user(s, "minh"), submission_id=sid, reason=long)


def test_errors_block_and_store_nothing(engine) -> None:  # type: ignore[no-untyped-def]
    bad = [Row("mobile_subs_per100", 540.0, "VNNIC", row=7), Row("fixed_broadband_per100", 24.8, "x", row=9)]
    with unit_of_work(engine) as s, pytest.raises(workflow.RuleError) as err:
        workflow.submit(s, user=get_user(s, "lan"), agency="BKHCN", period=Q4, rows=bad, channel="xlsx", name="q4.xlsx")
    assert next(str(p) for p in err.value.problems) == (
        "q4.xlsx, row 7, column 'value': BKHCN 2026Q4 mobile_subs_per100 = 540: outside the valid range 0 to 400 "
        "[range, error]"
    )
    ordering = [Row("share_services_level4", 85.0, "x"), Row("share_services_l34", 80.0, "x")]
    with unit_of_work(engine) as s, pytest.raises(workflow.RuleError, match="must not exceed share_services_l34"):
        workflow.submit(s, user=get_user(s, "thu"), agency="VPCP", period=Q4, rows=ordering, channel="json", name="api")
    with unit_of_work(engine) as s:
        assert s.query(Submission).count() == 0


def test_locks_say_why(engine) -> None:  # type: ignore[no-untyped-def]
    sid, _, _ = _submit(engine, "lan", "BKHCN", Q4, TELECOM)
    with unit_of_work(engine) as s:
        workflow.approve(s, user=get_user(s, "minh"), submission_id=sid)
    with unit_of_work(engine) as s, pytest.raises(workflow.WorkflowError, match=r"was approved .* must unapprove"):
        workflow.submit(s, user=get_user(s, "lan"), agency="BKHCN", period=Q4, rows=TELECOM, channel="json", name="api")
    with unit_of_work(engine) as s:
        with pytest.raises(workflow.WorkflowError, match="needs a reason"):
            workflow.unapprove(s, user=get_user(s, "minh"), submission_id=sid, reason=" ")
        workflow.unapprove(s, user=get_user(s, "minh"), submission_id=sid, reason="operator revised its count")
    sid2, _, _ = _submit(engine, "lan", "BKHCN", Q4, TELECOM)
    with unit_of_work(engine) as s:
        assert s.get(Submission, sid).status == "superseded" and s.get(Submission, sid2).version == 2
        workflow.set_period(s, user=get_user(s, "hoa"), period=Q4, closed=True)
    with unit_of_work(engine) as s, pytest.raises(workflow.WorkflowError, match="period 2026Q4 was closed by hoa"):
        workflow.submit(s, user=get_user(s, "lan"), agency="BKHCN", period=Q4, rows=TELECOM, channel="json", name="api")


def test_authorisation_per_agency_and_role(engine) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as s:
        with pytest.raises(AuthorisationError, match="only a submitter or approver of BKHCN may"):
            workflow.submit(
                s, user=get_user(s, "an"), agency="BKHCN", period=Q4, rows=TELECOM, channel="json", name="api"
            )
        with pytest.raises(AuthorisationError, match="viewer"):
            workflow.submit(
                s, user=get_user(s, "viewer"), agency="BTC", period=Q4, rows=TELECOM, channel="json", name="api"
            )
    sid, _, _ = _submit(engine, "lan", "BKHCN", Q4, TELECOM)
    with unit_of_work(engine) as s:
        with pytest.raises(AuthorisationError, match="only an approver of BKHCN"):
            workflow.approve(s, user=get_user(s, "lan"), submission_id=sid)
        with pytest.raises(AuthorisationError, match="only an approver of BKHCN"):
            workflow.approve(s, user=get_user(s, "binh"), submission_id=sid)
        with pytest.raises(AuthorisationError, match="only the lead ministry"):
            workflow.release(s, user=get_user(s, "minh"), recipient="ITU", period=Q4)


def test_a_correction_is_a_new_release_with_a_reason(engine) -> None:  # type: ignore[no-untyped-def]
    sid, _, _ = _submit(engine, "lan", "BKHCN", Q4, TELECOM)
    with unit_of_work(engine) as s:
        workflow.approve(s, user=get_user(s, "minh"), submission_id=sid)
        first = workflow.release(s, user=get_user(s, "hoa"), recipient="ITU", period=Q4).release.id
    with unit_of_work(engine) as s:
        with pytest.raises(workflow.WorkflowError, match="the lead ministry opens a correction"):
            workflow.unapprove(s, user=get_user(s, "minh"), submission_id=sid, reason="x")
        with pytest.raises(workflow.WorkflowError, match=r"opens a correction \('collect correct'\)"):
            workflow.submit(
                s, user=get_user(s, "lan"), agency="BKHCN", period=Q4, rows=TELECOM, channel="json", name="api"
            )
        with pytest.raises(AuthorisationError, match="only the lead ministry"):
            workflow.open_correction(s, user=get_user(s, "minh"), agency="BKHCN", period=Q4, reason="x")
        workflow.open_correction(s, user=get_user(s, "hoa"), agency="BKHCN", period=Q4, reason="operator revised")
    corrected = [Row("mobile_subs_per100", 141.0, "VNNIC revised"), *TELECOM[1:]]
    sid2, _, _ = _submit(engine, "lan", "BKHCN", Q4, corrected)
    with unit_of_work(engine) as s:
        workflow.approve(s, user=get_user(s, "minh"), submission_id=sid2)
        with pytest.raises(workflow.WorkflowError, match="a correction needs a reason"):
            workflow.release(s, user=get_user(s, "hoa"), recipient="ITU", period=Q4)
        second = workflow.release(
            s, user=get_user(s, "hoa"), recipient="ITU", period=Q4, reason="mobile subscriptions revised"
        ).release
        assert second.supersedes_id == first and second.reason == "mobile subscriptions revised"
        old = s.get(Release, first)
        assert {v.indicator_code: v.value for v in old.values}["mobile_subs_per100"] == 140.5  # unchanged
        assert s.get(Submission, sid).status == "superseded"


def test_status_completeness_and_timeliness(engine) -> None:  # type: ignore[no-untyped-def]
    _submit(engine, "lan", "BKHCN", Q4, TELECOM[:2])
    with unit_of_work(engine) as s:
        rows = {r["agency"]: r for r in workflow.status(s, period=Q4, today=dt.date(2027, 2, 1))}
    assert rows["BKHCN"]["expected"] == 6 and rows["BKHCN"]["submitted"] == 2
    assert rows["BKHCN"]["on_time"] is True and rows["BKHCN"]["status"] == "submitted"
    assert rows["VPCP"]["status"] == "missing" and rows["VPCP"]["overdue"] is True


def test_conflicting_edits_get_a_conflict_error(engine) -> None:  # type: ignore[no-untyped-def]
    sid, _, _ = _submit(engine, "lan", "BKHCN", Q4, TELECOM)
    with unit_of_work(engine) as s:
        read_at = s.get(Submission, sid).lock_version
        workflow.approve(s, user=get_user(s, "minh"), submission_id=sid, expected_version=read_at)
    with unit_of_work(engine) as s, pytest.raises(workflow.ConflictError, match="changed by someone else"):
        workflow.unapprove(s, user=get_user(s, "minh"), submission_id=sid, reason="x", expected_version=read_at)


@pytest.mark.parametrize("attack", ["update", "delete_middle", "delete_last", "insert"])
def test_tampering_with_the_audit_log_is_detected(engine, attack: str) -> None:  # type: ignore[no-untyped-def]
    _submit(engine, "lan", "BKHCN", Q4, TELECOM)
    _submit(engine, "thu", "VPCP", Q4, SERVICES)
    with unit_of_work(engine) as s:
        assert audit.verify(s).ok
        n = audit.verify(s).entries
        statements = {
            "update": "UPDATE audit_entry SET actor = 'mallory' WHERE id = 3",
            "delete_middle": "DELETE FROM audit_entry WHERE id = 3",
            "delete_last": f"DELETE FROM audit_entry WHERE id = {n}",
            "insert": "INSERT INTO audit_entry (at, actor, action, entity, entity_id, before, after, reason, "
            "prev_hash, hash) VALUES ('2026-01-01', 'x', 'x', 'x', '1', 'null', 'null', NULL, 'a', 'b')",
        }
        s.execute(text(statements[attack]))
    with unit_of_work(engine) as s:
        result = audit.verify(s)
        assert not result.ok and result.problems


def test_asean_outlier_warns_with_peer_values(engine, reference) -> None:  # type: ignore[no-untyped-def]
    from egovindex.collection.rules import asean_peers
    from egovindex.survey.recompute import read_series

    peers = asean_peers(read_series([reference / "indicators/itu_wdi_indicators.csv"]), Period.parse("2021"))
    assert len(peers["internet_users_pct"]) >= 6 and "VNM" not in peers
    rows = [Row("internet_users_pct", 3.0, "survey"), Row("share_agencies_data_platform", 100.0, "MOST")]
    with unit_of_work(engine) as s:
        _sub, failures = workflow.submit(
            s,
            user=get_user(s, "lan"),
            agency="BKHCN",
            period=Period.parse("2021"),
            rows=rows,
            channel="json",
            name="api",
            peers=peers,
        )
    assert [(f.rule, f.indicator) for f in failures] == [("asean_outlier", "internet_users_pct")]
    assert str(failures[0]).startswith("BKHCN 2021 internet_users_pct = 3: far outside the ASEAN peers' range")
