"""A Job, JobGroup or Result made in Python shows as its live view, like ``%%wan`` does.

``job`` as a cell's last expression, or ``display(job)``, goes through IPython's display
formatter, where ``display._hooks.register`` puts ``show`` (``%load_ext`` does it too,
without importing this module until something is shown). The jobs layer stays unaware of
the views above it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..display import (
    browser_urls,
    live_sentence,
    result_sentence,
    static_result_html,
)
from ..display._hooks import register
from ._slots import show_static, show_widget
from .player import Player

__all__ = ["register_displays", "show"]


def show(obj: Any) -> None:
    """Display a Job (card + player), a JobGroup (grid) or a Result (player) in this cell."""
    from ..jobs import Job, JobGroup  # the objects exist, so the jobs layer is loaded
    from .grid_view import show_group, show_job

    if isinstance(obj, Job):
        show_job(obj)
    elif isinstance(obj, JobGroup):
        show_group(obj)
    else:
        show_result(obj)


def show_result(result: Any) -> None:
    """A stored result's player, and its static copy under it."""
    path = Path(result.path)
    src, fallback = browser_urls(path)
    player = Player.from_file(
        path,
        src=src,
        fallback_src=fallback,
        seed=result.seed,
        duration=float(result.duration or 0.0),
        cost=result.cost if result.cost is not None else -1.0,
        width=result.width or 0,
        height=result.height or 0,
    )
    player.add_class("wan-live")
    show_widget(player, live_sentence(f"Wan 2.6 result {path.name}", [result.seed]))
    show_static(static_result_html(result), result_sentence(result))


def register_displays() -> bool:
    """Register ``show`` with the running IPython shell, if there is one."""
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and register(shell, show)
