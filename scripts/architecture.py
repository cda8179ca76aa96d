"""Print the module table of ARCHITECTURE.md: every module, its lines, its docstring's gist.

python scripts/architecture.py            # the table, then the size figures
"""

from __future__ import annotations

import ast
import statistics
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "wan_notebook"


def rows() -> list[tuple[str, int, str]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
        gist = " ".join(doc.strip().split("\n\n")[0].split())
        lines = len(path.read_text().splitlines())
        out.append((str(path.relative_to(PACKAGE.parent)), lines, gist.replace("|", "/")))
    return out


def main() -> None:
    table = rows()
    print("| module | lines | what it is for |")
    print("|---|---:|---|")
    for name, lines, gist in table:
        print(f"| `{name}` | {lines} | {gist} |")
    sizes = [lines for _, lines, _ in table]
    print(
        f"\n{len(sizes)} modules; median {statistics.median(sizes):.0f} lines; "
        f"largest {max(sizes)} lines."
    )


if __name__ == "__main__":
    main()
