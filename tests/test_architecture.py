"""The house: the layer diagram of docs/architecture.md is the import graph as it is, the import contracts hold,
and the web faces stay thin (modules under 500 lines, functions under 80)."""

import ast
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
WEB = ROOT / "src" / "egovindex" / "web"


def test_the_documented_diagram_is_the_import_graph() -> None:
    tool = runpy.run_path(str(ROOT / "tools" / "architecture.py"))
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert tool["document"](text) == text, "run: python tools/architecture.py"
    assert "web --> reports" in text and "reports --> web" not in text  # the arrows point downward


def test_the_import_contracts_hold() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_web_modules_and_functions_stay_small() -> None:
    too_long = []
    for path in sorted(WEB.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") >= 500:
            too_long.append(f"{path.relative_to(ROOT)}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                if length > 80:
                    too_long.append(f"{path.relative_to(ROOT)}: {node.name}() {length} lines")
    assert not too_long, too_long
