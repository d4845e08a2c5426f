"""Print the README's module table from the tree: one row per module of checker/, grouped by folder.

Each row holds the module's path and the first sentence of its docstring, so the table says what the
modules say of themselves. tests/test_house.py shows this table when the README's has drifted.

    python scripts/module_table.py          # paste under "For developers" in README.md
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "checker"
HEADER = "| module | what it holds |\n|---|---|"


def modules(package: Path = PACKAGE) -> list[Path]:
    """Every module of the package except the __init__ and __main__ files, top level first, then by
    folder in the order of the path."""
    found = [p for p in package.rglob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    return sorted(found, key=lambda p: (len(p.relative_to(package).parts) > 1, p.relative_to(package).as_posix()))


def summary(path: Path) -> str:
    """The first sentence of the module's docstring, its wrapped lines joined."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    if not doc:
        return "(no docstring)"
    paragraph = " ".join(doc.split("\n\n")[0].split())
    sentence = re.split(r"(?<!e\.g)(?<!i\.e)(?<=\.)\s+(?=\w)", paragraph, maxsplit=1)[0]
    return sentence.rstrip(".:;").replace("|", "\\|")


def table(package: Path = PACKAGE) -> str:
    """The markdown table, one row per module."""
    rows = [f"| `{p.relative_to(package.parent).as_posix()}` | {summary(p)} |" for p in modules(package)]
    return "\n".join([HEADER, *rows])


if __name__ == "__main__":
    sys.stdout.write(table() + "\n")
