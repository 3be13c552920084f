"""The README's shell commands run as written, in order, on a fresh store.

Every ```sh or ```bash block of README.md is split into commands (a line ending in a backslash goes on with the next
one; blank and comment-only lines are dropped) and each command is run on its own with bash, so the blocks keep no
shell state from one line to the next but the store. Commands that build or serve until stopped are skipped:
those starting with ``make`` (``make run`` serves the web application; ``make test`` runs this suite) and
``egovindex web``.

The commands run as a new user runs them after ``make run``: ``.venv/bin`` first on the PATH, from the project
folder with the reference data at ``../shared/data``. The folder is a stand-in for the project's, in a temporary
directory: its folders are links to the project's (so ``examples/``, ``.venv/`` and the rest are there) and
``../shared/data`` is a link to the reference data (``EGOVINDEX_REFERENCE_DATA``, default ``../shared/data``), so
that the files the commands write (a template, a report) land there and not in the working tree. The store is a new
SQLite file in a temporary data folder; no other ``EGOVINDEX_*`` setting of the environment is passed on.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
LONG_RUNNING = (("make",), ("egovindex", "web"))  # they build, test or serve until stopped: not run
TIMEOUT = 120  # seconds for one command; every command of the README takes a few


def shell_blocks(text: str) -> list[str]:
    """The bodies of the ```sh and ```bash blocks, in order."""
    return re.findall(r"^```(?:sh|bash)\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def commands(block: str) -> list[str]:
    """A block's commands: continued lines joined, blank and comment-only lines dropped."""
    joined = re.sub(r"[ \t]*\\\n[ \t]*", " ", block)
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.strip().startswith("#")]


def long_running(command: str) -> bool:
    words = tuple(shlex.split(command, comments=True))
    return any(words[: len(prefix)] == prefix for prefix in LONG_RUNNING)


def project_stand_in(tmp_path: Path, reference: Path) -> Path:
    """A folder that looks like the project's to the commands, with ``../shared/data`` beside it."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "data").symlink_to(reference, target_is_directory=True)
    project = tmp_path / "project"
    project.mkdir()
    for entry in ROOT.iterdir():
        if entry.is_dir() and entry.name not in {"data", ".git"}:
            (project / entry.name).symlink_to(entry, target_is_directory=True)
    return project


def environment(tmp_path: Path, reference: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EGOVINDEX_")}
    bins = [str(ROOT / ".venv" / "bin"), str(Path(sys.executable).parent)]
    env["PATH"] = os.pathsep.join([*bins, env.get("PATH", "")])
    env["EGOVINDEX_DATA_DIR"] = str(tmp_path / "data")
    env["EGOVINDEX_DATABASE_URL"] = f"sqlite:///{tmp_path / 'data' / 'egovindex.sqlite'}"
    env["EGOVINDEX_REFERENCE_DATA"] = str(reference)
    return env


def test_extraction_joins_continued_lines_and_skips_what_runs_until_stopped() -> None:
    text = "# t\n\n```sh\n# a comment\nmake run   # serves\negovindex egdi rank 2024 \\\n    --region asean\n```\n"
    text += "```\nnot a shell block\n```\n```bash\negovindex web --port 8001\n```\n"
    blocks = shell_blocks(text)
    assert [commands(b) for b in blocks] == [
        ["make run   # serves", "egovindex egdi rank 2024 --region asean"],
        ["egovindex web --port 8001"],
    ]
    assert [long_running(c) for b in blocks for c in commands(b)] == [True, False, True]


def test_every_readme_command_runs_as_written(tmp_path: Path, reference: Path) -> None:
    cwd = project_stand_in(tmp_path, reference)
    env = environment(tmp_path, reference)
    blocks = shell_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    ran: list[str] = []
    for number, block in enumerate(blocks, start=1):
        for command in commands(block):
            if long_running(command):
                continue
            done = subprocess.run(
                ["bash", "--noprofile", "--norc", "-o", "pipefail", "-c", command],
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                check=False,
            )
            if done.returncode != 0:
                pytest.fail(
                    f"README block {number}:\n{block}\ncommand: {command}\nexit code {done.returncode}\n"
                    f"stderr:\n{done.stderr[-4000:]}\nstdout (end):\n{done.stdout[-2000:]}",
                    pytrace=False,
                )
            ran.append(command)
    assert any(c.startswith("egovindex sources load") for c in ran), "the README's 'Using it' block was not run"
    assert any(c.startswith("egovindex report") for c in ran)
