"""The drawing surface: a low-resolution sample grid, and yuv420p frames and their planes.

Procedural layers are drawn at a quarter of the output size; swscale upscales them
straight into yuv420p (bilinear, for free), and overlays blend into the planes in integer
arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import av
import numpy as np

from ._spec import F32, U8, U16

_SCALE: Final = 4  # procedural layers are drawn at 1/4 size; swscale upscales for free


@dataclass(frozen=True)
class Grid:
    """Low-resolution sample coordinates; the shorter side spans one unit."""

    width: int
    height: int
    x: F32  # (1, w)
    y: F32  # (h, 1)
    half_w: float
    half_h: float
    vignette: F32  # (h, w)


def make_grid(width: int, height: int) -> Grid:
    w, h = -(-width // _SCALE), -(-height // _SCALE)
    unit = float(min(w, h))
    x = ((np.arange(w, dtype=np.float32) + 0.5 - w / 2) / unit)[None, :]
    y = ((np.arange(h, dtype=np.float32) + 0.5 - h / 2) / unit)[:, None]
    half_w, half_h = w / 2 / unit, h / 2 / unit
    vignette = 1.0 - 0.28 * ((x / half_w) ** 2 + (y / half_h) ** 2)
    return Grid(w, h, x, y, half_w, half_h, vignette.astype(np.float32))


def upscale(img: F32, width: int, height: int) -> av.VideoFrame:
    """A (3, h, w) float frame to a full-size yuv420p frame; swscale does the resampling."""
    planar = (np.clip(img, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    small = av.VideoFrame(planar.shape[2], planar.shape[1], "gbrp")  # planar: no transpose
    for plane, channel in zip(frame_planes(small), (1, 2, 0), strict=True):
        plane[...] = planar[channel]
    return small.reformat(width, height, "yuv420p", interpolation="BILINEAR")


def frame_planes(frame: av.VideoFrame) -> list[U8]:
    """Writable views of a frame's planes without the line padding."""
    views = []
    for plane in frame.planes:
        buf = np.frombuffer(memoryview(plane), np.uint8)
        views.append(buf.reshape(plane.height, plane.line_size)[:, : plane.width])
    return views


def blend_into(dst: U8, src: U8 | U16, alpha: int | U16) -> None:
    """dst = mix(dst, src, alpha / 256) in integer arithmetic."""
    mixed = dst.astype(np.uint16) * (256 - alpha) + src.astype(np.uint16) * alpha + 128
    dst[...] = (mixed >> 8).astype(np.uint8)
