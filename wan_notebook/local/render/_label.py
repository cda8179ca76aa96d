"""The label on every frame ("LOCAL PREVIEW · not Wan 2.6 · seed N"): never passed off as Wan.

It is drawn once with Pillow, converted to yuv420p planes with a 0-256 alpha (BT.601
limited range, the matrix swscale uses for the frames), and blended into each frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ._canvas import blend_into
from ._spec import F32, U8, U16


@dataclass(frozen=True)
class Stamp:
    """The label, pre-converted to yuv420p planes with 0-256 alpha, blended per frame."""

    x: int
    y: int
    values: tuple[U16, U16, U16]
    alphas: tuple[U16, U16, U16]


def make_stamp(text: str, width: int, height: int) -> Stamp:
    size = max(12, round(min(width, height) / 45))
    font = ImageFont.load_default(size=size)
    margin = max(4, round(min(width, height) / 60)) // 2 * 2
    left, top, right, bottom = (int(v) for v in font.getbbox(text))
    pad = max(4, size // 3)
    # Even sizes and offsets keep the half-resolution chroma patch aligned.
    box_w = min(right - left + 2 * pad + 1, width - 2 * margin) // 2 * 2
    box_h = min(bottom - top + 2 * pad + 1, height - 2 * margin) // 2 * 2
    patch = Image.new("RGBA", (box_w, box_h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(patch)
    draw.rounded_rectangle((0, 0, box_w - 1, box_h - 1), radius=pad, fill=(10, 10, 14, 165))
    draw.text((pad - left, pad - top), text, font=font, fill=(255, 255, 255, 255))
    rgba = np.asarray(patch, dtype=np.float32) / 255.0
    rgb, alpha = rgba[:, :, :3], rgba[:, :, 3]

    # BT.601 limited range, the matrix swscale uses for the frames themselves.
    r, g, b = rgb[:, :, 0], rgb[:, :, 1], rgb[:, :, 2]
    luma = 16 + 219 * (0.299 * r + 0.587 * g + 0.114 * b)
    cb = 128 + 224 * (-0.168736 * r - 0.331264 * g + 0.5 * b)
    cr = 128 + 224 * (0.5 * r - 0.418688 * g - 0.081312 * b)
    alpha_c = _pool2(alpha)
    weight = np.maximum(alpha_c, 1e-6)
    values = (luma, _pool2(cb * alpha) / weight, _pool2(cr * alpha) / weight)
    alphas = (alpha, alpha_c, alpha_c)
    y, u, v = (np.round(p).astype(np.uint16) for p in values)
    ay, au, av_ = (np.round(a * 256).astype(np.uint16) for a in alphas)
    return Stamp(margin, margin, (y, u, v), (ay, au, av_))


def _pool2(a: F32) -> F32:
    h, w = a.shape
    pooled: F32 = a.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3), dtype=np.float32)
    return pooled


def apply_stamp(planes: Sequence[U8], stamp: Stamp) -> None:
    for i, (plane, value, alpha) in enumerate(zip(planes, stamp.values, stamp.alphas, strict=True)):
        x, y = (stamp.x, stamp.y) if i == 0 else (stamp.x // 2, stamp.y // 2)
        h, w = value.shape
        blend_into(plane[y : y + h, x : x + w], value, alpha)
