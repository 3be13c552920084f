"""The layers as they are: a Mermaid diagram of the imports between egovindex's top-level packages, drawn from the
import graph (grimp, the graph import-linter checks) in the order of the layer contract in pyproject.toml.

``python tools/architecture.py`` rewrites the diagram in docs/architecture.md (between its two markers);
``tests/test_architecture.py`` fails when the document and the code differ.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
START, END = "<!-- import-graph:start -->", "<!-- import-graph:end -->"


def layers() -> list[list[str]]:
    """The layer contract's layers, top first, each a list of packages (without the ``egovindex.`` prefix)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    contract = next(c for c in config["contracts"] if c["type"] == "layers")
    return [[p.strip().removeprefix("egovindex.") for p in re.split(r"[|:]", layer)] for layer in contract["layers"]]


def edges() -> set[tuple[str, str]]:
    """(importer, imported) for every pair of top-level packages with at least one import between them."""
    import grimp

    graph = grimp.build_graph("egovindex", cache_dir=None)
    out = set()
    for module in graph.modules:
        parts = module.split(".")
        if len(parts) < 2:
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            other = imported.split(".")
            if len(other) >= 2 and other[1] != parts[1]:
                out.add((parts[1], other[1]))
    return out


def diagram() -> str:
    lines = ["```mermaid", "flowchart TD"]
    for i, layer in enumerate(layers()):
        lines.append(f"  subgraph L{i}[\" \"]")
        lines.extend(f"    {name}" for name in layer)
        lines.append("  end")
    lines.extend(f"  {a} --> {b}" for a, b in sorted(edges()))
    lines.append("```")
    return "\n".join(lines)


def document(text: str) -> str:
    """The document with the diagram between its markers replaced by the current one."""
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{diagram()}\n{END}{tail}"


if __name__ == "__main__":
    current = DOC.read_text(encoding="utf-8")
    DOC.write_text(document(current), encoding="utf-8")
    sys.stdout.write("docs/architecture.md: diagram " + ("unchanged\n" if document(current) == current else "rewritten\n"))
