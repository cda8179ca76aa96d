"""The picture: layers composed per frame, and the painter that decides every frame.

``Painter.frame(i)`` is a pure function of ``i``: the shot's look composed at its time,
panned by the reference videos' motion, with the first-frame image dissolving away and
the label stamped on top. The encoder asks for frames ahead on worker threads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from ...request import catalog
from ._canvas import Grid, blend_into, frame_planes, make_grid, upscale
from ._first_frame import Opening, image_palette, make_opening
from ._label import Stamp, apply_stamp, make_stamp
from ._look import Look, base_hue, make_look
from ._motion import Motion, reference_motion
from ._plan import Marks, draw_mark, gains, make_marks
from ._spec import F32, RenderSpec, prompt_mood


def _compose(grid: Grid, look: Look, t: float, pan: tuple[float, float], field: F32 | None) -> F32:
    """One low-res frame, channel-first (3, h, w) in [0, 1].

    Channel-first because numpy broadcasts over a trailing axis of 3 several times slower.
    `pan` shifts the content; far layers move less than near ones (parallax).
    """
    ox = look.drift[0] * t + pan[0]
    oy = look.drift[1] * t + pan[1]
    x, y = grid.x, grid.y
    pal = look.palette[:, :, None, None]  # (3, 3, 1, 1)

    ramp = np.clip(
        0.5 + 0.7 * ((x - 0.3 * ox) * look.bg_dir[0] + (y - 0.3 * oy) * look.bg_dir[1]), 0, 1
    )
    img = pal[0] + ramp * (pal[1] - pal[0])

    wave = np.zeros((grid.height, grid.width), np.float32)
    for kx, ky, speed, phase in look.waves:
        wave += np.sin(kx * (x - ox) + ky * (y - oy) + (speed * t + phase))
    wave *= 1.0 / len(look.waves)
    if field is not None:
        wave += field
    # Soft fill on the crests plus bright filaments along the zero set: aurora-like bands.
    ribbon = 0.5 * np.clip(wave, 0, 1) + 0.6 * np.exp(-((3.5 * wave) ** 2))
    img += ribbon * (pal[2] - img)

    light = np.zeros_like(img)
    half_w, half_h = grid.half_w, grid.half_h
    for rgb, geom, phase in zip(look.blob_rgb, look.blob_geom, look.blob_phase, strict=True):
        radius, strength, cx, cy, ax, ay, fx, fy = (float(v) for v in geom)
        bx = cx + ax * math.sin(fx * t + float(phase[0])) + 1.3 * ox
        by = cy + ay * math.sin(fy * t + float(phase[1])) + 1.3 * oy
        margin = 3 * radius  # blobs that pan out of view wrap round, unseen
        bx = (bx + half_w + margin) % (2 * (half_w + margin)) - half_w - margin
        by = (by + half_h + margin) % (2 * (half_h + margin)) - half_h - margin
        # A Gaussian is separable: an outer product of two 1-D profiles is cheap.
        glow = np.exp(-(((y - by) / radius) ** 2)) * (
            strength * np.exp(-(((x - bx) / radius) ** 2))
        )
        light += rgb[:, None, None] * glow
    img = 1.0 - (1.0 - img) * (1.0 - np.clip(light, 0.0, 1.0))  # screen blend
    img *= grid.vignette
    out: F32 = img.astype(np.float32, copy=False)
    return out


@dataclass(frozen=True)
class Painter:
    """Everything that decides a picture; frame(i) is a pure function of i."""

    spec: RenderSpec
    grid: Grid
    cuts: list[int]  # shot starts, then the frame count
    looks: list[Look]
    opening: Opening | None
    motion: Motion | None
    stamp: Stamp | None
    gains: F32 | None = None  # per-frame brightness (the flicker knob)
    marks: Marks | None = None  # the sync square (the av_offset_ms knob)

    def frame(self, i: int) -> av.VideoFrame:
        shot = next(k for k in range(len(self.looks)) if i < self.cuts[k + 1])
        tau = (i - self.cuts[shot]) / self.spec.fps
        motion, opening = self.motion, self.opening
        pan = motion.pan(i) if motion else (0.0, 0.0)
        low = _compose(self.grid, self.looks[shot], tau, pan, motion.field(i) if motion else None)
        if opening is not None and shot == 0:
            low += 0.4 * (opening.ghost(i, self.grid) - low)
        if self.gains is not None:
            low *= self.gains[i]
        frame = upscale(low, self.spec.width, self.spec.height)
        planes = frame_planes(frame)
        if opening is not None and (weight := opening.sharp_weight(i)):
            for dst, src in zip(planes, frame_planes(opening.sharp(i)), strict=True):
                blend_into(dst, src, weight)
        if self.marks is not None:
            draw_mark(planes, self.marks, i)
        if self.stamp is not None:
            apply_stamp(planes, self.stamp)
        frame.pts = i
        return frame


def make_painter(
    spec: RenderSpec, key: bytes, cuts: list[int], marks: list[int] | None = None
) -> Painter:
    """Reads the input files, so a bad one fails here, before any output exists.
    ``marks``: frames where the sync square jumps (``_plan.mark_frames``)."""
    grid = make_grid(spec.width, spec.height)
    opening = (
        make_opening(key, Path(spec.first_frame), grid, spec, cuts[1])
        if spec.first_frame is not None
        else None
    )
    motion = reference_motion(spec, grid)
    mood = prompt_mood(spec.prompt)
    first_palette = image_palette(opening.small) if opening else None
    hue = base_hue(spec)
    looks = [
        make_look(key, k, hue, mood, first_palette if k == 0 else None)
        for k in range(len(cuts) - 1)
    ]
    label = f"{spec.label} · {size_label(spec.width, spec.height)} · seed {spec.seed}"
    label = label if spec.label else ""
    stamp = make_stamp(label, spec.width, spec.height) if label else None
    n_frames = cuts[-1]
    sync = make_marks(key, spec, marks or [], n_frames)
    return Painter(
        spec, grid, cuts, looks, opening, motion, stamp, gains(key, spec, n_frames), sync
    )


def size_label(width: int, height: int) -> str:
    """``"1088x832 17:13"``: the size and its true ratio (Wan's 1088x832 is not 4:3)."""
    preset = catalog.SIZE_PRESET.get((width, height))
    if preset is not None:
        return f"{width}x{height} {preset[1]}"
    d = math.gcd(width, height)
    return f"{width}x{height} {width // d}:{height // d}"
