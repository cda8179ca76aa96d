"""ARCHITECTURE.md lists every module as it is: the table is regenerated, never hand-edited."""

from __future__ import annotations

import importlib.util
import statistics
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "architecture.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("architecture_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_module_table_in_architecture_md_is_current() -> None:
    script = load_script()
    assert script.DOC.read_text() == script.current_doc(), (
        "ARCHITECTURE.md's module table is stale: run `python scripts/architecture.py --write`"
    )


def test_the_table_names_every_module_once() -> None:
    script = load_script()
    names = [name for name, _, _ in script.rows()]
    assert len(names) == len(set(names))
    assert "wan_notebook/__init__.py" in names
    table = script.table()
    assert all(f"`{name}`" in table for name in names)


def test_no_module_is_over_400_lines_and_the_median_is_under_200() -> None:
    sizes = {name: lines for name, lines, _ in load_script().rows()}
    assert not {name: n for name, n in sizes.items() if n > 400}
    assert statistics.median(sizes.values()) < 200
