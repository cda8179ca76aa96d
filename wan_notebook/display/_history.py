"""The history gallery's static fallback: the stored videos it showed, as a table of tiles.

Like the live gallery (``widgets.gallery``) it shows the newest entries first, each with a
small poster, its seed, estimated and billed cost, date and prompt; at most ``SHOWN`` of
them, so a saved notebook stays small however long the history.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from .._text import shorten
from ._markup import cost_pair, escape
from ._posters import TILE_POSTER_BYTES, TILE_POSTER_SIDE
from ._static import CAPTION_STYLE, static_block, video_figure
from ._table import grid_table, reflow

if TYPE_CHECKING:
    from ..store import HistoryItem

__all__ = ["SHOWN", "history_sentence", "static_history_html"]

SHOWN: Final = 12
_PROMPT_SHOWN: Final = 80


def history_sentence(items: Sequence[HistoryItem]) -> str:
    """``Wan 2.6 history: 12 stored videos``."""
    noun = "video" if len(items) == 1 else "videos"
    return f"Wan 2.6 history: {len(items)} stored {noun}"


def static_history_html(items: Sequence[HistoryItem]) -> str:
    """The first ``SHOWN`` items as tiles, and how many more there are."""
    shown = [item for item in items if item.file_ok][:SHOWN]
    tiles = {place: _tile(item) for place, item in zip(reflow(len(shown)), shown, strict=True)}
    more = len(items) - len(shown)
    tail = f'<div style="{CAPTION_STYLE}">…and {more} more.</div>' if more > 0 else ""
    head = f'<div style="{CAPTION_STYLE}">{escape(history_sentence(items))}</div>'
    return static_block(head + (grid_table(tiles) if tiles else "") + tail)


def _tile(item: HistoryItem) -> str:
    assert item.path is not None  # only items whose file is there are shown
    when = item.created_at.strftime("%Y-%m-%d") if item.created_at else ""
    seed = f"seed {item.seed}" if item.seed is not None else ""
    size = (int(item.result.get("width") or 0), int(item.result.get("height") or 0))
    return video_figure(
        item.path,
        size=size,
        caption=[seed, cost_pair(item.estimated_cost, item.cost), when],
        prompt=shorten(item.prompt, _PROMPT_SHOWN),
        width="100%",
        poster_side=TILE_POSTER_SIDE,
        poster_bytes=TILE_POSTER_BYTES,
    )
