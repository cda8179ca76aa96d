"""The problem list the rules fill, and the value tests they share."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from ..errors import Problem

_NUMBER_TYPES = (int, float)


class Collector:
    """Every problem found, in the order found."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, parameter: str, value: Any, allowed: str, code: str, **kw: Any) -> None:
        self.items.append(Problem(parameter, value, allowed, code, **kw))

    def unknown_keys(self, where: str, given: Mapping[str, Any], known: Iterable[str]) -> None:
        """One ``unknownParameter`` problem per key of ``given`` (an object at ``where``)
        that is not in ``known``; the message lists what is allowed, in order."""
        allowed = list(known)
        for key in given:
            if key not in allowed:
                text = f"unknown; allowed: {', '.join(allowed)}"
                self.add(f"{where}.{key}", given[key], text, "unknownParameter")


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, _NUMBER_TYPES) and not isinstance(value, bool)


def is_uri(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > 2048:
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def is_uuid4(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return False
    return parsed.version == 4 and str(parsed) == value.lower()
