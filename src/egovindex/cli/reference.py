"""The CLI reference (docs/cli.md), generated from the commands' own ``--help``: ``make docs``.

A test checks that docs/cli.md equals this output, so the reference cannot drift from the code.
"""

from __future__ import annotations

import os
from typing import Any

import typer.main
from typer.testing import CliRunner

from egovindex.cli import app


def _walk(command: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    out = [(path, command)]
    for name in sorted(getattr(command, "commands", {}) or {}):
        out.extend(_walk(command.commands[name], [*path, name]))
    return out


def commands() -> list[str]:
    """Every command and group, as typed: ``egovindex egdi rank``."""
    return [" ".join(path) for path, _ in _walk(typer.main.get_command(app), ["egovindex"])[1:]]


def markdown() -> str:
    runner = CliRunner()
    env = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    lines = [
        "# Command reference",
        "",
        "Generated from the commands' `--help` by `make docs`; do not edit by hand.",
        "",
    ]
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        for path, command in _walk(typer.main.get_command(app), ["egovindex"]):
            result = runner.invoke(app, [*path[1:], "--help"], env=env)
            level = "##" if getattr(command, "commands", None) else "###"
            text = "\n".join(line.rstrip() for line in result.output.strip().splitlines())
            lines += [f"{level} `{' '.join(path)}`", "", "```", text, "```", ""]
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
