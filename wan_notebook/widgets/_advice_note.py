"""The note a seed comparison shows once: the API's prompt rewrite differs on each run.

With promptExtend on (the API's default) an LLM rewrites every prompt, differently on each
run, so a grid of seeds compares rewrites as much as seeds. Grids (``grid()``, ``compare()``,
``seed_sweep()`` and ``%%wan --seeds``) say so once, above the grid: one output, as text and
HTML, so a saved notebook keeps it; never once per tile.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from ..display import no_tex
from ..request import advice
from ..request.models import VideoRequest
from ._html import escape
from ._slots import show_static

__all__ = ["rewrite_note", "show_rewrite_note"]

_STYLE: Final = "font:12px/1.4 sans-serif;color:#555;margin:2px 0 6px"  # inline: saved pages too


def rewrite_note(requests: Iterable[VideoRequest]) -> str | None:
    """The note's text for a comparison of several ``requests`` (jobs) when any of them lets
    the API rewrite its prompt, else None (one job's results compare no seeds of ours)."""
    requests = list(requests)
    if len(requests) > 1 and any(advice.prompt_may_change(r) for r in requests):
        return f"Note: {advice.REWRITE_NOTE}"
    return None


def show_rewrite_note(requests: Iterable[VideoRequest]) -> None:
    """Display the note (one output) if it applies to ``requests``."""
    text = rewrite_note(requests)
    if text is not None:
        html = f'<div class="wan-rewrite-note" style="{_STYLE}">{escape(text)}</div>'
        show_static(no_tex(html), text)
