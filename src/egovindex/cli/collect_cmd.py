"""``egovindex registry``, ``users``, ``collect``, ``release`` and ``audit``: the national statistics workflow.

The command line is the operator's console on the server: ``--user`` names the account an action is taken as,
and that account's agency and role are checked exactly as for the web and API.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sys
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from egovindex.cli.common import record_number
from egovindex.cli.output import Format, console, emit, fail, fail_input, write_file

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from sqlalchemy.orm import Session

    from egovindex.domain.periods import Period

registry_app = typer.Typer(help="The registry of agencies, indicators, targets and rules.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
collect_app = typer.Typer(
    help="Quarterly and annual submissions: templates, submit, validate, approve, release.", no_args_is_help=True
)
release_app = typer.Typer(help="Releases to the UN, ITU, UNESCO, UNDP and the Government Office.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)

FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table, csv or json")]
UserOpt = Annotated[str, typer.Option("--user", "-u", help="The account the action is taken as.")]
PeriodOpt = Annotated[str, typer.Option("--period", "-p", help="2026Q4 for a quarter, 2026 for a year.")]
SubmissionArg = Annotated[int, typer.Argument(callback=record_number("submission"))]
DiscrepancyArg = Annotated[int, typer.Argument(callback=record_number("discrepancy"))]


@contextmanager
def _session() -> Iterator[Session]:
    from egovindex.cli.common import engine
    from egovindex.collection.registry_store import ensure_registry
    from egovindex.store.db import unit_of_work

    with unit_of_work(engine()) as session:  # committed first: what the action reads includes it
        ensure_registry(session)
    with unit_of_work(engine()) as session:
        yield session


def _run(action: Callable[[Session], Any]) -> Any:
    """Run an action in one transaction and turn the workflow's errors into clear messages.

    The action returns plain data (text, numbers, dicts, lists, plain dataclasses), read inside the transaction:
    the store's objects do not outlive it, and reading one afterwards fails (a lazy load on a closed session). A
    result that still holds one is refused here, at once, rather than when some branch happens to read it.
    """
    from egovindex.collection.access import AuthorisationError
    from egovindex.collection.workflow import WorkflowError
    from egovindex.domain.periods import PeriodError
    from egovindex.sources.files import InputError

    try:
        with _session() as session:
            return _plain(action(session))
    except InputError as exc:
        raise fail_input(exc) from None
    except (WorkflowError, AuthorisationError, PeriodError, KeyError, ValueError) as exc:
        raise fail(str(exc.args[0]) if exc.args else str(exc)) from None


def _do(action: Callable[[Session], Any]) -> None:
    """Run an action for its effect, in one transaction, as ``_run`` does; its result is not kept."""

    def effect(session: Session) -> None:
        action(session)

    _run(effect)


def _plain(value: Any) -> Any:
    """The value, after checking that no object of the store is in it."""
    import dataclasses

    from sqlalchemy import inspect
    from sqlalchemy.orm import InstanceState

    if value is None or isinstance(value, str | bytes | int | float | bool | dt.date):
        return value
    if isinstance(inspect(value, raiseerr=False), InstanceState):
        raise TypeError(f"a {type(value).__name__} of the store was returned from its transaction: return plain data")
    if isinstance(value, dict):
        items: Any = value.values()
    elif isinstance(value, list | tuple | set | frozenset):
        items = value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        items = [getattr(value, f.name) for f in dataclasses.fields(value)]
    else:
        return value
    for item in items:
        _plain(item)
    return value


def _period(text: str):  # type: ignore[no-untyped-def]
    from egovindex.domain.periods import Period, PeriodError

    try:
        return Period.parse(text)
    except PeriodError as exc:
        raise fail(str(exc)) from None


# ------------------------------------------------------------------------------------------- registry
@registry_app.command("load")
def registry_load() -> None:
    """Store this version of the registry (agencies, indicators, targets, rules) if it is not stored yet."""
    from egovindex import registry
    from egovindex.cli.common import engine
    from egovindex.collection.registry_store import ensure_registry
    from egovindex.store.db import unit_of_work

    with unit_of_work(engine()) as session:
        version, added = ensure_registry(session, actor=f"cli:{getpass.getuser()}")
    reg = registry.load()
    console().print(
        f"registry {version.digest[:16]} {'stored' if added else 'already stored'}: "
        f"{len(reg.agencies)} agencies, {len(reg.indicators)} indicators, {len(reg.targets)} targets, "
        f"{len(reg.rules)} rules"
    )


@registry_app.command("show")
def registry_show(
    what: Annotated[str, typer.Argument(help="agencies, indicators or targets")] = "indicators",
    at: Annotated[str | None, typer.Option(help="Date (YYYY-MM-DD): the agencies that existed then.")] = None,
    block: Annotated[str | None, typer.Option(help="ministry, ministry_level, government_agency, province")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """List the registry's agencies (on a date), indicators or targets."""
    from egovindex import registry

    reg = registry.load()
    if what == "agencies":
        try:
            day = dt.date.fromisoformat(at) if at else dt.date.today()
        except ValueError:
            raise fail(f"--at: {at!r} is not a date (YYYY-MM-DD)") from None
        blocks = sorted({a.block for a in reg.agencies})
        if block is not None and block not in blocks:
            raise fail(f"unknown block {block!r}; blocks: {', '.join(blocks)}")
        rows = [
            {
                "code": a.code,
                "name_vi": a.name_vi,
                "name": a.name,
                "block": a.block,
                "valid_from": a.valid_from,
                "valid_to": a.valid_to,
                "successors": ",".join(a.successors),
            }
            for a in reg.agencies_at(day, block)
        ]
        emit(rows, fmt, title=f"Agencies on {day:%d/%m/%Y}: {len(rows)}")
    elif what == "indicators":
        rows = [
            {
                "code": i.code,
                "name_vi": i.name_vi,
                "unit": i.unit,
                "owner": i.owner,
                "contributors": ",".join(i.contributors),
                "recipients": ",".join(i.recipients),
                "cadence": i.cadence,
                "component": i.egdi_component,
            }
            for i in reg.indicators
        ]
        emit(rows, fmt, title="Indicators")
    elif what == "targets":
        emit(
            [
                {k: t.get(k) for k in ("id", "source_document", "target", "value", "deadline", "status")}
                for t in reg.targets
            ],
            fmt,
            title="National targets",
        )
    else:
        raise fail("show agencies, indicators or targets")


# ------------------------------------------------------------------------------------------- users
@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument()],
    agency: Annotated[str, typer.Option(help="Agency code (see 'registry show agencies').")],
    role: Annotated[str, typer.Option(help="administrator, lead, approver, submitter or viewer")],
    full_name: Annotated[str, typer.Option(help="The person's name.")] = "",
    password_stdin: Annotated[bool, typer.Option(help="Read a password (12+ characters) from standard input.")] = False,
) -> None:
    """Create an account (the first administrator is created this way; there is no default password)."""
    from egovindex.collection.accounts import add_user
    from egovindex.store.collection import User

    if not username.strip():
        raise fail("the username is blank")
    for label, value, column in (("the username", username, User.username), ("the name", full_name, User.full_name)):
        limit = column.type.length
        if limit and len(value) > limit:
            raise fail(f"{label} is {len(value)} characters long; at most {limit}")
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    _do(
        lambda s: add_user(
            s,
            actor=f"cli:{getpass.getuser()}",
            username=username,
            agency=agency.upper(),
            role=role,
            password=password,
            full_name=full_name,
        )
    )
    console().print(f"user {username} ({role}, {agency.upper()}) created")


@users_app.command("token")
def users_token(
    username: Annotated[str, typer.Argument()],
    label: Annotated[str, typer.Option(help="What the token is for (e.g. the agency's reporting system).")] = "",
) -> None:
    """Issue an API token with which a program acts as this user; it is printed once and only its hash is kept."""
    from egovindex.collection.accounts import issue_token
    from egovindex.settings import get_settings

    days = get_settings().token_days
    token = _run(lambda s: issue_token(s, actor=f"cli:{getpass.getuser()}", username=username, label=label, days=days))
    typer.echo(token)


@users_app.command("tokens")
def users_tokens(
    user: UserOpt,
    username: Annotated[
        str | None, typer.Argument(help="Whose tokens (default: your own; every user's for an administrator).")
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """List API tokens: label, created, expiry, last use and state (your own, or anyone's for an administrator)."""
    from egovindex.collection import sessions
    from egovindex.collection.access import get_user

    def listing(s: Any) -> Any:
        me = get_user(s, user)
        whose = username if username is not None else (None if me.role == "administrator" else me.username)
        return sessions.tokens(s, user=me, username=whose)

    emit(_run(listing), fmt, title="API tokens")


@users_app.command("revoke-token")
def users_revoke_token(
    token: Annotated[int, typer.Argument(help="The token's number (see 'users tokens').")], user: UserOpt
) -> None:
    """Revoke an API token (its own user, or an administrator)."""
    from egovindex.collection import sessions
    from egovindex.collection.access import get_user

    _do(lambda s: sessions.revoke_token(s, user=get_user(s, user), token_id=token))
    console().print(f"token {token} revoked")


@users_app.command("sign-out")
def users_sign_out(username: Annotated[str, typer.Argument()], user: UserOpt) -> None:
    """End every web session and API token of a user at once (an administrator, or the user themselves)."""
    from egovindex.collection import sessions
    from egovindex.collection.access import get_user

    ended = _run(lambda s: sessions.sign_out_everywhere(s, user=get_user(s, user), username=username))
    console().print(f"{username}: {ended} sessions and tokens ended")


@users_app.command("password")
def users_password(
    username: Annotated[str, typer.Argument()],
    user: UserOpt,
) -> None:
    """Set a user's password (an administrator, or the user themselves); every session and token of the user ends.
    At a terminal the new password is asked twice, without showing it; otherwise it is read as one line of
    standard input (12+ characters)."""
    from egovindex.collection.access import get_user
    from egovindex.collection.accounts import set_password

    password = _new_password()
    _do(lambda s: set_password(s, user=get_user(s, user), username=username, password=password))
    console().print(f"{username}: password changed; sessions and tokens ended")


def _new_password() -> str:
    """The new password: asked twice without echo at a terminal, else one line of standard input."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("new password (12+ characters): ")
    if getpass.getpass("the same again: ") != first:
        raise fail("the two passwords differ; nothing was changed")
    return first


@users_app.command("self-approval")
def users_self_approval(
    agency: Annotated[str, typer.Argument(help="Agency code.")],
    user: UserOpt,
    allow: Annotated[
        bool, typer.Option("--allow/--forbid", help="Allow or forbid (the default) self-approval.")
    ] = False,
) -> None:
    """Allow an agency's approvers to approve their own submissions, or forbid it again (an administrator); four
    eyes is the default, and every change is in the audit log."""
    from egovindex.collection.access import get_user
    from egovindex.collection.accounts import set_self_approval

    _do(lambda s: set_self_approval(s, user=get_user(s, user), agency=agency.upper(), allow=allow))
    console().print(f"{agency.upper()}: self-approval {'allowed' if allow else 'forbidden'}")


# ------------------------------------------------------------------------------------------- collect
@collect_app.command("template")
def template(
    agency: Annotated[str, typer.Option(help="Agency code.")],
    period: PeriodOpt,
    out: Annotated[Path | None, typer.Option(help="File to write (default: <agency>_<period>.xlsx).")] = None,
) -> None:
    """Generate the Excel template of an agency for a period."""
    from egovindex.collection.intake import indicators_for
    from egovindex.collection.intake import template as build

    p = _period(period)
    try:
        data = build(agency.upper(), p)
    except KeyError as exc:
        raise fail(str(exc.args[0])) from None
    target = out or Path(f"{agency.upper()}_{p}.xlsx")
    write_file(target, data)
    console().print(f"wrote {target}: {len(indicators_for(agency.upper(), p))} indicators, due {p.deadline:%d/%m/%Y}")


@collect_app.command("submit")
def submit(
    user: UserOpt,
    file: Annotated[
        Path | None, typer.Argument(help="The filled template (.xlsx), a CSV file, or JSON records.")
    ] = None,
    agency: Annotated[str | None, typer.Option(help="Agency code (with a file).")] = None,
    period: Annotated[
        str | None, typer.Option("--period", "-p", help="Period (read from the template if absent).")
    ] = None,
    from_dossiers: Annotated[
        bool,
        typer.Option(
            "--from-dossiers",
            help="Submit the quarter's figures computed from the dossier records (egovindex services) as their "
            "owner agency's values, instead of a file.",
        ),
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Submit an agency's values: every problem is reported at once; errors store nothing."""
    import hashlib

    from egovindex.collection import intake, workflow
    from egovindex.collection.access import get_user
    from egovindex.sources.files import InputError

    if from_dossiers:
        if file is not None or period is None:
            raise fail("--from-dossiers takes no file, and needs --period (a quarter, e.g. 2026Q3)")
        _report_submission(_run(lambda s: _dossier_figures(s, user, _period(period))), fmt)
        return
    if file is None or agency is None:
        raise fail("give the file to submit and --agency (or --from-dossiers)")
    if not file.is_file():
        raise fail(f"{file}: no such file")
    limits = intake.Limits.from_settings()
    try:
        intake.check_size(str(file), file.stat().st_size, limits)  # before reading it
        data = file.read_bytes()
        p = _period(period or _template_period(file, data, limits))
    except InputError as exc:
        raise fail_input(exc) from None
    agency = agency.upper()

    def act(session: Session) -> Any:
        rows = intake.read(str(file), data, agency=agency, period=p, limits=limits)
        sub, failures = workflow.submit(
            session,
            user=get_user(session, user),
            agency=agency,
            period=p,
            rows=rows,
            channel=file.suffix.lower().lstrip("."),
            name=str(file),
            source_uri=str(file),
            source_sha256=hashlib.sha256(data).hexdigest(),
        )
        return _receipt(sub, failures, len(rows))

    _report_submission(_run(act), fmt)


def _dossier_figures(session: Session, user: str, period: Period) -> dict[str, Any]:
    from egovindex.collection.access import get_user
    from egovindex.services import figures

    sub, failures = figures.submit(session, user=get_user(session, user), period=period)
    return _receipt(sub, failures, len(sub.values))


def _receipt(sub: Any, failures: list[Any], values: int) -> dict[str, Any]:
    return {
        "submission": sub.id,
        "agency": sub.agency_code,
        "period": sub.period,
        "version": sub.version,
        "status": sub.status,
        "values": values,
        "warnings": [str(f) for f in failures],
    }


def _report_submission(result: dict[str, Any], fmt: Format) -> None:
    if fmt is Format.json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    console().print(
        f"submission {result['submission']}: {result['agency']} {result['period']} version "
        f"{result['version']}, {result['values']} values, {result['status']}"
    )
    for w in result["warnings"]:
        console().print(f"  warning (justify with 'collect justify'): {w}")


def _template_period(file: Path, data: bytes, limits: Any) -> str:
    """The period a template was generated for (its hidden meta sheet), read within the limits."""
    from egovindex.collection import intake

    if file.suffix.lower() != ".xlsx":
        raise fail(f"give --period for a {file.suffix.lstrip('.').upper() or 'plain'} file")
    meta = intake.template_meta(str(file), data, limits)
    if meta is None:
        raise fail(f"{file}: no period in the file; give --period")
    return meta.get("period") or ""


@collect_app.command("justify")
def justify(
    submission: Annotated[int, typer.Argument(help="Submission number.", callback=record_number("submission"))],
    rule: Annotated[str, typer.Option(help="The warning's rule id.")],
    text: Annotated[str, typer.Option(help="The written justification.")],
    user: UserOpt,
    indicator: Annotated[str | None, typer.Option(help="Only this indicator's warning.")] = None,
) -> None:
    """Justify a warning; once all are justified the values are validated."""
    from egovindex.collection import workflow
    from egovindex.collection.access import get_user

    status = _run(
        lambda s: (
            workflow.justify(
                s, user=get_user(s, user), submission_id=submission, rule=rule, text=text, indicator=indicator
            ).status
        )
    )
    console().print(f"submission {submission}: {status}")


@collect_app.command("approve")
def approve(submission: SubmissionArg, user: UserOpt) -> None:
    """Approve validated values (an approver of the agency)."""
    from egovindex.collection import workflow
    from egovindex.collection.access import get_user

    _do(lambda s: workflow.approve(s, user=get_user(s, user), submission_id=submission))
    console().print(f"submission {submission}: approved")


@collect_app.command("unapprove")
def unapprove(submission: SubmissionArg, reason: Annotated[str, typer.Option()], user: UserOpt) -> None:
    """Take an approval back, with a reason, so that the values can be changed."""
    from egovindex.collection import workflow
    from egovindex.collection.access import get_user

    _do(lambda s: workflow.unapprove(s, user=get_user(s, user), submission_id=submission, reason=reason))
    console().print(f"submission {submission}: validated again ({reason})")


@collect_app.command("release")
def release(
    recipient: Annotated[str, typer.Option(help="ITU, UIS, UNDP, UNDESA or VPCP.")],
    period: PeriodOpt,
    user: UserOpt,
    reason: Annotated[str | None, typer.Option(help="Why, when this corrects an earlier release.")] = None,
) -> None:
    """Release the approved values owed to a recipient for a period (the lead ministry)."""
    from egovindex.collection import workflow
    from egovindex.collection.access import get_user

    p = _period(period)

    def act(session: Session) -> dict[str, Any]:
        result = workflow.release(
            session, user=get_user(session, user), recipient=recipient.upper(), period=p, reason=reason
        )
        rel = result.release
        return {
            "id": rel.id,
            "created": result.created,
            "recipient": rel.recipient,
            "period": rel.period,
            "values": len(rel.values),
            "hash": rel.content_hash,
            "missing": list(result.missing),
        }

    done = _run(act)
    verb = "created" if done["created"] else "unchanged, still"
    console().print(
        f"release {done['id']} {verb}: {done['recipient']} {done['period']}, {done['values']} values, "
        f"hash {done['hash'][:16]}"
    )
    for m in done["missing"]:
        console().print(f"  not released (not approved): {m}")


@collect_app.command("correct")
def correct(
    agency: Annotated[str, typer.Option(help="Agency code.")],
    period: PeriodOpt,
    reason: Annotated[str, typer.Option(help="Why released values must be corrected.")],
    user: UserOpt,
) -> None:
    """Reopen an agency's released values for a correction (the lead ministry); the release itself stays."""
    from egovindex.collection import workflow
    from egovindex.collection.access import get_user

    p = _period(period)
    _do(lambda s: workflow.open_correction(s, user=get_user(s, user), agency=agency.upper(), period=p, reason=reason))
    console().print(f"{agency.upper()} {p}: correction opened; submit the corrected values, then release again")


@collect_app.command("close")
def close(period: PeriodOpt, user: UserOpt) -> None:
    """Close a period: no more submissions or changes."""
    from egovindex.collection import workflow
    from egovindex.collection.access import get_user

    _do(lambda s: workflow.set_period(s, user=get_user(s, user), period=_period(period), closed=True))
    console().print(f"period {period} closed")


@collect_app.command("reopen")
def reopen(period: PeriodOpt, user: UserOpt) -> None:
    """Reopen a closed period."""
    from egovindex.collection import workflow
    from egovindex.collection.access import get_user

    _do(lambda s: workflow.set_period(s, user=get_user(s, user), period=_period(period), closed=False))
    console().print(f"period {period} reopened")


@collect_app.command("status")
def status(period: PeriodOpt, fmt: FormatOpt = Format.table) -> None:
    """Completeness and timeliness of every agency for a period, with what locks its values."""
    from egovindex.collection import workflow

    p = _period(period)
    rows = _run(lambda s: workflow.status(s, period=p))
    emit(
        rows,
        fmt,
        title=f"Submissions for {p} (due {p.deadline:%d/%m/%Y})",
        digits=2,
        columns=[
            "agency",
            "name",
            "expected",
            "submitted",
            "completeness",
            "status",
            "version",
            "on_time",
            "overdue",
            "locked",
        ],
    )


# ------------------------------------------------------------------------------------------- releases, audit
@release_app.command("list")
def release_list(fmt: FormatOpt = Format.table) -> None:
    """Every release, newest first."""
    from sqlalchemy import select

    from egovindex.store.collection import Release

    rows = _run(
        lambda s: [
            {
                "id": r.id,
                "recipient": r.recipient,
                "period": r.period,
                "values": len(r.values),
                "hash": r.content_hash,
                "created_at": str(r.created_at),
                "created_by": r.created_by,
                "corrects": r.supersedes_id,
                "reason": r.reason,
            }
            for r in s.scalars(select(Release).order_by(Release.id.desc()))
        ]
    )
    emit(rows, fmt, title="Releases")


@release_app.command("export")
def release_export(
    release_id: Annotated[int, typer.Argument(help="Release number.", callback=record_number("release"))],
    fmt: Annotated[str, typer.Option("--format", "-f", help="sdmx-csv, sdmx-ml or xlsx")] = "sdmx-csv",
    out: Annotated[Path | None, typer.Option(help="File to write (default: standard output for SDMX).")] = None,
) -> None:
    """Export a release as SDMX-CSV, SDMX-ML (checked against the structure) or Excel."""
    from egovindex.collection import export
    from egovindex.store.collection import Release

    def act(session: Session) -> bytes:
        rel = session.get(Release, release_id)
        if rel is None:
            raise KeyError(f"no release {release_id}")
        if fmt == "xlsx":
            return export.to_xlsx(rel)
        return export.to_sdmx(rel, fmt).encode()

    data = _run(act)
    if out is None and fmt == "xlsx":
        out = Path(f"release_{release_id}.xlsx")
    if out is None:
        sys.stdout.write(data.decode())
    else:
        write_file(out, data)
        console().print(f"wrote {out}")


class AuditFormat(StrEnum):
    table = "table"
    json = "json"


AuditFormatOpt = Annotated[AuditFormat, typer.Option("--format", "-f", help="table or json")]


def _audit_problems(result: Any, fmt: AuditFormat, what: str) -> typer.Exit:
    """Print each problem of a verification on its own line (or as JSON), and return the Exit (code 1)."""
    if fmt is AuditFormat.json:
        typer.echo(json.dumps(_verification(result), ensure_ascii=False, indent=2))
    else:
        for p in result.problems:
            typer.echo(str(p))
    return fail(f"the audit log is not intact: {len(result.problems)} problem(s){what}", code=1)


def _verification(result: Any) -> dict[str, Any]:
    return {
        "intact": result.ok,
        "entries": result.entries,
        "rows": result.rows,
        "head_file": result.head_file,
        "problems": [p.as_dict() for p in result.problems],
    }


@audit_app.command("verify")
def audit_verify(fmt: AuditFormatOpt = AuditFormat.table) -> None:
    """Check the audit log: chain, signed head and every covered row; a line per problem, exit code 1 if any."""
    from egovindex.collection import audit

    result = _run(audit.verify)
    if not result.ok:
        raise _audit_problems(result, fmt, "")
    if fmt is AuditFormat.json:
        typer.echo(json.dumps(_verification(result), ensure_ascii=False, indent=2))
        return
    signed = f"signed head matches {result.head_file}" if result.head_file else "no head file (in-memory store)"
    console().print(
        f"audit log verified: {result.entries} entries, chain intact, {signed}, {result.rows} rows match the log",
        markup=False,
        highlight=False,
    )


@audit_app.command("fingerprint")
def audit_fingerprint(
    entries: Annotated[
        int | None,
        typer.Option(
            "--entries", min=0, help="The log as it stood after this many entries (an earlier cover letter's)."
        ),
    ] = None,
    fmt: AuditFormatOpt = AuditFormat.table,
) -> None:
    """The log's fingerprint for a release's cover letter: entries, head hash, and a code only this instance gives."""
    from egovindex.collection import audit

    def act(session: Session) -> tuple[Any, Any]:
        result = audit.verify(session)
        return result, audit.fingerprint(session, entries=entries) if result.ok else None

    result, found = _run(act)
    if found is None:
        raise _audit_problems(result, fmt, ": no fingerprint")
    row = {"entries": found.entries, "head": found.head, "code": found.code}
    if fmt is AuditFormat.json:
        typer.echo(json.dumps(row, indent=2))
        return
    emit([row], Format.table, title="Audit log fingerprint")


@audit_app.command("seal")
def audit_seal(
    user: UserOpt,
    reason: Annotated[str, typer.Option(help="What was looked into, and why the head is sealed anew.")],
) -> None:
    """Seal the log: sign its head anew after a restore or a key change (an administrator); the log must verify."""
    from egovindex.collection import audit
    from egovindex.collection.access import get_user

    _run(lambda s: audit.seal(s, user=get_user(s, user), reason=reason))
    found = _run(audit.fingerprint)
    console().print(f"audit head sealed: {found}", markup=False, highlight=False)


@collect_app.command("discrepancies")
def discrepancies(
    period: Annotated[str | None, typer.Option("--period", "-p", help="Only this period.")] = None,
    status: Annotated[str | None, typer.Option(help="open, resolved, agreed or replaced")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Values of the same statistic that two agencies reported differently."""
    from egovindex.collection import reconcile

    p = _period(period) if period else None
    rows, releases = _run(
        lambda s: (reconcile.listing(s, period=p, status=status), reconcile.recipients_disagree(s, period=p))
    )
    if fmt is Format.json:
        typer.echo(json.dumps({"agencies": rows, "recipients": releases}, ensure_ascii=False, indent=2, default=str))
        return
    emit(rows, fmt, title="Discrepancies between agencies", digits=3)
    for r in releases:
        values = ", ".join(f"{k} {v['value']:g} (release {v['release']})" for k, v in r["releases"].items())
        console().print(f"released differently to recipients: {r['indicator']} {r['period']}: {values}")


@collect_app.command("comment")
def comment(discrepancy: DiscrepancyArg, text: Annotated[str, typer.Option()], user: UserOpt) -> None:
    """Add a comment to a discrepancy's thread."""
    from egovindex.collection import reconcile
    from egovindex.collection.access import get_user

    _do(lambda s: reconcile.comment(s, user=get_user(s, user), discrepancy_id=discrepancy, text=text))
    console().print(f"comment added to discrepancy {discrepancy}")


@collect_app.command("resolve")
def resolve(
    discrepancy: DiscrepancyArg,
    reason: Annotated[str, typer.Option(help="Why this value stands.")],
    user: UserOpt,
    value: Annotated[float | None, typer.Option(help="The reconciled value.")] = None,
    choose: Annotated[str | None, typer.Option(help="The agency whose value stands.")] = None,
) -> None:
    """Settle a discrepancy (an approver of the owner agency)."""
    from egovindex.collection import reconcile
    from egovindex.collection.access import get_user

    def act(session: Session) -> tuple[str, str, Any]:
        d = reconcile.resolve(
            session,
            user=get_user(session, user),
            discrepancy_id=discrepancy,
            reason=reason,
            value=value,
            choose=choose.upper() if choose else None,
        )
        return d.indicator_code, d.period, d.resolved_value

    indicator, period, resolved = _run(act)
    console().print(f"discrepancy {discrepancy} resolved: {indicator} {period} = {resolved:g}")
