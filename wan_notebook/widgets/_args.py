"""Checks of the Python types given to the live views' entry points.

``grid()``, ``compare()``, ``history()`` and ``Builder()`` take arguments from people typing
in a notebook. A wrong type fails at once with a ``TypeError`` naming the argument, rather
than as an ``AttributeError`` from deep inside ipywidgets, pydantic or SQLite.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["check_type", "int_list", "str_list"]


def _fail(where: str, name: str, what: str, value: object) -> TypeError:
    return TypeError(f"{where}: {name} must be {what}, got {type(value).__name__}")


def check_type(
    where: str, name: str, value: object, expected: type | tuple[type, ...], what: str
) -> None:
    """Raise ``TypeError`` unless ``value`` is an instance of ``expected`` (bool is no number)."""
    kinds = expected if isinstance(expected, tuple) else (expected,)
    if not isinstance(value, expected) or (isinstance(value, bool) and bool not in kinds):
        raise _fail(where, name, what, value)


def _items(where: str, name: str, value: object, what: str) -> list[Any]:
    # A lone string is iterable too, but a prompt spelled out letter by letter is never meant.
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise _fail(where, name, what, value)
    return list(value)


def int_list(where: str, name: str, value: object) -> list[int]:
    """A list of ints (seeds) from any iterable of integers; bools and floats are refused."""
    what = "a list of ints"
    seeds = []
    for item in _items(where, name, value, what):
        if isinstance(item, bool) or not hasattr(type(item), "__index__"):
            raise TypeError(f"{where}: {name} must be {what}, got an item {item!r}")
        seeds.append(operator.index(item))
    return seeds


def str_list(where: str, name: str, value: object) -> list[str]:
    """A list of strings (prompts), refusing a lone string."""
    what = "a list of strings"
    items = _items(where, name, value, what)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{where}: {name} must be {what}, got an item {item!r}")
    return items
