"""The package's layers: every import points down, and no import cycle exists.

Every import counts: module level, inside functions and under ``TYPE_CHECKING`` (a cycle
hidden in a function is still a cycle in the design). A *unit* is a module or subpackage
directly under ``wan_notebook/``; units form the layers of ``ARCHITECTURE.md``.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "wan_notebook"
ROOT = "wan_notebook"

# Bottom to top. A unit may import only units that come before it in this list.
LAYERS: list[tuple[str, ...]] = [
    ("_version", "_secrets", "_files", "_status", "_text", "_net", "_server_extension"),
    ("errors",),
    ("request",),
    ("_cell", "local"),
    ("settings",),
    ("client",),
    ("store",),
    ("jobs",),
    ("research",),
    ("display",),
    ("widgets",),
    ("magics", "_demo", "relay"),
    ("_cli",),
    ("__main__",),
]
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}
# The engine is shared with servers that know nothing of jobs: it sees only the contract.
LOCAL_MAY_IMPORT = {"request", "errors", "_files", "_version", "_secrets", "_text", "_net", "local"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """Every package module this one imports, with the line, wherever the import stands."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == ROOT:
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != ROOT:
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                yield (sub if sub in modules else target), node.lineno


def unit_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def graph() -> dict[str, set[str]]:
    modules = all_modules()
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for target, _line in imports_of(name, path, modules):
            if target != ROOT and target != name:
                edges[name].add(target)
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_every_unit_has_a_layer() -> None:
    units = {unit_of(m) for m in all_modules()} - {None}
    assert units <= set(RANK), f"units with no layer: {sorted(units - set(RANK))}"


def test_imports_only_point_down() -> None:
    modules = all_modules()
    upward = []
    for name, path in sorted(modules.items()):
        here = unit_of(name)
        if here is None:
            continue
        for target, line in imports_of(name, path, modules):
            there = unit_of(target)
            if there is None or there == here:
                continue
            if RANK[there] >= RANK[here]:
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line} {here} -> {there}")
    assert not upward, "imports that do not point down:\n" + "\n".join(upward)


def test_the_local_engine_sees_only_the_contract() -> None:
    modules = all_modules()
    wrong = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}"
        for name, path in modules.items()
        if unit_of(name) == "local"
        for target, line in imports_of(name, path, modules)
        if unit_of(target) not in LOCAL_MAY_IMPORT
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle_between_modules() -> None:
    cycle = find_cycle(graph())
    assert cycle is None, " -> ".join(cycle or [])


def test_no_import_cycle_between_units() -> None:
    units: dict[str, set[str]] = defaultdict(set)
    for source, targets in graph().items():
        for target in targets:
            a, b = unit_of(source), unit_of(target)
            if a and b and a != b:
                units[a].add(b)
    cycle = find_cycle(units)
    assert cycle is None, " -> ".join(cycle or [])


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
        ({"a": {"b"}, "b": {"c"}}, None),
    ],
)
def test_the_cycle_finder_finds_cycles(edges: dict[str, set[str]], expected: object) -> None:
    assert find_cycle(edges) == expected
