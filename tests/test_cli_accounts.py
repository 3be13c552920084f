"""Accounts through the command line: tokens listed and revoked, sign-out everywhere, passwords, four eyes."""

import json
from pathlib import Path

from typer.testing import CliRunner

from egovindex.cli import app

runner = CliRunner()


def run(*args: str, code: int = 0, stdin: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=stdin)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.output


def test_tokens_sign_out_password_and_self_approval(store_env: Path) -> None:
    run("registry", "load")
    run("users", "add", "admin", "--agency", "BKHCN", "--role", "administrator")
    run("users", "add", "lan", "--agency", "BKHCN", "--role", "submitter")
    token = run("users", "token", "lan", "--label", "VNNIC system").strip()
    tokens = json.loads(run("users", "tokens", "--user", "admin", "-f", "json"))
    assert [(t["user"], t["label"], t["state"]) for t in tokens] == [("lan", "VNNIC system", "active")]
    assert token not in json.dumps(tokens) and tokens[0]["expires_at"]
    assert json.loads(run("users", "tokens", "--user", "lan", "-f", "json"))[0]["user"] == "lan"  # one's own
    assert "may not manage users" in run("users", "tokens", "admin", "--user", "lan", code=2)  # only one's own
    assert json.loads(run("users", "tokens", "lan", "--user", "lan", "-f", "json"))[0]["state"] == "active"
    run("users", "revoke-token", str(tokens[0]["id"]), "--user", "lan")
    assert json.loads(run("users", "tokens", "--user", "admin", "-f", "json"))[0]["state"] == "revoked"
    run("users", "token", "lan")
    assert "1 sessions and tokens ended" in run("users", "sign-out", "lan", "--user", "admin")
    assert "may not manage users" in run("users", "sign-out", "admin", "--user", "lan", code=2)
    assert "at least 12 characters" in run("users", "password", "lan", "--user", "lan", stdin="short\n", code=2)
    assert "password changed" in run("users", "password", "lan", "--user", "lan", stdin="a long new password\n")
    assert "may not manage users" in run("users", "self-approval", "BKHCN", "--allow", "--user", "lan", code=2)
    assert "self-approval allowed" in run("users", "self-approval", "bkhcn", "--allow", "--user", "admin")


def test_settings_never_print_the_key_or_a_database_password(store_env: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from egovindex.settings import get_settings

    monkeypatch.setenv("EGOVINDEX_SECRET_KEY", "the-instance-key-9f2c11ab")
    monkeypatch.setenv("EGOVINDEX_DATABASE_URL", "postgresql+psycopg://egov:s3cret-pw@127.0.0.1:5432/egov")
    get_settings.cache_clear()
    out = run("settings")
    assert "the-instance-key-9f2c11ab" not in out and "s3cret-pw" not in out
    assert "EGOVINDEX_SECRET_KEY = (set)" in out and "egov:***@127.0.0.1" in out
    get_settings.cache_clear()


def test_the_first_command_on_a_fresh_store_verifies_the_log_it_starts(store_env: Path) -> None:
    # the registry is stored by the first command that needs it, in a transaction of its own, so that the log the
    # command then reads (and the signed head beside it) already holds it
    assert "audit log verified: 2 entries" in run("audit", "verify")
    assert "audit log verified: 2 entries" in run("audit", "verify")


def test_an_empty_password_read_from_stdin_is_refused(store_env: Path) -> None:
    """--password-stdin with an empty line must not create an account that nobody can sign in to."""
    run("registry", "load")
    out = run("users", "add", "hoa", "--agency", "BKHCN", "--role", "lead", "--password-stdin", stdin="\n", code=2)
    assert "at least 12 characters" in out
    assert "created" in run("users", "add", "hoa", "--agency", "BKHCN", "--role", "lead")  # nothing was stored


def test_at_a_terminal_the_new_password_is_asked_twice_without_echo(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pytest
    import typer

    from egovindex.cli import collect_cmd

    answers = iter(["a long new password", "a long new password", "one", "another"])
    monkeypatch.setattr(collect_cmd.sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(collect_cmd.getpass, "getpass", lambda prompt="": next(answers))
    assert collect_cmd._new_password() == "a long new password"
    with pytest.raises(typer.Exit):
        collect_cmd._new_password()  # the two differ: nothing is changed
