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
