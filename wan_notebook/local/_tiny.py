"""Tiny render mode, for load tests only: one small clip per format and duration per process.

Every generation of that format and duration gets a copy of the same bytes, so thousands
of jobs cost one render each; results say ``localRenderMode: "tiny"``. Small render mode,
for tests of what does not depend on the picture's size (metrics against the render plan):
each generation's own render, knobs and plan included, at a quarter of its width and height
(1280x720 becomes 320x180); results say ``localRenderMode: "small"``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Final

from ._config import Renderer
from .render import RenderSpec

# Small enough to be cheap, large enough for the preview label.
TINY_SIZE: Final = (256, 144)
# Shared by every engine of the process (content is irrelevant there).
_CACHE: dict[tuple[object, str, int], bytes] = {}
_KEY_LOCKS: dict[tuple[object, str, int], threading.Lock] = {}
_LOCK = threading.Lock()


def render_tiny(
    renderer: Renderer,
    spec: RenderSpec,
    path: Path,
    scratch_dir: Path,
    progress: Callable[[float], None],
) -> None:
    """Write the cached tiny clip of ``spec``'s format and duration to ``path``."""
    key = (renderer, spec.fmt, round(spec.duration))
    with _LOCK:
        lock = _KEY_LOCKS.setdefault(key, threading.Lock())
    with lock:
        data = _CACHE.get(key)
        if data is None:
            tiny = RenderSpec(*TINY_SIZE, duration=spec.duration, fmt=spec.fmt, prompt="tiny")
            scratch = scratch_dir / f"tiny-{key[2]}s{path.suffix}"
            renderer(tiny, scratch, progress=progress)
            data = _CACHE[key] = scratch.read_bytes()
            scratch.unlink()
    path.write_bytes(data)  # indexed (so served) only after this returns


def small_spec(spec: RenderSpec) -> RenderSpec:
    """``spec`` at a quarter of its width and height, kept even (as yuv420p needs)."""
    return replace(spec, width=spec.width // 8 * 2, height=spec.height // 8 * 2)
