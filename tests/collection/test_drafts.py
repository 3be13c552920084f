"""Typing values in the browser, below the web pages, on SQLite and PostgreSQL: drafts (saved as typed, one per agency
and period, a save on an outdated copy refused, removed by the submission they became), the form's submission
through the strict reader and the workflow, corrections of approved and released values with their reason, and the
rules' hints, which say what the checks will say."""

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from egovindex.collection import audit, drafts, rules, workflow
from egovindex.collection.access import AuthorisationError, get_user
from egovindex.collection.drafts import Typed
from egovindex.collection.intake import Row, parse_number, typed_number
from egovindex.domain.periods import Period
from egovindex.sources.files import InputError
from egovindex.store.collection import AuditEntry, Release, Submission, SubmissionDraft
from egovindex.store.db import unit_of_work

Q3, Q4 = Period.parse("2026Q3"), Period.parse("2026Q4")
TELECOM = [
    Row("mobile_subs_per100", 140.5, "VNNIC", "operators' reports", "https://vnnic.vn", 1),
    Row("mobile_broadband_per100", 95.0, "VNNIC", row=2),
    Row("fixed_broadband_per100", 24.8, "VNNIC", row=3),
]
TYPED = [
    Typed("mobile_subs_per100", "140,5", "VNNIC", "operators' reports"),
    Typed("mobile_broadband_per100", "abc", "VNNIC"),  # kept as typed: a draft is not validated
    Typed("fixed_broadband_per100"),  # left blank: not kept
]


def _save(engine, user: str, rows: list[Typed], expected: int | None, agency: str = "BKHCN"):  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as s:
        draft = drafts.save(s, user=get_user(s, user), agency=agency, period=Q4, rows=rows, expected_version=expected)
        return draft.lock_version


def _draft(engine) -> dict | None:  # type: ignore[no-untyped-def, type-arg]
    with unit_of_work(engine) as s:
        return drafts.shown(drafts.current(s, "BKHCN", Q4))


def _actions(engine) -> list[tuple[str, str | None, dict]]:  # type: ignore[no-untyped-def, type-arg]
    with unit_of_work(engine) as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action.not_in(audit.SNAPSHOT_ACTIONS)))
        return [(e.action, e.reason, json.loads(e.after)) for e in entries]


def test_a_draft_keeps_what_was_typed_until_it_is_submitted(engine) -> None:  # type: ignore[no-untyped-def]
    assert _save(engine, "lan", TYPED, expected=0) == 1
    draft = _draft(engine)
    assert draft is not None and draft["saved_by"] == "lan" and draft["version"] == 1
    assert draft["values"] == [
        {"indicator": "mobile_subs_per100", "value": "140,5", "source": "VNNIC", "method_note": "operators' reports",
         "evidence": ""},
        {"indicator": "mobile_broadband_per100", "value": "abc", "source": "VNNIC", "method_note": "", "evidence": ""},
    ]  # fmt: skip
    # a save on an outdated copy is refused: the other save is not silently replaced
    with pytest.raises(workflow.ConflictError, match="lan saved BKHCN's 2026Q4 draft"):
        _save(engine, "minh", [Typed("mobile_subs_per100", "141")], expected=0)
    assert _save(engine, "minh", [*TYPED[:1], Typed("mobile_broadband_per100", "95", "VNNIC")], expected=1) == 2
    # the form's values go through the strict reader and the rules: a problem names the row and field, stores nothing
    bad = [Typed("mobile_subs_per100", "1.234", "VNNIC"), Typed("mobile_broadband_per100", "500", "VNNIC")]
    with unit_of_work(engine) as s, pytest.raises(InputError) as refused:
        drafts.submit(s, user=get_user(s, "lan"), agency="BKHCN", period=Q4, rows=bad, draft_version=2)
    assert [(p.file, p.row, p.column) for p in refused.value.problems] == [("form", 1, "value")]
    assert "ambiguous" in refused.value.problems[0].message
    bad[0] = Typed("mobile_subs_per100", "140,5", "VNNIC")
    with unit_of_work(engine) as s, pytest.raises(InputError) as refused:
        drafts.submit(s, user=get_user(s, "lan"), agency="BKHCN", period=Q4, rows=bad, draft_version=2)
    by_row = [(p.row, p.column, "outside the valid range" in p.message) for p in refused.value.problems if p.row]
    assert by_row == [(2, "value", True)]  # and the warnings of the whole submission (completeness), without a row
    with unit_of_work(engine) as s:
        assert s.scalar(select(func.count(Submission.id))) == 0 and drafts.current(s, "BKHCN", Q4) is not None
    # submitted: a new version through the workflow, channel form; the draft goes in the same transaction
    good = [bad[0], Typed("mobile_broadband_per100", "95", "VNNIC"), Typed("fixed_broadband_per100", "24,8", "VNNIC")]
    with unit_of_work(engine) as s:
        sub, _, kept = drafts.submit(s, user=get_user(s, "lan"), agency="BKHCN", period=Q4, rows=good, draft_version=2)
        assert (sub.version, sub.channel, sub.status, kept) == (1, "form", "validated", None)
        assert {v.indicator_code: v.value for v in sub.values} == {
            "mobile_subs_per100": 140.5,
            "mobile_broadband_per100": 95.0,
            "fixed_broadband_per100": 24.8,
        }
    assert _draft(engine) is None
    actions = _actions(engine)
    assert [a for a, _, _ in actions if a.startswith("draft.")] == ["draft.save", "draft.save", "draft.clear"]
    assert ("draft.clear", "submitted as version 1", {"submission": sub.id, "version": 1}) in actions
    with unit_of_work(engine) as s:
        assert audit.verify(s).ok  # the draft's rows are covered by the log's snapshots


def test_a_draft_saved_meanwhile_survives_the_submission(engine) -> None:  # type: ignore[no-untyped-def]
    _save(engine, "lan", TYPED[:1], expected=0)
    _save(engine, "minh", [Typed("mobile_subs_per100", "150", "VNNIC")], expected=1)
    rows = [Typed(r.indicator, str(r.value), r.source) for r in TELECOM]
    with unit_of_work(engine) as s:  # lan submits the form read with version 1 of the draft
        _, _, kept = drafts.submit(s, user=get_user(s, "lan"), agency="BKHCN", period=Q4, rows=rows, draft_version=1)
        assert kept is not None and kept.saved_by == "minh"
    assert _draft(engine)["values"][0]["value"] == "150"  # type: ignore[index]


@pytest.mark.parametrize(("user", "agency"), [("viewer", "BTC"), ("thu", "BKHCN"), ("hoa", "BKHCN")])
def test_who_may_not_submit_may_not_keep_a_draft(engine, user: str, agency: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AuthorisationError, match="may not save drafts"):
        _save(engine, user, TYPED, expected=0, agency=agency)
    with unit_of_work(engine) as s, pytest.raises(AuthorisationError, match="may not submit"):
        drafts.submit(s, user=get_user(s, user), agency=agency, period=Q4, rows=TYPED, draft_version=0)
    with unit_of_work(engine) as s:
        assert s.scalar(select(func.count(SubmissionDraft.id))) == 0
        assert s.scalar(select(func.count(Submission.id))) == 0


def test_a_draft_names_only_the_statistics_of_the_form(engine) -> None:  # type: ignore[no-untyped-def]
    for rows, message in (
        ([Typed("ger_primary", "1", "x")], "BKHCN does not report 'ger_primary'"),
        ([TYPED[0], TYPED[0]], "appears twice"),
        ([Typed("mobile_subs_per100", "1", "x\x1b[31m")], "control characters"),
    ):
        with pytest.raises(workflow.WorkflowError, match=message):
            _save(engine, "lan", rows, expected=0)


def _approved(engine) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as s:
        sub, _ = workflow.submit(
            s, user=get_user(s, "lan"), agency="BKHCN", period=Q4, rows=TELECOM, channel="json", name="t"
        )
        workflow.approve(s, user=get_user(s, "minh"), submission_id=sub.id)
        return sub.id


def _correct(engine, user: str, **kwargs):  # type: ignore[no-untyped-def]
    args = {"indicator": "fixed_broadband_per100", "value": "25,1", "reason": "the operator revised its count"}
    with unit_of_work(engine) as s:
        sub, _ = workflow.correct(s, user=get_user(s, user), agency="BKHCN", period=Q4, **{**args, **kwargs})
        return sub.id, sub.version, sub.status, sub.channel, {v.indicator_code: v.value for v in sub.values}


def test_an_approved_value_is_corrected_by_an_approver_with_its_reason(engine) -> None:  # type: ignore[no-untyped-def]
    first = _approved(engine)
    with pytest.raises(workflow.WorkflowError, match="an approver of BKHCN corrects approved values"):
        _correct(engine, "lan")
    sid, version, status, channel, values = _correct(engine, "minh", expected_version=1)
    assert (version, status, channel) == (2, "validated", "correction")
    assert values == {"mobile_subs_per100": 140.5, "mobile_broadband_per100": 95.0, "fixed_broadband_per100": 25.1}
    with unit_of_work(engine) as s:
        old, new = s.get(Submission, first), s.get(Submission, sid)
        assert old.status == "superseded" and new.supersedes_id == first
        assert new.status_reason == "correction: the operator revised its count"
        kept = {v.indicator_code: (v.source, v.method_note, v.evidence) for v in new.values}
        assert kept["mobile_subs_per100"] == ("VNNIC", "operators' reports", "https://vnnic.vn")
        assert audit.verify(s).ok
    actions = [(a, r) for a, r, _ in _actions(engine)]
    assert ("submission.unapprove", "correction of fixed_broadband_per100: the operator revised its count") in actions
    submitted = [after for a, r, after in _actions(engine) if a == "submission.submit" and r]
    assert submitted[0]["correction"] == {"indicator": "fixed_broadband_per100", "version": 1, "from": 24.8, "to": 25.1}
    # four eyes: the approver who corrected does not approve the correction
    with unit_of_work(engine) as s, pytest.raises(AuthorisationError, match="second person"):
        workflow.approve(s, user=get_user(s, "minh"), submission_id=sid)


def test_a_released_value_is_corrected_once_the_lead_ministry_opens_the_correction(engine) -> None:  # type: ignore[no-untyped-def]
    _approved(engine)
    with unit_of_work(engine) as s:
        first = workflow.release(s, user=get_user(s, "hoa"), recipient="ITU", period=Q4).release.id
    with pytest.raises(workflow.WorkflowError, match="the lead ministry opens a correction"):
        _correct(engine, "lan")
    with unit_of_work(engine) as s:
        workflow.open_correction(s, user=get_user(s, "hoa"), agency="BKHCN", period=Q4, reason="ITU asked")
    with pytest.raises(workflow.ConflictError, match=r"version 1 .* is the current one now, not version 7"):
        _correct(engine, "lan", expected_version=7)
    for kwargs, column in (
        ({"reason": "  "}, "reason"),
        ({"value": "1.234"}, "value"),
        ({"value": "24,8"}, "value"),  # nothing to correct
        ({"indicator": "ger_primary"}, "indicator"),
    ):
        with pytest.raises(InputError) as refused:
            _correct(engine, "lan", **kwargs)
        assert [p.column for p in refused.value.problems] == [column], kwargs
    sid, version, status, _, values = _correct(engine, "lan", expected_version=1, source="VNNIC, revised")
    assert (version, status, values["fixed_broadband_per100"]) == (2, "validated", 25.1)
    with unit_of_work(engine) as s:
        workflow.approve(s, user=get_user(s, "minh"), submission_id=sid)
        with pytest.raises(workflow.WorkflowError, match="a correction needs a reason"):
            workflow.release(s, user=get_user(s, "hoa"), recipient="ITU", period=Q4)
    with unit_of_work(engine) as s:
        again = workflow.release(s, user=get_user(s, "hoa"), recipient="ITU", period=Q4, reason="corrected count")
        assert again.created and again.release.supersedes_id == first
        assert {v.indicator_code: v.value for v in again.release.values}["fixed_broadband_per100"] == 25.1
        old = {v.indicator_code: v.value for v in s.get(Release, first).values}
        assert old["fixed_broadband_per100"] == 24.8  # the first release stays as it was
        assert audit.verify(s).ok


def test_the_hints_say_what_the_checks_say(engine) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as s:
        workflow.submit(s, user=get_user(s, "lan"), agency="BKHCN", period=Q3, rows=TELECOM, channel="json", name="t")
    peers = {"mobile_subs_per100": [120.0, 130.0, 160.0]}
    with unit_of_work(engine) as s:
        ctx = workflow.validation_context(s, "BKHCN", Q4, peers=peers)
    found = {(h["rule"], h["kind"]): h for h in rules.hints("mobile_subs_per100", ctx)}
    assert found[("range", "range")] | {} == {
        "rule": "range", "kind": "range", "severity": "error", "low": 0.0, "high": 400.0
    }  # fmt: skip
    jump = found[("jump_previous", "jump")]
    assert (jump["period"], jump["value"], jump["severity"]) == ("2026Q3", 140.5, "warning")
    assert ("completeness", "completeness") in found  # BKHCN owns it: left blank, it is a warning
    outlier = found[("asean_outlier", "asean_outlier")]
    for kind, hint in (("jump", jump), ("asean_outlier", outlier), ("range", found[("range", "range")])):
        for value, fails in ((hint["low"], False), (hint["high"], False), (hint["low"] - 0.01, True)):
            if value < 0:
                continue
            failures = rules.check([Row("mobile_subs_per100", value, "x")], ctx)
            assert any(f.rule == hint["rule"] for f in failures) is fails, (kind, value)
    level4 = {h["rule"]: h for h in rules.hints("share_services_level4", ctx)}
    assert level4["level4_le_level34"] | {} == {
        "rule": "level4_le_level34", "kind": "ordering", "severity": "error", "bound": "at_most",
        "other": "share_services_l34", "value": None,
    }  # fmt: skip
    assert "broadband_le_internet" not in {h["rule"] for h in rules.hints("fixed_broadband_per100", ctx)}


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12), st.sampled_from(".,"))
@settings(max_examples=500, deadline=None)
def test_a_value_filled_in_reads_back_as_the_same_number(value: float, decimal: str) -> None:
    text = typed_number(value, decimal)
    assert parse_number(text) == value and math.copysign(1, parse_number(text)) == math.copysign(1, value)
    assert "e" not in text.lower() and " " not in text


def test_a_draft_changed_outside_the_workflow_shows_in_the_audit(engine) -> None:  # type: ignore[no-untyped-def]
    _save(engine, "lan", TYPED, expected=0)
    with engine.begin() as conn:
        conn.execute(update(SubmissionDraft).values(content='[{"indicator": "mobile_subs_per100", "value": "999"}]'))
    with unit_of_work(engine) as s:
        problems = [(p.table, p.field) for p in audit.verify(s).problems]
    assert ("submission_draft", "content") in problems


def test_a_form_read_before_a_newer_version_is_not_submitted_over_it(engine) -> None:  # type: ignore[no-untyped-def]
    """The form carries the version it showed; submitting it after someone else's newer version would undo their
    values without a word, so it is refused and nothing is stored."""
    rows = [Typed(r.indicator, str(r.value), r.source) for r in TELECOM]
    with unit_of_work(engine) as s:
        first, _, _ = drafts.submit(
            s, user=get_user(s, "lan"), agency="BKHCN", period=Q4, rows=rows, draft_version=None, based_on=0
        )
    assert first.version == 1
    with unit_of_work(engine) as s:  # a colleague's version 2, from a file
        workflow.submit(s, user=get_user(s, "minh"), agency="BKHCN", period=Q4, rows=TELECOM, channel="csv", name="f")
    stale = [Typed("mobile_subs_per100", "150", "VNNIC"), *rows[1:]]
    with unit_of_work(engine) as s, pytest.raises(workflow.ConflictError, match=r"version 2 .* not version 1"):
        drafts.submit(s, user=get_user(s, "lan"), agency="BKHCN", period=Q4, rows=stale, draft_version=None, based_on=1)
    with unit_of_work(engine) as s:
        assert s.scalar(select(func.count(Submission.id))) == 2
