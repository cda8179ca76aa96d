"""One card of the history gallery: a small poster, the prompt, seed, both costs and date.

The poster is a JPEG data URI of the first frame, at most 12 KB, so a saved notebook stays
small; a video that cannot be decoded (or a missing PyAV) gets a neutral placeholder.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any, Final

from .._text import shorten
from ..display import NO_TEX, browser_urls, cost_pair, poster_data_uri
from ..store import HistoryItem
from ._html import escape
from ._remote import remote_fields
from .player import Player

__all__ = ["PLACEHOLDER", "THUMB_WIDTH", "card_html", "item_player", "thumbnail"]

THUMB_WIDTH: Final = 192
THUMB_MAX_BYTES: Final = 12_000
PROMPT_SHOWN: Final = 90

_PLACEHOLDER_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="192" height="108" viewBox="0 0 192 108">'
    '<rect width="192" height="108" fill="#3a3a3a"/>'
    '<polygon points="84,38 84,70 112,54" fill="#9a9a9a"/></svg>'
)
PLACEHOLDER: Final = "data:image/svg+xml;base64," + base64.b64encode(
    _PLACEHOLDER_SVG.encode()
).decode("ascii")
"""A neutral poster for entries whose first frame cannot be decoded (or without PyAV)."""


def thumbnail(path: Path | None) -> str:
    """A data URI of the video's first frame (JPEG, at most 12 KB), or a placeholder."""
    if path is None:
        return PLACEHOLDER
    uri = poster_data_uri(path, width=THUMB_WIDTH, max_bytes=THUMB_MAX_BYTES)
    if uri is None or _data_uri_size(uri) > THUMB_MAX_BYTES:
        return PLACEHOLDER
    return uri


def _data_uri_size(uri: str) -> int:
    payload = uri.split(",", 1)[1]
    return len(payload) * 3 // 4 - payload.count("=")


def card_html(item: HistoryItem) -> str:
    """The poster and text of one card (the buttons are widgets, added by the gallery)."""
    poster = thumbnail(item.path) if item.file_ok else PLACEHOLDER
    when = item.created_at.strftime("%Y-%m-%d %H:%M") if item.created_at else "date unknown"
    seed = f"seed {item.seed}" if item.seed is not None else "seed ?"
    bits = [seed, cost_pair(item.estimated_cost, item.cost) or "cost unknown"]
    if item.duration:
        bits.append(f"{item.duration:g} s")
    bits.append(when)
    if not item.file_ok:
        bits.append("file missing")
    return (
        f'<img class="wan-history-thumb" src="{poster}" alt="">'
        f'<div class="wan-history-prompt" title="{escape(item.prompt, quote=True)}">'
        f"{escape(shorten(item.prompt, PROMPT_SHOWN))}</div>"
        f'<div class="wan-history-meta {NO_TEX}">{escape(" · ".join(bits))}</div>'
    )


def item_player(item: HistoryItem) -> Any:
    """A player for the item's video; FileNotFoundError when the file is gone."""
    if item.path is None or not item.file_ok:
        raise FileNotFoundError(f"the video of this entry is gone ({item.path})")
    src, fallback = browser_urls(item.path)
    cost, _ = item.shown_cost
    return Player.from_file(
        item.path,
        src=src,
        fallback_src=fallback,
        prompt=item.prompt,
        seed=item.seed,
        duration=float(item.duration or 0.0),
        cost=cost if cost is not None else -1.0,
        width=int(item.result.get("width") or 0),
        height=int(item.result.get("height") or 0),
        poster=thumbnail(item.path),
        **remote_fields(item.result.get("url"), ttl=item.request.get("ttl"), made_at=item.created),
    )
