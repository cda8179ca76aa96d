"""Each shot's look: palette, waves, soft blobs and camera drift, in normalised units.

Colours start from the prompt (mood words such as "night" or "lava" pick the hue family)
and step by the golden ratio per seed; every later shot of a multi-shot clip turns the
hue a long way, so a cut is a visible change of scene.
"""

from __future__ import annotations

import colorsys
import hashlib
import json
import math
from dataclasses import dataclass

import numpy as np

from ._spec import F32, HASH_DOMAIN, RenderSpec, rng_for


@dataclass(frozen=True)
class Look:
    """One shot's composition: palette, layers and camera, all in normalised units."""

    palette: F32  # (3, 3): background dark, background light, ribbons
    bg_dir: tuple[float, float]
    waves: F32  # (n, 4): kx, ky, angular speed, phase
    blob_rgb: F32  # (m, 3)
    blob_geom: F32  # (m, 8): radius, strength, cx, cy, ax, ay, fx*2pi, fy*2pi
    blob_phase: F32  # (m, 2)
    drift: tuple[float, float]  # camera speed, units per second


def _hsv(h: float, s: float, v: float) -> tuple[float, float, float]:
    return colorsys.hsv_to_rgb(h % 1.0, min(max(s, 0.0), 1.0), min(max(v, 0.0), 1.0))


def base_hue(spec: RenderSpec) -> float:
    """Prompt-derived hue stepped by the golden ratio per seed: neighbouring seeds in a
    grid always get clearly different colours, never two near-identical clips."""
    digest = hashlib.sha256(HASH_DOMAIN + json.dumps([spec.prompt, spec.negative_prompt]).encode())
    start = int.from_bytes(digest.digest()[:8], "big") / 2**64
    return (start + 0.6180339887 * spec.seed) % 1.0


def make_look(
    key: bytes,
    index: int,
    base_hue: float,
    mood: tuple[float, float, float] | None,
    base_palette: F32 | None = None,
) -> Look:
    """Palette, layers and camera of shot `index`; later shots rotate the hue a long way,
    so a cut is a visible change of scene."""
    rng = rng_for(key, f"shot:{index}")
    hue0, sat0, val0 = mood or (base_hue, 0.55 + 0.4 * rng.random(), 0.8)
    jitter = 0.16 * (rng.random() - 0.5) if mood else 0.0  # a mood keeps its hue family
    hue = hue0 + jitter + index * (0.27 + 0.1 * rng.random())
    spread = 0.05 + 0.12 * rng.random()
    palette = np.array(
        [
            _hsv(hue, sat0 * 0.9, val0 * (0.18 + 0.12 * rng.random())),
            _hsv(hue + spread, sat0, val0 * (0.5 + 0.2 * rng.random())),
            _hsv(hue - spread, sat0 * 0.8, val0 * (0.85 + 0.15 * rng.random())),
        ],
        dtype=np.float32,
    )
    if base_palette is not None:
        palette = (0.75 * base_palette + 0.25 * palette).astype(np.float32)
    if index % 2:  # flip light and dark sides: another cheap, strong difference at cuts
        palette[[0, 1]] = palette[[1, 0]]
    bg_angle = 2 * math.pi * rng.random()

    n_waves = 3
    angles = 2 * math.pi * rng.random(n_waves)
    freq = 2.0 + 5.0 * rng.random(n_waves)  # radians per unit: 1-3 bands across the frame
    waves = np.stack(
        [
            freq * np.cos(angles),
            freq * np.sin(angles),
            (0.4 + 1.1 * rng.random(n_waves)) * rng.choice([-1.0, 1.0], n_waves),
            2 * math.pi * rng.random(n_waves),
        ],
        axis=1,
    ).astype(np.float32)

    n_blobs = int(rng.integers(3, 7))
    blob_rgb = np.array(
        [
            _hsv(hue + rng.normal(0, 0.15) + (0.5 if b % 3 == 2 else 0), sat0, 1.0)
            for b in range(n_blobs)
        ],
        dtype=np.float32,
    )
    blob_geom = np.stack(
        [
            0.08 + 0.2 * rng.random(n_blobs),  # radius
            0.35 + 0.45 * rng.random(n_blobs),  # strength
            rng.uniform(-0.6, 0.6, n_blobs),  # centre
            rng.uniform(-0.35, 0.35, n_blobs),
            rng.uniform(0.1, 0.45, n_blobs),  # Lissajous amplitude
            rng.uniform(0.05, 0.3, n_blobs),
            2 * math.pi * rng.uniform(0.05, 0.22, n_blobs),  # angular frequency
            2 * math.pi * rng.uniform(0.05, 0.22, n_blobs),
        ],
        axis=1,
    ).astype(np.float32)
    blob_phase = (2 * math.pi * rng.random((n_blobs, 2))).astype(np.float32)
    drift = (float(rng.uniform(-0.08, 0.08)), float(rng.uniform(-0.04, 0.04)))
    return Look(
        palette,
        (math.cos(bg_angle), math.sin(bg_angle)),
        waves,
        blob_rgb,
        blob_geom,
        blob_phase,
        drift,
    )
