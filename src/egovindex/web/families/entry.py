"""Typing values in the browser: the period's form on the statistics page (save a draft, submit it; plain HTML
forms, no script) and the correction of an approved or released value with its reason, with the correction's page
and its JSON twin. Each write is authorised first (``collection.access.require``: a submitter or approver of the
agency), then goes the way of the other doors: ``collection.drafts`` (the strict reader of records, then
``workflow.submit`` with channel ``form``) and ``workflow.correct``. A refused form comes back with what was typed
and each problem next to its field; nothing is stored."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from egovindex.collection import drafts, views, workflow
from egovindex.collection.access import AuthorisationError, get_user, require
from egovindex.collection.drafts import FIELDS, Typed
from egovindex.collection.intake import typed_number
from egovindex.domain.periods import Period
from egovindex.sources.files import InputError, Problem
from egovindex.store.db import unit_of_work
from egovindex.web import routedoc
from egovindex.web.identity import check_csrf, csrf_token, require_signed_in
from egovindex.web.params import (
    MAX_FORM_ROWS,
    MAX_ID,
    CellText,
    Code,
    FormCode,
    FormNumber,
    FormText,
    FreeText,
    NumberText,
    PeriodText,
    RuleCode,
    ValuesVersion,
)
from egovindex.web.site import Site, SiteDep, guarded, period_of

router = APIRouter()


class EntryForm(BaseModel):
    """The period's form: the agency it was shown for, the draft's version it was read with, and one row per
    statistic, each field a list in the order of the rows (``indicator[i]``, ``value[i]``, ...)."""

    csrf: str = Field(max_length=200)
    agency: str = Field(max_length=20, description="the agency whose values these are")
    draft_version: int = Field(0, ge=0, le=MAX_ID, description="the draft's version as read (0: none)")
    based_on: int | None = Field(
        None, ge=0, le=MAX_ID, description="the submission's version the form showed (0: none); a newer one is kept"
    )
    indicator: list[FormCode] = Field(default_factory=list, max_length=MAX_FORM_ROWS)
    value: list[FormNumber] = Field(default_factory=list, max_length=MAX_FORM_ROWS)
    source: list[FormText] = Field(default_factory=list, max_length=MAX_FORM_ROWS)
    method_note: list[FormText] = Field(default_factory=list, max_length=MAX_FORM_ROWS)
    evidence: list[FormText] = Field(default_factory=list, max_length=MAX_FORM_ROWS)

    def rows(self) -> list[Typed]:
        """The rows as typed; a field left out altogether counts as blank in every row."""
        n = len(self.indicator)
        columns = {f: getattr(self, f) or [""] * n for f in FIELDS}
        if any(len(c) != n for c in columns.values()):
            raise InputError(
                [
                    Problem(
                        drafts.CHANNEL, None, None, "the form's fields do not line up: reload the page and type again"
                    )
                ]
            )
        return [Typed(code, *(columns[f][i] for f in FIELDS)) for i, code in enumerate(self.indicator)]


Entry = Annotated[EntryForm, Form()]


def form_view(
    site: Site,
    request: Request,
    data: dict[str, Any],
    typed: list[Typed] | None = None,
    problems: Sequence[Problem] = (),
) -> dict[str, Any]:
    """What the statistics page's form shows besides ``data``: each row's fields (as typed in a refused form, else
    the draft, else the current version's values, written with the page's decimal separator) and the problems,
    by statistic and field (those of no row on their own)."""
    decimal = "," if site.language(request) == "vi" else "."
    rows: dict[str, dict[str, str]] = {}
    origin = None
    if typed is not None:
        origin, rows = "typed", {t.indicator: asdict(t) for t in typed}
    elif data.get("draft"):
        origin, rows = "draft", {r["indicator"]: r for r in data["draft"]["values"]}
    elif data.get("submission"):
        sub = data["submission"]
        origin = "submission"
        rows = {
            code: {"value": typed_number(value, decimal), **sub["entries"][code]}
            for code, value in sub["values"].items()
        }
    by_field: dict[str, dict[str, list[str]]] = {}
    listed = []
    for p in problems:
        code = typed[p.row - 1].indicator if typed and p.row and 0 < p.row <= len(typed) else None
        field = p.column if p.column in FIELDS else "indicator"
        if code is not None:
            by_field.setdefault(code, {}).setdefault(field, []).append(p.message)
        listed.append({"indicator": code, "field": field if code else None, "message": p.message})
    return {"entry": {"rows": rows, "from": origin, "problems": by_field, "listed": listed}}


def _page(
    site: Site, request: Request, username: str, p: Period, typed: list[Typed], problems: list[Problem], status: int
) -> HTMLResponse:
    """The statistics page again, with what was typed and why it was refused."""
    data = views.agency_period(site.engine, username, p)
    view = {
        "csrf": csrf_token(request),
        "problems": [],
        "message": None,
        "json_url": f"/collect/{p}.json",
        "refused": status,
    }
    response = site.html(request, "collect.html", data, view | form_view(site, request, data, typed or None, problems))
    response.status_code = status
    return response


def _write(site: Site, request: Request, period: str, form: EntryForm, action: str) -> Response:
    """Save the form as the draft (``action`` draft) or submit it (submit), for the signed-in user; back to the
    period's page, or the page with the form as typed and its problems: 422 for values refused, 409 when the state of
    the data does not allow it (a lock, a draft saved meanwhile)."""
    check_csrf(request, form.csrf)
    username = require_signed_in(request)
    p = period_of(period)
    typed: list[Typed] = []
    try:
        with unit_of_work(site.engine) as s:
            user = get_user(s, username)
            require(user, action, agency=form.agency, day=p.end)  # first: a stranger learns nothing more
            typed = form.rows()
            if action == "draft":
                drafts.save(s, user=user, agency=form.agency, period=p, rows=typed, expected_version=form.draft_version)
            else:
                drafts.submit(
                    s,
                    user=user,
                    agency=form.agency,
                    period=p,
                    rows=typed,
                    draft_version=form.draft_version,
                    based_on=form.based_on,
                )
    except AuthorisationError as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None
    except InputError as exc:
        return _page(site, request, username, p, typed, exc.problems, 422)
    except workflow.WorkflowError as exc:
        state = isinstance(exc, workflow.ConflictError) or action == "submit"
        problem = Problem(drafts.CHANNEL, None, None, str(exc))
        return _page(site, request, username, p, typed, [problem], 409 if state else 422)
    return RedirectResponse(f"/collect/{p}#entry", status_code=303)


@router.post("/collect/{period}/draft", **routedoc.FORM)
def save_draft(site: SiteDep, request: Request, period: PeriodText, form: Entry) -> Response:
    """Keep the values typed in the period's form as the agency's draft (replacing the one the form was read with;
    refused if someone saved another meanwhile). Nothing is validated: a draft is not a submission."""
    return _write(site, request, period, form, "draft")


@router.post("/collect/{period}/form", **routedoc.FORM)
def submit_form(site: SiteDep, request: Request, period: PeriodText, form: Entry) -> Response:
    """Submit the values typed in the period's form, as an upload is submitted (the strict reader, then the
    rules); the draft goes with it."""
    return _write(site, request, period, form, "submit")


# ------------------------------------------------------------------------------------------- corrections
@router.get("/collect/{period}/correct.json", tags=["statistics"])
def correction_json(site: SiteDep, request: Request, period: PeriodText) -> JSONResponse:
    """The signed-in user's agency: the approved or released values of its current version for the period, which
    may be corrected with a reason, and what stands in the way."""
    return JSONResponse(views.correction(site.engine, require_signed_in(request), period_of(period)))


@router.get("/collect/{period}/correct", **routedoc.SIGNED_IN_PAGE)
def correction_page(site: SiteDep, request: Request, period: PeriodText) -> Response:
    """Correct an approved or released value of the signed-in user's agency, with its reason."""
    return guarded(site, request, lambda u: views.correction(site.engine, u, period_of(period)), "correct.html")


@router.post("/collect/{period}/correct", **routedoc.FORM)
def correct(
    site: SiteDep,
    request: Request,
    period: PeriodText,
    agency: Code,
    version: ValuesVersion,
    indicator: RuleCode,
    value: NumberText,
    reason: FreeText,
    csrf: str = Form(...),
    source: CellText = "",
    method_note: CellText = "",
) -> Response:
    """A new version of the agency's values with one approved or released value corrected (``workflow.correct``):
    the reason goes into the audit log; approved values are unapproved with it (an approver); released values once
    the lead ministry has opened the correction."""
    check_csrf(request, csrf)
    username = require_signed_in(request)
    p = period_of(period)
    typed = {"indicator": indicator, "value": value, "reason": reason, "source": source, "method_note": method_note}
    try:
        with unit_of_work(site.engine) as s:
            workflow.correct(
                s,
                user=get_user(s, username),
                agency=agency,
                period=p,
                indicator=indicator,
                value=value,
                reason=reason,
                expected_version=version,
                source=source or None,
                method_note=method_note or None,
            )
    except AuthorisationError as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None
    except InputError as exc:
        return _correction_again(site, request, username, p, typed, exc.problems, 422)
    except workflow.WorkflowError as exc:
        return _correction_again(site, request, username, p, typed, [Problem("correction", None, None, str(exc))], 409)
    return RedirectResponse(f"/collect/{p}", status_code=303)


def _correction_again(
    site: Site,
    request: Request,
    username: str,
    p: Period,
    typed: dict[str, str],
    problems: list[Problem],
    status: int,
) -> HTMLResponse:
    """The correction's page again, with what was typed and why it was refused, by field."""
    by_field: dict[str, list[str]] = {}
    for pr in problems:
        by_field.setdefault(pr.column or "", []).append(pr.message)
    view = {
        "csrf": csrf_token(request),
        "typed": typed,
        "problems": by_field,
        "json_url": f"/collect/{p}/correct.json",
        "refused": status,
    }
    response = site.html(request, "correct.html", views.correction(site.engine, username, p), view)
    response.status_code = status
    return response
