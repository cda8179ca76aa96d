"""Reference videos (``inputs.referenceVideos``): their camera motion and structure drive the clip.

Each reference is decoded to small grey frames; phase correlation between neighbours gives
the global shift, summed into a camera track that pans the scene. The frames themselves,
zero-mean, perturb the wave layer, so the reference's structure shows through. A reference
shorter than the clip plays back and forth (a loop would jump).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import av
import numpy as np

from ...errors import BadValueError
from ._canvas import Grid
from ._spec import F32, U8, RenderSpec, open_input

_ANALYSIS_PIXELS: Final = 96 * 96  # reference videos are analysed at about this many pixels


@dataclass(frozen=True)
class _Reference:
    """One reference video, analysed: small grey frames and the camera track through them."""

    luma: U8  # (k, ah, aw)
    track: F32  # (k, 2) cumulative global shift, in grid units
    step: float  # seconds between frames
    mean: float
    spread: float


@dataclass(frozen=True)
class Motion:
    """What the references contribute to output frame i: a pan and a structure field."""

    refs: tuple[_Reference, ...]
    fps: int
    grid: Grid

    def _index(self, ref: _Reference, i: int) -> int:
        # Ping-pong through a short reference: a loop would jump, a bounce stays smooth.
        return _pingpong(round(i / self.fps / ref.step), len(ref.luma))

    def pan(self, i: int) -> tuple[float, float]:
        total = sum(ref.track[self._index(ref, i)] for ref in self.refs) / len(self.refs)
        return float(total[0]), float(total[1])

    def field(self, i: int) -> F32:
        """The references' luma structure, zero-mean, upscaled by swscale (cheap, exact)."""
        out = np.zeros((self.grid.height, self.grid.width), np.float32)
        for ref in self.refs:
            grey = av.VideoFrame.from_ndarray(ref.luma[self._index(ref, i)], format="gray")
            big = grey.reformat(self.grid.width, self.grid.height, interpolation="BILINEAR")
            out += (big.to_ndarray().astype(np.float32) - ref.mean) / ref.spread
        out *= 0.45 / len(self.refs)
        np.clip(out, -1.2, 1.2, out=out)
        return out


def _analysis_size(width: int, height: int) -> tuple[int, int]:
    aw = round(math.sqrt(_ANALYSIS_PIXELS * width / height))
    ah = round(_ANALYSIS_PIXELS / aw)
    return aw, ah


def _decode_luma(path: Path, index: int, size: tuple[int, int], limit: float) -> tuple[U8, float]:
    """Small grey frames of a reference video up to `limit` seconds, and their frame step."""
    where = f"reference_videos[{index}]"
    frames: list[U8] = []
    times: list[float] = []
    with open_input(path, where, "video") as (container, stream):
        stream.thread_type = "AUTO"
        for frame in container.decode(stream):
            grey = frame.reformat(size[0], size[1], "gray", interpolation="AREA")
            frames.append(np.asarray(grey.to_ndarray(), dtype=np.uint8))
            times.append(float(frame.time or 0.0))
            if times[-1] >= limit:
                break
    if not frames:
        msg = f"{where}: {str(path)!r} has no decodable frames"
        raise BadValueError(msg)
    step = (times[-1] - times[0]) / (len(times) - 1) if len(times) > 1 else 1.0
    return np.stack(frames), step if step > 0 else 1.0 / 24


def _phase_shift(a: F32, b: F32, window: F32) -> tuple[float, float]:
    """Global translation (dx, dy) in pixels that carries a onto b (phase correlation)."""
    fa = np.fft.rfft2((a - a.mean()) * window)
    fb = np.fft.rfft2((b - b.mean()) * window)
    cross = fb * np.conj(fa)
    cross /= np.abs(cross) + 1e-9
    corr = np.fft.irfft2(cross, s=a.shape)
    h, w = corr.shape
    py, px = np.unravel_index(int(np.argmax(corr)), corr.shape)

    def refine(c_minus: float, c0: float, c_plus: float) -> float:
        denom = c_minus - 2 * c0 + c_plus
        return 0.0 if abs(denom) < 1e-12 else 0.5 * (c_minus - c_plus) / denom

    dx = px + refine(corr[py, (px - 1) % w], corr[py, px], corr[py, (px + 1) % w])
    dy = py + refine(corr[(py - 1) % h, px], corr[py, px], corr[(py + 1) % h, px])
    dx = dx - w if dx > w / 2 else dx
    dy = dy - h if dy > h / 2 else dy
    return float(dx), float(dy)


def _pingpong(k: int, n: int) -> int:
    if n == 1:
        return 0
    period = 2 * (n - 1)
    m = k % period
    return m if m < n else period - m


def reference_motion(spec: RenderSpec, grid: Grid) -> Motion | None:
    if not spec.reference_videos:
        return None
    size = _analysis_size(spec.width, spec.height)
    refs = tuple(
        _analyse_reference(Path(path), index, size, grid, spec.duration)
        for index, path in enumerate(spec.reference_videos)
    )
    return Motion(refs, spec.fps, grid)


def _analyse_reference(
    path: Path, index: int, size: tuple[int, int], grid: Grid, limit: float
) -> _Reference:
    luma, step = _decode_luma(path, index, size, limit)
    aw, ah = size
    window = np.outer(np.hanning(ah), np.hanning(aw)).astype(np.float32)
    frames = luma.astype(np.float32)
    shifts = [(0.0, 0.0)] + [
        _phase_shift(frames[k - 1], frames[k], window) for k in range(1, len(frames))
    ]
    # Clamp: a cut inside the reference is not a camera move.
    steps = np.clip(np.array(shifts, np.float32), -0.2 * aw, 0.2 * aw)
    unit = min(grid.width, grid.height)
    to_units = np.array([grid.width / aw / unit, grid.height / ah / unit], np.float32)
    track = (np.cumsum(steps, axis=0) * to_units).astype(np.float32)
    return _Reference(luma, track, step, float(frames.mean()), float(frames.std()) + 1.0)
