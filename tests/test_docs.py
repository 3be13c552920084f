"""The documentation is checked against the code: commands, settings, the README example."""

import re
from pathlib import Path

import numpy as np

from egovindex.cli.reference import commands, markdown
from egovindex.settings import Settings

ROOT = Path(__file__).parents[1]


def test_cli_reference_is_current() -> None:
    assert (ROOT / "docs/cli.md").read_text(encoding="utf-8") == markdown(), "run `make docs`"
    text = (ROOT / "docs/cli.md").read_text(encoding="utf-8")
    for command in commands():
        assert f"`{command}`" in text


def test_every_setting_is_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        assert f"EGOVINDEX_{name.upper()}" in readme
        assert field.description


def test_readme_example_runs_and_says_what_it_prints() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    namespace: dict = {}
    exec(block, namespace)
    scores = namespace["scores"]
    np.testing.assert_allclose(scores.value(), [0.83509, 0.77091], atol=5e-6)
    assert list(scores.rank) == [1.0, 2.0] and scores.group == ("very_high", "very_high")


def test_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = readme[: readme.index("## Using it")]
    assert "make run" in head and "make test" in head


def test_the_readme_names_exactly_the_commands_that_print_csv_and_json() -> None:
    reference = (ROOT / "docs/cli.md").read_text(encoding="utf-8")
    sections = re.split(r"^### `egovindex ([^`]+)`\n", reference, flags=re.MULTILINE)
    three_forms = {
        name
        for name, body in zip(sections[1::2], sections[2::2], strict=True)
        if re.search(r"table,\s+csv\s+or\s+json", body)
    }
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    claim = readme.split("or with `--format csv|json` for programs", 1)[1].split(". `audit verify`", 1)[0]
    assert set(re.findall(r"`([a-z][a-z -]+)`", claim)) == three_forms
