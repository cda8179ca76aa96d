"""The render plan: what a clip holds where, and the two knobs for metric tests.

The plan is the engine's ground truth for ``wan_notebook.research``: the frames where shots
start, the moments the soundtrack's events fall, and, when asked, two defects:

- ``flicker`` (0-1): frame ``i``'s brightness is scaled by ``1 + flicker * u[i]``, ``u[i]``
  drawn uniformly from [-1/2, 1/2] (one draw per frame, the same for every level, so a
  higher level flickers more on every frame).
- ``av_offset_ms``: sync marks. A white square jumps to a new place at irregular moments
  (0.45-0.95 s apart, never periodic, so an offset has one best match) and a short click is
  added to the generated soundtrack at each; then the whole sound, chords and clicks, is
  moved ``av_offset_ms`` later (negative: earlier), padded with silence, cut to length.

``plan(...)`` is what the engine passes on (a JSON-ready dict, the result's ``local_engine``
sidecar entry). Every time in it is seconds from the first frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from ._audio import chord_bounds
from ._spec import F32, SAMPLE_RATE, U8, RenderSpec, rng_for

PLAN_VERSION: Final = 1
MARK_GAP_S: Final = (0.45, 0.95)  # between two sync marks, drawn uniformly
MARK_EDGE_S: Final = 0.6  # no mark this close to either end
MARK_CUT_FRAMES: Final = 4  # no mark this close to a cut (the cut is an event already)
CLICK_S: Final = 0.01  # a click: 10 ms of decaying noise
CLICK_GAIN: Final = 0.5


@dataclass(frozen=True)
class Marks:
    """The sync square: its side and its place (x, y of the top-left corner) per frame."""

    side: int
    places: np.ndarray  # (n_frames, 2) int, even


def mark_frames(key: bytes, spec: RenderSpec, cuts: Sequence[int]) -> list[int]:
    """Frames where the sync square jumps; [] without ``av_offset_ms``."""
    if spec.av_offset_ms is None:
        return []
    rng = rng_for(key, "sync-marks")
    n_frames = cuts[-1]
    frames: list[int] = []
    t = MARK_EDGE_S
    while t < spec.duration - MARK_EDGE_S:
        frame = round(t * spec.fps)
        if all(abs(frame - c) > MARK_CUT_FRAMES for c in cuts[1:-1]) and frame < n_frames:
            frames.append(frame)
        t += float(rng.uniform(*MARK_GAP_S))
    return frames


def make_marks(key: bytes, spec: RenderSpec, frames: Sequence[int], n_frames: int) -> Marks | None:
    """Where the square is on every frame: a new random place at each mark (away from the
    label in the top-left corner)."""
    if spec.av_offset_ms is None:
        return None
    rng = rng_for(key, "sync-places")
    side = max(8, (min(spec.width, spec.height) // 16) & ~1)
    places = np.zeros((n_frames, 2), np.int64)

    def place() -> tuple[int, int]:
        x = int(rng.integers(spec.width // 3, spec.width - side))
        y = int(rng.integers(side, spec.height - side))
        return x & ~1, y & ~1

    jumps = set(frames)
    current = place()
    for i in range(n_frames):
        if i in jumps:
            current = place()
        places[i] = current
    return Marks(side, places)


def draw_mark(planes: Sequence[U8], marks: Marks, i: int) -> None:
    """White (BT.601 limited range) square on the frame's planes."""
    x, y = (int(v) for v in marks.places[i])
    s = marks.side
    planes[0][y : y + s, x : x + s] = 235
    planes[1][y // 2 : (y + s) // 2, x // 2 : (x + s) // 2] = 128
    planes[2][y // 2 : (y + s) // 2, x // 2 : (x + s) // 2] = 128


def gains(key: bytes, spec: RenderSpec, n_frames: int) -> F32 | None:
    """Per-frame brightness factors, or None without flicker."""
    if spec.flicker <= 0:
        return None
    u = rng_for(key, "flicker").uniform(-0.5, 0.5, n_frames)
    out: F32 = (1.0 + spec.flicker * u).astype(np.float32)
    return out


def finish_sound(key: bytes, spec: RenderSpec, pcm: F32, marks: Sequence[int]) -> F32:
    """Clicks at the marks (generated soundtrack only), then the offset. (2, n) float32."""
    if spec.av_offset_ms is None:
        return pcm
    out = pcm.copy()
    if spec.audio_input is None:
        rng = rng_for(key, "clicks")
        length = round(CLICK_S * SAMPLE_RATE)
        burst = rng.uniform(-1.0, 1.0, length) * np.exp(-np.arange(length) / (length / 6))
        for frame in marks:
            start = round(frame / spec.fps * SAMPLE_RATE)
            stop = min(out.shape[1], start + length)
            out[:, start:stop] += CLICK_GAIN * burst[: stop - start]
    shift = round(spec.av_offset_ms / 1000 * SAMPLE_RATE)
    if shift > 0:
        out[:, shift:] = out[:, : out.shape[1] - shift].copy()
        out[:, :shift] = 0.0
    elif shift < 0:
        out[:, : out.shape[1] + shift] = out[:, -shift:].copy()
        out[:, shift:] = 0.0
    return out


def plan(spec: RenderSpec, cuts: Sequence[int], marks: Sequence[int]) -> dict[str, Any]:
    """The clip's ground truth as JSON-ready values (see the module docstring)."""
    fps = spec.fps
    offset_s = (spec.av_offset_ms or 0.0) / 1000
    sound = "input" if spec.audio_input else ("generated" if spec.audio else None)
    events: list[float] = []
    if sound == "generated":
        n_samples = round(cuts[-1] / fps * SAMPLE_RATE)
        cut_samples = [round(c / fps * SAMPLE_RATE) for c in cuts]
        events += [b / SAMPLE_RATE for b in chord_bounds(cut_samples, n_samples)[:-1]]
        events += [m / fps for m in marks]
    duration = cuts[-1] / fps
    return {
        "version": PLAN_VERSION,
        "fps": fps,
        "frames": cuts[-1],
        "shot_count": len(cuts) - 1,
        "cut_frames": list(cuts[1:-1]),
        "cut_times": [round(c / fps, 4) for c in cuts[1:-1]],
        "audio": sound,
        "audio_events": sorted(
            round(t + offset_s, 4) for t in events if 0 <= t + offset_s < duration
        ),
        "sync_marks": [round(m / fps, 4) for m in marks],
        "flicker": float(spec.flicker),
        "av_offset_ms": None if spec.av_offset_ms is None else float(spec.av_offset_ms),
    }
