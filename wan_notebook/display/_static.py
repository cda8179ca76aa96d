"""The parts of every static output, and the URLs a browser loads media files from.

A static output (``_fallback``) is written under each live view, so a saved notebook
reopened without widget state, an nbconvert export or GitHub still show the result. Styles
are inline on purpose: those renderers drop stylesheets, and the output must stand alone.
Every video is ``preload="none"`` with a small poster: while the live view is on screen its
hidden static copy loads nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Final
from urllib.parse import quote

from .._text import shorten
from ._markup import DEAD_WIDGET_STYLE, NO_TEX, cost_pair, escape
from ._posters import POSTER_BYTES, POSTER_SIDE, poster_data_uri
from ._sentences import relative_path

if TYPE_CHECKING:
    from ..store import Result

__all__ = [
    "CAPTION_STYLE",
    "FRAME_MAX_HEIGHT",
    "FRAME_MAX_WIDTH",
    "browser_urls",
    "figure_html",
    "frame_width",
    "pending_html",
    "short_error",
    "static_block",
    "video_figure",
]

FRAME_MAX_WIDTH: Final = 640  # px: a landscape video, and the live card above it
FRAME_MAX_HEIGHT: Final = 640  # px: a portrait video is narrowed to stay this tall
_PROMPT_SHOWN: Final = 300
CAPTION_STYLE: Final = "font:12px/1.5 sans-serif;opacity:.75"


# ----- where the browser finds a media file ------------------------------------------------


@lru_cache(maxsize=1)
def _server() -> tuple[str, Path] | None:
    """(base_url, root_dir) of the Jupyter server that runs this kernel, if one is found."""
    try:
        from jupyter_core.paths import jupyter_runtime_dir
    except ImportError:
        return None
    found: list[tuple[int, str, Path]] = []
    for info_file in Path(jupyter_runtime_dir()).glob("jpserver-*.json"):
        try:
            info = json.loads(info_file.read_text())
            root = Path(info["root_dir"]).resolve()
        except (OSError, ValueError, KeyError):
            continue
        # The server that started this kernel is its parent process; prefer it.
        rank = 0 if info.get("pid") == os.getppid() else 1
        found.append((rank, str(info.get("base_url", "/")), root))
    cwd = Path.cwd().resolve()
    for _, base, root in sorted(found, key=lambda f: f[0]):
        if cwd == root or root in cwd.parents:
            return base, root
    return None


def browser_urls(path: Path) -> tuple[str, str]:
    """(src, fallback_src) for a media file: the server's /files/ URL and the relative path."""
    absolute = Path(path).resolve()
    try:
        relative = os.path.relpath(absolute, Path.cwd())
    except ValueError:
        relative = str(absolute)
    server = _server()
    if server is not None:
        base, root = server
        if root in absolute.parents:
            rel_to_root = absolute.relative_to(root).as_posix()
            return f"{base.rstrip('/')}/files/{quote(rel_to_root)}", relative
    return relative, ""


# ----- sizes -----------------------------------------------------------------------------------


def frame_width(width: int | None, height: int | None, *, limit: int = FRAME_MAX_WIDTH) -> int:
    """Display width in px of a video: ``limit`` wide, or narrower so it is at most
    ``FRAME_MAX_HEIGHT`` tall (a portrait clip is not letterboxed in a landscape box)."""
    if not width or not height:
        return limit
    return max(1, min(limit, round(FRAME_MAX_HEIGHT * width / height)))


# ----- a finished job ------------------------------------------------------------------------


def short_error(error: BaseException | None) -> str:
    """An error's first lines, at most 400 characters (for a card or a tile)."""
    if error is None:
        return ""
    text = str(error).splitlines()
    return " ".join(text[:4])[:400]


def static_block(inner: str, *, task: str = "", extra_class: str = "") -> str:
    """The one wrapper of every static output: hides a dead widget just above it (see
    ``DEAD_WIDGET_STYLE``), and keeps MathJax away from its prices."""
    data = f' data-wan-task="{escape(task)}"' if task else ""
    classes = " ".join(c for c in ("wan-static", extra_class, NO_TEX) if c)
    return f'{DEAD_WIDGET_STYLE}<div class="{classes}"{data}>{inner}</div>'


def pending_html(text: str, *, task: str = "") -> str:
    """What a static slot says before its job ends (seen only in a notebook saved meanwhile)."""
    return static_block(f'<div style="{CAPTION_STYLE}">{escape(text)}</div>', task=task)


def figure_html(
    result: Result,
    *,
    engine: str = "",
    prompt: str = "",
    width: str | None = None,
    poster_side: int = POSTER_SIDE,
    poster_bytes: int = POSTER_BYTES,
    caption: Iterable[str] | None = None,
    estimated_cost: float | None = None,
) -> str:
    """One result as a ``<figure>``: poster, ``<video preload="none">`` and a caption.

    ``width`` is a CSS width (default: ``frame_width`` of the video, in px); ``caption``
    replaces the default one (seed, duration, size, the estimate beside the billed cost,
    engine).
    """
    bits = list(caption) if caption is not None else _meta_bits(result, engine, estimated_cost)
    return video_figure(
        Path(result.path or ""),
        size=(result.width or 0, result.height or 0),
        caption=bits,
        prompt=prompt,
        width=width,
        poster_side=poster_side,
        poster_bytes=poster_bytes,
    )


def video_figure(
    path: Path,
    *,
    size: tuple[int, int] = (0, 0),
    caption: Iterable[str] = (),
    prompt: str = "",
    width: str | None = None,
    poster_side: int = POSTER_SIDE,
    poster_bytes: int = POSTER_BYTES,
) -> str:
    """A video file as a ``<figure>`` (see ``figure_html``); ``size`` is (width, height)."""
    src_attr = escape(relative_path(path), quote=True)
    poster = poster_data_uri(path, width=poster_side, max_bytes=poster_bytes) or ""
    w, h = size
    shown = f"{frame_width(w, h)}px" if width is None else width
    # A poster gives the box its shape; without one, the video's size does.
    ratio = f"aspect-ratio:{w}/{h};" if w and h and not poster else ""
    meta = " · ".join(escape(b) for b in caption if b)
    link = f'<a href="{src_attr}" download>download</a>'
    words = f"<br>{escape(shorten(prompt, _PROMPT_SHOWN))}" if prompt else ""
    return (
        f'<figure style="margin:4px 0;width:{shown};max-width:100%">'
        f'<video src="{src_attr}" poster="{poster}" controls loop muted '
        f'preload="none" style="display:block;width:100%;{ratio}background:#000;'
        f'border-radius:6px"></video>'
        f'<figcaption style="{CAPTION_STYLE}">{meta}{" · " if meta else ""}{link}{words}'
        "</figcaption></figure>"
    )


def _meta_bits(result: Result, engine: str, estimated_cost: float | None) -> list[str]:
    bits = []
    if result.seed is not None:
        bits.append(f"seed {result.seed}")
    if result.duration:
        bits.append(f"{result.duration:.1f} s")
    if result.width and result.height:
        bits.append(f"{result.width}x{result.height}")
    bits.append(cost_pair(estimated_cost, result.cost))  # as the live card says it
    if engine:
        bits.append(engine)
    return bits
