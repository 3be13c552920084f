"""Typing values in the browser: the period's form (save a draft, reload it, submit it as an upload is submitted),
problems shown next to their fields with nothing stored, the correction of an approved value with its reason, and
who may do it (a viewer and another agency's user are refused, and nothing is stored)."""

import html
import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from egovindex.collection import workflow
from egovindex.collection.access import get_user
from egovindex.collection.accounts import add_user
from egovindex.collection.intake import Row
from egovindex.domain.periods import Period
from egovindex.store.collection import AuditEntry, Submission, SubmissionDraft
from egovindex.store.db import make_engine, unit_of_work
from egovindex.web.app import create_app
from samples import PASSWORD, sign_in

Q4 = "2026Q4"
TELECOM = {"mobile_subs_per100": "140,5", "mobile_broadband_per100": "95", "fixed_broadband_per100": "24,8"}


@pytest.fixture
def app(app_url: str):  # type: ignore[no-untyped-def]
    with unit_of_work(make_engine(app_url)) as s:
        add_user(s, actor="setup", username="xem", agency="BKHCN", role="viewer", password=PASSWORD)
        add_user(s, actor="setup", username="thu", agency="VPCP", role="submitter", password=PASSWORD)
        add_user(s, actor="setup", username="hoa", agency="BKHCN", role="lead", password=PASSWORD)
    return create_app(app_url)


def _form(page: str, values: dict[str, str], source: str = "VNNIC") -> dict[str, object]:
    """The period's form as the page gives it, with ``values`` typed in (and their source)."""
    codes = re.findall(r'name="indicator" value="([^"]+)"', page)
    return {
        "csrf": re.search(r'name="csrf" value="([^"]+)"', page).group(1),  # type: ignore[union-attr]
        "agency": re.search(r'name="agency" value="([^"]+)"', page).group(1),  # type: ignore[union-attr]
        "draft_version": re.search(r'name="draft_version" value="(\d+)"', page).group(1),  # type: ignore[union-attr]
        "based_on": re.search(r'name="based_on" value="(\d+)"', page).group(1),  # type: ignore[union-attr]
        "indicator": codes,
        "value": [values.get(c, "") for c in codes],
        "source": [source if c in values else "" for c in codes],
        "method_note": ["" for _ in codes],
        "evidence": ["" for _ in codes],
    }


def _field(page: str, field: str, code: str) -> str:
    return html.unescape(re.search(rf'id="{field}-{code}" value="([^"]*)"', page).group(1))  # type: ignore[union-attr]


def _problem(page: str, field: str, code: str) -> str:
    found = re.search(rf'<span class="error" id="problem-{field}-{code}">(.*?)</span></td>', page, re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else ""


def _stored(app_url: str) -> tuple[int, int]:
    with unit_of_work(make_engine(app_url)) as s:
        return s.scalar(select(func.count(Submission.id))) or 0, s.scalar(select(func.count(SubmissionDraft.id))) or 0


def test_save_a_draft_reload_it_and_submit_it(app, app_url: str) -> None:  # type: ignore[no-untyped-def]
    lan = sign_in(app, "lan")
    page = lan.get(f"/collect/{Q4}").text
    assert 'id="entry-form"' in page and "Khoảng hợp lệ: 0 đến 400" in page  # the range, in the page's language
    form = _form(page, {"mobile_subs_per100": "140,5", "mobile_broadband_per100": "abc"})
    saved = lan.post(f"/collect/{Q4}/draft", data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == f"/collect/{Q4}#entry"
    page = lan.get(f"/collect/{Q4}").text  # reloading shows the draft, as typed
    assert (
        _field(page, "value", "mobile_subs_per100") == "140,5"
        and _field(page, "source", "mobile_subs_per100") == "VNNIC"
    )
    assert _field(page, "value", "mobile_broadband_per100") == "abc" and 'id="draft"' in page
    twin = lan.get(f"/collect/{Q4}.json").json()
    assert twin["draft"]["saved_by"] == "lan" and twin["draft"]["version"] == 1 and twin["submission"] is None
    assert twin["draft"]["values"][0] == {
        "indicator": "mobile_subs_per100", "value": "140,5", "source": "VNNIC", "method_note": "", "evidence": ""
    }  # fmt: skip
    # a colleague's save on the page read before lan's: refused, the values typed shown again, lan's draft kept
    thao = sign_in(app, "thao")
    stale = {**form, "csrf": _form(thao.get(f"/collect/{Q4}").text, {})["csrf"], "draft_version": "0"}
    stale["value"] = ["150" if c == "mobile_subs_per100" else "" for c in form["indicator"]]  # type: ignore[union-attr]
    refused = thao.post(f"/collect/{Q4}/draft", data=stale)
    assert refused.status_code == 409 and "lan saved BKHCN&#39;s 2026Q4 draft" in refused.text
    assert _field(refused.text, "value", "mobile_subs_per100") == "150"
    assert lan.get(f"/collect/{Q4}.json").json()["draft"]["values"][0]["value"] == "140,5"
    # text where a number goes: the problem next to its field, the typed values kept, nothing stored
    form = _form(page, {**TELECOM, "mobile_broadband_per100": "abc"})
    bad = lan.post(f"/collect/{Q4}/form", data=form)
    assert bad.status_code == 422 and _problem(bad.text, "value", "mobile_broadband_per100") == "'abc' is not a number"
    assert _field(bad.text, "value", "fixed_broadband_per100") == "24,8"
    assert 'aria-describedby="problem-value-mobile_broadband_per100"' in bad.text
    # out of the valid range: the rule's error next to the field
    bad = lan.post(f"/collect/{Q4}/form", data=_form(page, {**TELECOM, "fixed_broadband_per100": "500"}))
    assert bad.status_code == 422
    assert "outside the valid range 0 to 100" in _problem(bad.text, "value", "fixed_broadband_per100")
    assert _stored(app_url) == (0, 1)
    # submitted: a new version with the values typed (a decimal comma read as the upload reads it); the draft is gone
    done = lan.post(f"/collect/{Q4}/form", data=_form(page, TELECOM), follow_redirects=False)
    assert done.status_code == 303
    twin = lan.get(f"/collect/{Q4}.json").json()
    assert twin["draft"] is None and twin["submission"]["version"] == 1
    assert twin["submission"]["values"] == {
        "mobile_subs_per100": 140.5,
        "mobile_broadband_per100": 95.0,
        "fixed_broadband_per100": 24.8,
    }
    with unit_of_work(make_engine(app_url)) as s:
        assert s.scalars(select(Submission.channel)).all() == ["form"]
    page = lan.get(f"/collect/{Q4}").text  # the form now shows the submitted values, to change and submit again
    assert _field(page, "value", "mobile_subs_per100") == "140,5" and 'id="draft"' not in page


def test_correct_an_approved_value_with_its_reason(app, app_url: str) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(app_url)
    with unit_of_work(engine) as s:
        rows = [Row(code, float(v.replace(",", ".")), "VNNIC") for code, v in TELECOM.items()]
        sub, _ = workflow.submit(
            s, user=get_user(s, "lan"), agency="BKHCN", period=Period.parse(Q4), rows=rows, channel="json", name="t"
        )
        workflow.approve(s, user=get_user(s, "minh"), submission_id=sub.id)
    lan = sign_in(app, "lan")
    assert 'id="correct"' in lan.get(f"/collect/{Q4}").text  # the way to the correction's page
    page = lan.get(f"/collect/{Q4}/correct")
    assert page.status_code == 200 and 'id="blocked"' in page.text and 'id="correct-form"' not in page.text
    assert lan.get(f"/collect/{Q4}/correct.json").json()["blocked"] == "approver"
    minh = sign_in(app, "minh")
    page = minh.get(f"/collect/{Q4}/correct").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = {"csrf": csrf, "agency": "BKHCN", "version": "1", "indicator": "fixed_broadband_per100"}
    blank = minh.post(f"/collect/{Q4}/correct", data={**form, "value": "25,1", "reason": "  "})
    assert blank.status_code == 422 and "a correction needs a reason" in blank.text and 'value="25,1"' in blank.text
    ambiguous = minh.post(f"/collect/{Q4}/correct", data={**form, "value": "25.100", "reason": "revised"})
    assert ambiguous.status_code == 422 and 'id="problem-value"' in ambiguous.text
    assert _stored(app_url) == (1, 0)
    reason = "the operator revised its count"
    done = minh.post(f"/collect/{Q4}/correct", data={**form, "value": "25,1", "reason": reason}, follow_redirects=False)
    assert done.status_code == 303
    twin = minh.get(f"/collect/{Q4}.json").json()["submission"]
    assert (twin["version"], twin["status"], twin["values"]["fixed_broadband_per100"]) == (2, "validated", 25.1)
    assert twin["values"]["mobile_subs_per100"] == 140.5  # the other values as they were
    with unit_of_work(engine) as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "submission.submit")).all()
        assert entries[-1].reason == reason
        assert json.loads(entries[-1].after)["correction"] == {
            "indicator": "fixed_broadband_per100", "version": 1, "from": 24.8, "to": 25.1
        }  # fmt: skip
        unapproved = s.scalars(select(AuditEntry).where(AuditEntry.action == "submission.unapprove")).one()
        assert unapproved.reason == f"correction of fixed_broadband_per100: {reason}"
    stale = minh.post(f"/collect/{Q4}/correct", data={**form, "value": "26", "reason": "again"})
    assert stale.status_code == 409 and "reload the page" in stale.text  # version 2 is current now


@pytest.mark.parametrize("who", ["xem", "thu", "hoa"])
def test_a_viewer_another_agency_and_the_lead_ministry_are_refused(app, app_url: str, who: str) -> None:  # type: ignore[no-untyped-def]
    page = sign_in(app, "lan").get(f"/collect/{Q4}").text
    form = _form(page, TELECOM)
    client = sign_in(app, who)
    own = client.get(f"/collect/{Q4}").text
    if who == "xem":
        assert 'id="entry-form"' not in own and 'name="value"' not in own  # a viewer sees the values, no form
    form["csrf"] = re.search(r'name="csrf" value="([^"]+)"', own).group(1)  # type: ignore[union-attr]
    for action in ("draft", "form"):
        assert client.post(f"/collect/{Q4}/{action}", data=form).status_code == 403
    correction = {"csrf": form["csrf"], "agency": "BKHCN", "version": "1", "indicator": "mobile_subs_per100"}
    refused = client.post(f"/collect/{Q4}/correct", data={**correction, "value": "1", "reason": "x"})
    assert refused.status_code == 403
    assert _stored(app_url) == (0, 0)


def test_the_form_needs_its_token(app) -> None:  # type: ignore[no-untyped-def]
    lan = sign_in(app, "lan")
    form = {**_form(lan.get(f"/collect/{Q4}").text, TELECOM), "csrf": "forged"}
    assert lan.post(f"/collect/{Q4}/draft", data=form).status_code == 403
    anonymous = TestClient(app)
    token = re.search(r'name="csrf" value="([^"]+)"', anonymous.get("/login").text).group(1)  # type: ignore[union-attr]
    assert anonymous.post(f"/collect/{Q4}/form", data={**form, "csrf": token}).status_code == 401


def test_a_form_read_before_a_colleague_submitted_does_not_undo_their_values(app, app_url: str) -> None:  # type: ignore[no-untyped-def]
    lan = sign_in(app, "lan")
    form = _form(lan.get(f"/collect/{Q4}").text, TELECOM)  # read while nothing is submitted
    with unit_of_work(make_engine(app_url)) as s:  # meanwhile a colleague submits a file
        rows = [Row(code, 150.0 if code == "mobile_subs_per100" else 90.0, "VNNIC") for code in TELECOM]
        workflow.submit(
            s, user=get_user(s, "minh"), agency="BKHCN", period=Period.parse(Q4), rows=rows, channel="csv", name="f"
        )
    answer = lan.post(f"/collect/{Q4}/form", data=form, follow_redirects=False)
    assert answer.status_code == 409 and "version 1" in html.unescape(answer.text)
    assert _stored(app_url) == (1, 0)  # the colleague's version stands alone
