"""Hostile invocations of the command line. Each ends with one clear line on stderr and exit code 2 (1 where a
command documents 1 for a negative result), never a traceback; user data is printed as typed, never as markup;
CSV cells never run as spreadsheet formulas."""

import csv
import io
import re
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from egovindex.cli import app, main
from egovindex.cli.output import Format, emit

runner = CliRunner()
HUGE = "9" * 21  # beyond any integer the store can hold
VALUES = (
    "indicator_code,value,source\nmobile_subs_per100,140.5,VNNIC\nmobile_broadband_per100,95,VNNIC\n"
    "fixed_broadband_per100,30,VNNIC\n"
)
RELEASED = (
    ("collect", "submit", "{dir}/q.csv", "--agency", "BKHCN", "--user", "lan", "-p", "2026Q4"),
    ("collect", "approve", "1", "--user", "minh"),
    ("collect", "release", "--recipient", "ITU", "-p", "2026Q4", "--user", "hoa"),
)


def invoke(workspace: Path, reference: Path, args: tuple[str, ...], stdin: str | None = None) -> Result:
    typed = [a.format(dir=workspace, ref=reference) for a in args]
    return runner.invoke(app, typed, input=stdin)


def ok(workspace: Path, reference: Path, *args: str) -> str:
    result = invoke(workspace, reference, args)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def workspace(store_env: Path, reference: Path) -> Path:
    """A fresh store with the registry, a submitter, an approver and a lead of BKHCN, and a file of values."""
    ok(store_env, reference, "registry", "load")
    for name, role in (("lan", "submitter"), ("minh", "approver"), ("hoa", "lead")):
        ok(store_env, reference, "users", "add", name, "--agency", "BKHCN", "--role", role)
    (store_env / "q.csv").write_text(VALUES, encoding="utf-8")
    (store_env / "fake.xlsx").write_bytes(b"not a workbook")
    return store_env


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def one_clear_line(result: Result) -> str:
    """The single line written to stderr, after checking that nothing else was."""
    no_traceback(result)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and len(lines[0]) < 400, lines[0]
    return lines[0]


# (name, commands run first, the hostile command, exit code, text the error line holds)
HOSTILE: list[tuple[str, tuple[tuple[str, ...], ...], tuple[str, ...], int, str]] = [
    (
        "template-year-9999",
        (),
        ("collect", "template", "--agency", "BKHCN", "-p", "9999Q4", "--out", "{dir}/t.xlsx"),
        2,
        "9999Q4",
    ),
    (
        "template-quarter-5",
        (),
        ("collect", "template", "--agency", "BKHCN", "-p", "2026Q5", "--out", "{dir}/t.xlsx"),
        2,
        "quarter 5",
    ),
    ("template-unknown-agency", (), ("collect", "template", "--agency", "NOPE", "-p", "2026Q4"), 2, "NOPE"),
    ("status-year-0", (), ("collect", "status", "--period", "0000"), 2, "outside 1990-2100"),
    ("status-quarter-0", (), ("collect", "status", "-p", "2026Q0"), 2, "quarter 0"),
    ("discrepancies-year-2101", (), ("collect", "discrepancies", "-p", "2101"), 2, "outside 1990-2100"),
    ("close-year-1800", (), ("collect", "close", "-p", "1800", "--user", "hoa"), 2, "outside 1990-2100"),
    (
        "release-year-9999",
        (),
        ("collect", "release", "--recipient", "ITU", "-p", "9999Q4", "--user", "hoa"),
        2,
        "9999Q4",
    ),
    (
        "release-unknown-recipient",
        (),
        ("collect", "release", "--recipient", "[/]", "-p", "2026Q4", "--user", "hoa"),
        2,
        "'[/]'",
    ),
    (
        "correct-year-0",
        (),
        ("collect", "correct", "--agency", "BKHCN", "-p", "0000", "--reason", "x", "--user", "hoa"),
        2,
        "0000",
    ),
    ("report-year-9999", (), ("report", "--year", "9999"), 2, "outside 1990-2100"),
    ("report-period-0", (), ("report", "--period", "0000Q1"), 2, "outside 1990-2100"),
    ("rank-1800", (), ("egdi", "rank", "1800"), 2, "edition 1800 is not loaded"),
    ("rank-huge", (), ("egdi", "rank", HUGE), 2, "is not loaded"),
    ("rank-markup-region", (), ("egdi", "rank", "{ref}/egdi/egdi_2016.csv", "--region", "[bold]"), 2, "[bold]"),
    ("compare-huge", (), ("egdi", "compare", "VNM", "-e", HUGE), 2, "is not loaded"),
    ("explain-huge", (), ("explain", "VNM", "--from", "1800", "--to", HUGE), 2, "not loaded"),
    ("profile-XXX", (), ("egdi", "profile", "XXX"), 2, "unknown country name 'XXX'"),
    ("profile-markup", (), ("egdi", "profile", "[/]"), 2, "'[/]'"),
    ("profile-markup-bold", (), ("egdi", "profile", "[bold red]x[/] :thumbs_up:"), 2, "'[bold red]x[/] :thumbs_up:'"),
    (
        "user-10000-characters",
        (),
        ("users", "add", "u" * 10_000, "--agency", "BKHCN", "--role", "viewer"),
        2,
        "at most 100",
    ),
    (
        "full-name-10000-characters",
        (),
        ("users", "add", "u", "--agency", "BKHCN", "--role", "viewer", "--full-name", "n" * 10_000),
        2,
        "at most 200",
    ),
    ("user-empty", (), ("users", "add", " ", "--agency", "BKHCN", "--role", "viewer"), 2, "username"),
    (
        "user-markup",
        (),
        ("users", "add", "[/]", "--agency", "BKHCN", "--role", "viewer"),
        2,
        "user name '[/]': 1 to 100 letters",
    ),
    ("user-markup-agency", (), ("users", "add", "x", "--agency", "[bold]", "--role", "viewer"), 2, "[BOLD]"),
    ("token-nobody", (), ("users", "token", "[/]nobody"), 2, "[/]nobody"),
    (
        "submit-missing-file",
        (),
        ("collect", "submit", "{dir}/nope.csv", "--agency", "BKHCN", "--user", "lan", "-p", "2026Q4"),
        2,
        "no such file",
    ),
    ("approve-nothing", (), ("collect", "approve", "424242", "--user", "minh"), 2, "424242"),
    ("approve-huge", (), ("collect", "approve", HUGE, "--user", "minh"), 2, "no submission"),
    (
        "justify-huge",
        (),
        ("collect", "justify", HUGE, "--rule", "r", "--text", "t", "--user", "lan"),
        2,
        "no submission",
    ),
    ("comment-huge", (), ("collect", "comment", HUGE, "--text", "t", "--user", "minh"), 2, "no discrepancy"),
    ("export-huge", (), ("release", "export", HUGE), 2, f"no release {HUGE}"),
    ("export-missing", (), ("release", "export", "7"), 2, "no release 7"),
    ("simulate-huge-release", (), ("simulate", "-e", "2022", "--release", HUGE), 2, f"no release {HUGE}"),
    ("registry-bad-date", (), ("registry", "show", "agencies", "--at", "31/12/2024"), 2, "'31/12/2024'"),
    ("registry-bad-block", (), ("registry", "show", "agencies", "--block", "[/]"), 2, "'[/]'"),
    ("registry-show-bogus", (), ("registry", "show", "[bold]"), 2, "agencies, indicators or targets"),
    ("sources-load-missing", (), ("sources", "load", "{dir}/nope.csv"), 2, "nope.csv"),
    ("sensitivity-no-draws", (), ("sensitivity", "-e", "2024", "--draws", "0"), 2, "--draws"),
    (
        "template-out-is-a-folder",
        (),
        ("collect", "template", "--agency", "BKHCN", "-p", "2026Q4", "--out", "{dir}"),
        2,
        "cannot write",
    ),
    (
        "template-out-under-a-file",
        (),
        ("collect", "template", "--agency", "BKHCN", "-p", "2026Q4", "--out", "{dir}/q.csv/t.xlsx"),
        2,
        "cannot write",
    ),
    ("export-out-is-a-folder", RELEASED, ("release", "export", "1", "-f", "xlsx", "--out", "{dir}"), 2, "cannot write"),
    (
        "report-out-under-a-file",
        (),
        ("report", "--year", "2025", "-f", "json", "--out", "{dir}/q.csv/r.json"),
        2,
        "cannot write",
    ),
    ("fidelity-edition-1800", (), ("egdi", "fidelity", "--out", "{dir}/f.md", "-e", "1800"), 2, "1800"),
    (
        "fidelity-out-under-a-file",
        (),
        ("egdi", "fidelity", "--out", "{dir}/q.csv/f.md", "-e", "2018"),
        2,
        "cannot write",
    ),
    (
        "sensitivity-negative-concentration",
        (),
        ("sensitivity", "-e", "2024", "--concentration", "-1"),
        2,
        "--concentration",
    ),
    ("sensitivity-nan-error", (), ("sensitivity", "-e", "2024", "--error", "nan"), 2, "--error"),
    ("sensitivity-negative-seed", (), ("sensitivity", "-e", "2024", "--seed", "-1"), 2, "--seed"),
    ("rank-not-a-workbook", (), ("egdi", "rank", "{dir}/fake.xlsx"), 2, "not an Excel workbook"),
    ("load-not-a-workbook", (), ("sources", "load", "{dir}/fake.xlsx"), 2, "not an Excel workbook"),
    (
        "submit-not-a-workbook",
        (),
        ("collect", "submit", "{dir}/fake.xlsx", "--agency", "BKHCN", "--user", "lan"),
        2,
        "fake.xlsx",
    ),
    ("sensitivity-countless-draws", (), ("sensitivity", "-e", "2024", "--draws", HUGE), 2, "--draws"),
    (
        "release-again-not-approved",
        RELEASED[:2],
        ("collect", "release", "--recipient", "UIS", "-p", "2026Q4", "--user", "hoa"),
        2,
        "nothing approved",
    ),
]


@pytest.mark.parametrize(("setup", "args", "code", "text"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_invocation_ends_in_one_clear_line(
    workspace: Path, reference: Path, setup: tuple[tuple[str, ...], ...], args: tuple[str, ...], code: int, text: str
) -> None:
    for step in setup:
        ok(workspace, reference, *step)
    result = invoke(workspace, reference, args)
    line = one_clear_line(result)
    assert result.exit_code == code, result.output
    assert text in line, line


def test_a_negative_result_exits_1_without_an_error(workspace: Path, reference: Path) -> None:
    result = invoke(workspace, reference, ("egdi", "check", "{ref}/egdi/egdi_2008.csv", "--strict"))
    no_traceback(result)
    assert result.exit_code == 1 and "rows outside tolerance: 2" in result.stdout and not result.stderr.strip()


def test_releasing_again_the_same_values_says_so(workspace: Path, reference: Path) -> None:
    for step in RELEASED:
        ok(workspace, reference, *step)
    again = invoke(workspace, reference, RELEASED[-1])
    no_traceback(again)
    assert again.exit_code == 0, again.output
    assert "release 1 unchanged, still: ITU 2026Q4, 3 values" in again.stdout


def test_releasing_after_a_correction_with_the_same_values(workspace: Path, reference: Path) -> None:
    for step in RELEASED:
        ok(workspace, reference, *step)
    ok(
        workspace,
        reference,
        "collect",
        "correct",
        "--agency",
        "BKHCN",
        "-p",
        "2026Q4",
        "--reason",
        "typo",
        "--user",
        "hoa",
    )
    ok(workspace, reference, *RELEASED[0])
    ok(workspace, reference, "collect", "approve", "2", "--user", "minh")
    again = invoke(workspace, reference, (*RELEASED[-1], "--reason", "typo"))
    no_traceback(again)
    assert again.exit_code == 0, again.output
    assert "release 1 unchanged, still: ITU 2026Q4, 3 values" in again.stdout


@pytest.mark.parametrize("name", ["x[/]2", "[bold]x[/bold]", "a:thumbs_up:b", "[link=file:///etc]x", "ev\x1b[2Jil"])
def test_names_are_refused_and_echoed_as_typed(workspace: Path, reference: Path, name: str) -> None:
    # user names follow one rule at every door; the refusal quotes the name as typed, never as markup
    result = invoke(workspace, reference, ("users", "add", name, "--agency", "BKHCN", "--role", "viewer"))
    assert result.exit_code == 2 and repr(name) in one_clear_line(result)
    args = ("users", "add", "u1", "--agency", "BKHCN", "--role", "viewer", "--full-name", name)
    result = invoke(workspace, reference, args)
    if "\x1b" in name:  # a terminal's escape is no name
        assert result.exit_code == 2 and "no control characters" in one_clear_line(result)
    else:  # a full name is free text, printed as typed wherever it is shown
        assert result.exit_code == 0, result.output


def test_tables_print_user_text_as_typed(workspace: Path, reference: Path) -> None:
    for step in RELEASED[:2]:
        ok(workspace, reference, *step)
    ok(workspace, reference, *RELEASED[2], "--reason", "[red]first[/] :warning:")
    assert "[red]first[/] :warning:" in ok(workspace, reference, "release", "list")


def test_an_unexpected_error_is_one_line_and_a_log(store_env: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import egovindex.store.db as db

    def broken(url: str) -> None:
        raise RuntimeError("disk on fire [/]\nsecond line")

    monkeypatch.setattr(db, "upgrade", broken)
    with pytest.raises(SystemExit) as exited:
        main(["db", "upgrade"])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(
        "internal error: RuntimeError: disk on fire [/] second line; the details were written to "
    )
    log = Path(lines[0].split("the details were written to ", 1)[1])
    assert log.parent == store_env / "data"
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "in broken" in text and "egovindex db upgrade" in text
    assert "Traceback" not in captured.out + captured.err


def test_known_errors_through_the_entry_point(workspace: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as exited:
        main(["collect", "template", "--agency", "BKHCN", "--period", "9999Q4"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "internal error" not in err


# ------------------------------------------------------------------------------------------- CSV
def test_csv_cells_never_run_as_formulas(capsys) -> None:  # type: ignore[no-untyped-def]
    row = {
        "name": '=HYPERLINK("http://x")',
        "plus": "+1",
        "minus": "-1",
        "at": "@SUM(A1)",
        "tab": "\t=1",
        "cr": "\r=1",
        "inside": "x\r=1",  # a reader must not start a new row there
        "negative": -1.5,
        "negative_int": -3,
        "plain": "Viet Nam",
        "none": None,
    }
    emit([row], Format.csv)
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out, newline="")))
    assert len(rows) == 1
    assert rows[0] == {
        "name": '\'=HYPERLINK("http://x")',
        "plus": "'+1",
        "minus": "'-1",
        "at": "'@SUM(A1)",
        "tab": "'\t=1",
        "cr": "'\r=1",
        "inside": "x\r=1",
        "negative": "-1.5",
        "negative_int": "-3",
        "plain": "Viet Nam",
        "none": "",
    }


def test_names_in_csv_from_the_store_are_escaped(workspace: Path, reference: Path) -> None:
    ok(
        workspace,
        reference,
        "users",
        "add",
        "--agency",
        "BKHCN",
        "--role",
        "lead",
        "--full-name",
        "=cmd",
        "--",
        "-evil",
    )
    for step in RELEASED[:2]:
        ok(workspace, reference, *step)
    ok(
        workspace,
        reference,
        "collect",
        "release",
        "--recipient",
        "ITU",
        "-p",
        "2026Q4",
        "--user=-evil",
        "--reason",
        "@SUM(1+1)",
    )
    rows = list(csv.DictReader(io.StringIO(ok(workspace, reference, "release", "list", "-f", "csv"))))
    assert rows[0]["created_by"] == "'-evil" and rows[0]["reason"] == "'@SUM(1+1)" and rows[0]["values"] == "3"
    agencies = ok(workspace, reference, "registry", "show", "agencies", "-f", "csv")
    assert re.search(r"^BKHCN,", agencies, re.MULTILINE)


def test_offline_without_reference_data_is_one_clear_line(store_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from egovindex.settings import get_settings

    monkeypatch.setenv("EGOVINDEX_REFERENCE_DATA", str(store_env / "no-such-folder"))
    monkeypatch.setenv("EGOVINDEX_UNDATA_BASE_URL", "http://127.0.0.1:9/un")  # nothing listens there: offline
    get_settings.cache_clear()
    result = runner.invoke(app, ["sources", "load", "--reference", "--or-fetch"])
    line = one_clear_line(result)
    assert result.exit_code == 2 and line.startswith("error: no reference data: ")
    assert "no-such-folder" in line and "127.0.0.1" in line and "EGOVINDEX_REFERENCE_DATA" in line
    get_settings.cache_clear()
