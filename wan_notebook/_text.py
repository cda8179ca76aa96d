"""Short text for people: one way to shorten a prompt, a path or a message."""

from __future__ import annotations

from typing import Final

ELLIPSIS: Final = "…"


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in an ellipsis when cut."""
    if limit < 1:
        return ""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS
