"""The module table of ARCHITECTURE.md: every module, its lines, its docstring's gist.

python scripts/architecture.py            # print the table, then the size figures
python scripts/architecture.py --write    # rewrite the table in ARCHITECTURE.md

``tests/test_architecture_doc.py`` fails when the table in ARCHITECTURE.md is not current.
"""

from __future__ import annotations

import ast
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "wan_notebook"
DOC = ROOT / "ARCHITECTURE.md"
HEADING = "## Every module\n"


def rows() -> list[tuple[str, int, str]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
        gist = " ".join(doc.strip().split("\n\n")[0].split())
        lines = len(path.read_text().splitlines())
        out.append((str(path.relative_to(PACKAGE.parent)), lines, gist.replace("|", "/")))
    return out


def table() -> str:
    """The section under ``## Every module``: the table and the size figures."""
    found = rows()
    lines = ["| module | lines | what it is for |", "|---|---:|---|"]
    lines += [f"| `{name}` | {count} | {gist} |" for name, count, gist in found]
    sizes = [count for _, count, _ in found]
    lines.append(
        f"\n{len(sizes)} modules; median {statistics.median(sizes):.0f} lines; "
        f"largest {max(sizes)} lines."
    )
    return "\n".join(lines) + "\n"


def current_doc() -> str:
    """ARCHITECTURE.md with its module section replaced by the current table."""
    text = DOC.read_text()
    head, _, _ = text.partition(HEADING)
    return f"{head}{HEADING}\n{table()}"


def main() -> None:
    if "--write" in sys.argv[1:]:
        DOC.write_text(current_doc())
    else:
        print(table(), end="")


if __name__ == "__main__":
    main()
