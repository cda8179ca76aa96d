"""Render deterministic preview videos for the local engine (no HTTP here).

A clip is procedural: layered gradients, waves and soft blobs, drawn at a quarter of the
output size in numpy and upscaled by swscale straight into yuv420p, then encoded in-process
with PyAV. Everything is derived from a SHA-256 of prompt, negative prompt and seed, so the
same spec always decodes to the same frames. Every frame carries a "local preview" label: this
is never passed off as Wan 2.6 output.
"""

from __future__ import annotations

import colorsys
import hashlib
import itertools
import json
import math
import os
import re
import secrets
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Final, Literal

import av
import numpy as np
from av.audio.stream import AudioStream
from av.container import OutputContainer
from av.video.stream import VideoStream
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont, ImageOps

F32 = NDArray[np.float32]
F64 = NDArray[np.float64]
U8 = NDArray[np.uint8]
U16 = NDArray[np.uint16]

SAMPLE_RATE: Final = 48_000
FORMAT_EXT: Final[dict[str, str]] = {"MP4": ".mp4", "WEBM": ".webm", "MOV": ".mov"}
FORMAT_MIME: Final[dict[str, str]] = {
    "MP4": "video/mp4",
    "WEBM": "video/webm",
    "MOV": "video/quicktime",
}
QUALITY_RANGE: Final = (20, 99)
MAX_DURATION: Final = 30.0
MAX_REFERENCE_VIDEOS: Final = 3

_SCALE: Final = 4  # procedural layers are drawn at 1/4 size; swscale upscales for free
_ANALYSIS_PIXELS: Final = 96 * 96  # reference videos are analysed at about this many pixels
_HASH_DOMAIN: Final = b"wan-notebook/local-render/v1\0"


@dataclass(frozen=True)
class RenderSpec:
    """What to render; mirrors the Wan 2.6 request fields the local engine honours.

    width/height: any even size from 64 to 4096 (Wan uses the ten in `catalog.SIZES`).
    duration: seconds, up to 30 (Wan uses 5, 10 or 15); shorter clips suit tests.
    quality: outputQuality 20-99, mapped onto the encoder's crf.
    shot_type: "multi" cuts between 2-4 shots, decided by prompt, seed and duration.
    audio_input: muxed instead of the generated soundtrack (even when `audio` is False),
        cut or padded with silence to the video's length.
    first_frame: frame 0 is this image, cover-cropped; the first shot then moves away.
    reference_videos: their global motion pans the scene and their structure shows in it.
    label: drawn on every frame with the seed; "" draws nothing (for tests only).
    """

    width: int
    height: int
    duration: float
    fmt: str = "MP4"
    quality: int = 95
    prompt: str = ""
    negative_prompt: str = ""
    seed: int = 0
    shot_type: str = "single"
    audio: bool = True
    audio_input: Path | None = None
    first_frame: Path | None = None
    reference_videos: tuple[Path, ...] = ()
    fps: int = 24
    label: str = "LOCAL PREVIEW · not Wan 2.6"


@dataclass(frozen=True)
class RenderInfo:
    """What was written, as probed from the finished file."""

    path: Path
    width: int
    height: int
    duration: float
    fps: float
    video_codec: str
    audio_codec: str | None
    frames: int
    bytes: int
    seconds_taken: float


@dataclass(frozen=True)
class _Format:
    muxer: str
    video: Literal["libx264", "libvpx-vp9"]
    audio: Literal["aac", "libopus"]
    audio_frame: int  # samples per encoder frame
    sample_format: str  # what the audio encoder takes natively
    options: dict[str, str]


_FORMATS: Final[dict[str, _Format]] = {
    "MP4": _Format("mp4", "libx264", "aac", 1024, "fltp", {"movflags": "+faststart"}),
    "WEBM": _Format("webm", "libvpx-vp9", "libopus", 960, "flt", {}),
    "MOV": _Format("mov", "libx264", "aac", 1024, "fltp", {"movflags": "+faststart"}),
}


# --------------------------------------------------------------------------- validation


def _validate(spec: RenderSpec) -> None:
    """Raise ValueError naming the first bad field; the server maps it to a task error."""
    if spec.fmt.upper() not in FORMAT_EXT:
        _bad("fmt", spec.fmt, f"one of {', '.join(FORMAT_EXT)}")
    for name, value in (("width", spec.width), ("height", spec.height)):
        if not 64 <= value <= 4096 or value % 2:
            _bad(name, value, "an even number of pixels from 64 to 4096")
    if not 1 <= spec.fps <= 60:
        _bad("fps", spec.fps, "1 to 60")
    if not 0 < spec.duration <= MAX_DURATION or round(spec.duration * spec.fps) < 1:
        _bad("duration", spec.duration, f"more than one frame and at most {MAX_DURATION:g} s")
    if not QUALITY_RANGE[0] <= spec.quality <= QUALITY_RANGE[1]:
        _bad("quality", spec.quality, f"{QUALITY_RANGE[0]} to {QUALITY_RANGE[1]}")
    if spec.shot_type not in ("single", "multi"):
        _bad("shot_type", spec.shot_type, "'single' or 'multi'")
    if len(spec.reference_videos) > MAX_REFERENCE_VIDEOS:
        _bad("reference_videos", len(spec.reference_videos), "at most 3 videos")


def _bad(field: str, value: object, allowed: str) -> None:
    msg = f"{field}: {value!r} is not allowed; expected {allowed}"
    raise ValueError(msg)


# --------------------------------------------------------------------------- seeding


def _key(spec: RenderSpec) -> bytes:
    """Stable across processes and machines (Python's hash() is salted per process)."""
    payload = json.dumps([spec.prompt, spec.negative_prompt, spec.seed], ensure_ascii=False)
    return hashlib.sha256(_HASH_DOMAIN + payload.encode()).digest()


def _rng(key: bytes, salt: str) -> np.random.Generator:
    digest = hashlib.sha256(key + salt.encode()).digest()
    return np.random.Generator(np.random.PCG64(int.from_bytes(digest[:16], "big")))


# Prompt words nudge the palette: (hue, saturation, value).
_MOODS: Final[dict[str, tuple[float, float, float]]] = {
    **dict.fromkeys(("night", "midnight", "moon", "moonlit", "dark", "stars"), (0.66, 0.6, 0.4)),
    **dict.fromkeys(("neon", "cyberpunk", "synthwave", "hologram"), (0.86, 0.95, 1.0)),
    **dict.fromkeys(
        ("ocean", "sea", "water", "underwater", "river", "rain", "tide"), (0.54, 0.75, 0.75)
    ),
    **dict.fromkeys(("fire", "flame", "lava", "volcano", "ember", "sunset"), (0.03, 0.9, 1.0)),
    **dict.fromkeys(("forest", "jungle", "garden", "meadow", "grass", "fern"), (0.31, 0.65, 0.65)),
    **dict.fromkeys(("desert", "sand", "dune", "brass", "gold", "golden"), (0.11, 0.6, 0.9)),
    **dict.fromkeys(("snow", "ice", "winter", "frost", "glacier"), (0.56, 0.2, 1.0)),
}


def _mood(prompt: str) -> tuple[float, float, float] | None:
    hits = [_MOODS[w] for w in re.findall(r"[a-z]+", prompt.lower()) if w in _MOODS]
    if not hits:
        return None
    # Circular mean, so "fire" (0.03) and "lava" (0.98-ish) do not average to green.
    angle = math.atan2(
        sum(math.sin(2 * math.pi * h) for h, _, _ in hits),
        sum(math.cos(2 * math.pi * h) for h, _, _ in hits),
    )
    sat = sum(s for _, s, _ in hits) / len(hits)
    val = sum(v for _, _, v in hits) / len(hits)
    return (angle / (2 * math.pi)) % 1.0, sat, val


# --------------------------------------------------------------------------- looks and shots


@dataclass(frozen=True)
class _Look:
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


def _base_hue(spec: RenderSpec) -> float:
    """Prompt-derived hue stepped by the golden ratio per seed: neighbouring seeds in a
    grid always get clearly different colours, never two near-identical clips."""
    digest = hashlib.sha256(_HASH_DOMAIN + json.dumps([spec.prompt, spec.negative_prompt]).encode())
    start = int.from_bytes(digest.digest()[:8], "big") / 2**64
    return (start + 0.6180339887 * spec.seed) % 1.0


def _make_look(
    key: bytes,
    index: int,
    base_hue: float,
    mood: tuple[float, float, float] | None,
    base_palette: F32 | None = None,
) -> _Look:
    """Palette, layers and camera of shot `index`; later shots rotate the hue a long way,
    so a cut is a visible change of scene."""
    rng = _rng(key, f"shot:{index}")
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
    return _Look(
        palette,
        (math.cos(bg_angle), math.sin(bg_angle)),
        waves,
        blob_rgb,
        blob_geom,
        blob_phase,
        drift,
    )


def _shot_bounds(key: bytes, spec: RenderSpec, n_frames: int) -> list[int]:
    """Frame indices where shots start, plus n_frames at the end."""
    min_len = max(2, spec.fps // 4)
    if spec.shot_type != "multi" or n_frames < 2 * min_len:
        return [0, n_frames]
    rng = _rng(key, f"shots:{spec.duration:g}")
    low = 3 if spec.duration >= 12 else 2
    high = max(low, min(4, int(spec.duration // 1.5)))
    count = min(int(rng.integers(low, high + 1)), n_frames // min_len)
    weights = np.cumsum(rng.uniform(0.7, 1.3, count))
    cuts = [round(float(w) * n_frames / float(weights[-1])) for w in weights[:-1]]
    return [0, *cuts, n_frames]


# --------------------------------------------------------------------------- procedural frames


@dataclass(frozen=True)
class _Grid:
    """Low-resolution sample coordinates; the shorter side spans one unit."""

    width: int
    height: int
    x: F32  # (1, w)
    y: F32  # (h, 1)
    half_w: float
    half_h: float
    vignette: F32  # (h, w)


def _make_grid(width: int, height: int) -> _Grid:
    w, h = -(-width // _SCALE), -(-height // _SCALE)
    unit = float(min(w, h))
    x = ((np.arange(w, dtype=np.float32) + 0.5 - w / 2) / unit)[None, :]
    y = ((np.arange(h, dtype=np.float32) + 0.5 - h / 2) / unit)[:, None]
    half_w, half_h = w / 2 / unit, h / 2 / unit
    vignette = 1.0 - 0.28 * ((x / half_w) ** 2 + (y / half_h) ** 2)
    return _Grid(w, h, x, y, half_w, half_h, vignette.astype(np.float32))


def _compose(
    grid: _Grid, look: _Look, t: float, pan: tuple[float, float], field: F32 | None
) -> F32:
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


def _upscale(img: F32, width: int, height: int) -> av.VideoFrame:
    """A (3, h, w) float frame to a full-size yuv420p frame; swscale does the resampling."""
    planar = (np.clip(img, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    small = av.VideoFrame(planar.shape[2], planar.shape[1], "gbrp")  # planar: no transpose
    for plane, channel in zip(_planes(small), (1, 2, 0), strict=True):
        plane[...] = planar[channel]
    return small.reformat(width, height, "yuv420p", interpolation="BILINEAR")


def _planes(frame: av.VideoFrame) -> list[U8]:
    """Writable views of a frame's planes without the line padding."""
    views = []
    for plane in frame.planes:
        buf = np.frombuffer(memoryview(plane), np.uint8)
        views.append(buf.reshape(plane.height, plane.line_size)[:, : plane.width])
    return views


def _blend_into(dst: U8, src: U8 | U16, alpha: int | U16) -> None:
    """dst = mix(dst, src, alpha / 256) in integer arithmetic."""
    mixed = dst.astype(np.uint16) * (256 - alpha) + src.astype(np.uint16) * alpha + 128
    dst[...] = (mixed >> 8).astype(np.uint8)


# --------------------------------------------------------------------------- the label


@dataclass(frozen=True)
class _Stamp:
    """The label, pre-converted to yuv420p planes with 0-256 alpha, blended per frame."""

    x: int
    y: int
    values: tuple[U16, U16, U16]
    alphas: tuple[U16, U16, U16]


def _make_stamp(text: str, width: int, height: int) -> _Stamp:
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
    return _Stamp(margin, margin, (y, u, v), (ay, au, av_))


def _pool2(a: F32) -> F32:
    h, w = a.shape
    pooled: F32 = a.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3), dtype=np.float32)
    return pooled


def _apply_stamp(planes: Sequence[U8], stamp: _Stamp) -> None:
    for i, (plane, value, alpha) in enumerate(zip(planes, stamp.values, stamp.alphas, strict=True)):
        x, y = (stamp.x, stamp.y) if i == 0 else (stamp.x // 2, stamp.y // 2)
        h, w = value.shape
        _blend_into(plane[y : y + h, x : x + w], value, alpha)


# --------------------------------------------------------------------------- first frame


@dataclass(frozen=True)
class _Opening:
    """A first-frame image: shown exactly at frame 0, then zooms and dissolves away."""

    rgb: U8  # (H, W, 3), cover-cropped to the output size
    small: U8  # (2h, 2w, 3), for the faint ghost that stays inside the first shot
    focus: tuple[float, float]
    fade_frames: int
    shot_frames: int

    def zoom(self, i: int) -> float:
        return 1.0 + 0.12 * i / max(1, self.shot_frames)

    def sharp_weight(self, i: int) -> int:
        """0-256 weight of the full-resolution image; 256 at frame 0."""
        if i >= self.fade_frames:
            return 0
        u = i / self.fade_frames
        return round(256 * (1 - u * u * (3 - 2 * u)))

    def sharp(self, i: int) -> av.VideoFrame:
        height, width = self.rgb.shape[:2]
        frame = av.VideoFrame.from_ndarray(self._crop(self.rgb, i), format="rgb24")
        return frame.reformat(width, height, "yuv420p", interpolation="BILINEAR")

    def ghost(self, i: int, grid: _Grid) -> F32:
        """The same zoom at procedural resolution (cropped from a 2x copy, for precision)."""
        crop = self._crop(self.small, i)
        frame = av.VideoFrame.from_ndarray(crop, format="rgb24")
        small = frame.reformat(grid.width, grid.height, interpolation="BILINEAR").to_ndarray()
        return small.transpose(2, 0, 1).astype(np.float32) * np.float32(1 / 255)

    def _crop(self, image: U8, i: int) -> U8:
        height, width = image.shape[:2]
        z = self.zoom(i)
        cw, ch = max(2, round(width / z)), max(2, round(height / z))
        x0 = round(self.focus[0] * (width - cw))
        y0 = round(self.focus[1] * (height - ch))
        return np.ascontiguousarray(image[y0 : y0 + ch, x0 : x0 + cw])


def _load_image(path: Path, width: int, height: int) -> U8:
    try:
        with Image.open(path) as im:
            upright = ImageOps.exif_transpose(im).convert("RGB")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        msg = f"first_frame: cannot read image {str(path)!r}: {exc}"
        raise ValueError(msg) from exc
    fitted = ImageOps.fit(upright, (width, height), method=Image.Resampling.LANCZOS)
    return np.asarray(fitted, dtype=np.uint8)


def _make_opening(
    key: bytes, path: Path, grid: _Grid, spec: RenderSpec, shot_frames: int
) -> _Opening:
    rgb = _load_image(path, spec.width, spec.height)
    small_img = Image.fromarray(rgb).resize((2 * grid.width, 2 * grid.height), Image.Resampling.BOX)
    small = np.asarray(small_img, dtype=np.uint8)
    rng = _rng(key, "opening")
    focus = (float(rng.uniform(0.3, 0.7)), float(rng.uniform(0.3, 0.7)))
    fade = max(1, min(round(1.5 * spec.fps), round(0.6 * shot_frames)))
    return _Opening(rgb, small, focus, fade, shot_frames)


def _image_palette(small: U8) -> F32:
    """Dark, middle and bright colours of the image, so the first shot grows out of it."""
    pixels = small.reshape(-1, 3).astype(np.float32) / 255.0
    order = np.argsort(pixels @ np.array([0.299, 0.587, 0.114], np.float32), kind="stable")
    picks = [pixels[order[int(q * (len(order) - 1))]] for q in (0.1, 0.5, 0.92)]
    return np.array(picks, dtype=np.float32)


# --------------------------------------------------------------------------- reference motion


@dataclass(frozen=True)
class _Reference:
    """One reference video, analysed: small grey frames and the camera track through them."""

    luma: U8  # (k, ah, aw)
    track: F32  # (k, 2) cumulative global shift, in grid units
    step: float  # seconds between frames
    mean: float
    spread: float


@dataclass(frozen=True)
class _Motion:
    """What the references contribute to output frame i: a pan and a structure field."""

    refs: tuple[_Reference, ...]
    fps: int
    grid: _Grid

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
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                msg = f"{where}: {str(path)!r} has no video stream"
                raise ValueError(msg)
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            for frame in container.decode(stream):
                grey = frame.reformat(size[0], size[1], "gray", interpolation="AREA")
                frames.append(np.asarray(grey.to_ndarray(), dtype=np.uint8))
                times.append(float(frame.time or 0.0))
                if times[-1] >= limit:
                    break
    except (av.FFmpegError, OSError) as exc:
        msg = f"{where}: cannot decode video {str(path)!r}: {exc}"
        raise ValueError(msg) from exc
    if not frames:
        msg = f"{where}: {str(path)!r} has no decodable frames"
        raise ValueError(msg)
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


def _reference_motion(spec: RenderSpec, grid: _Grid) -> _Motion | None:
    if not spec.reference_videos:
        return None
    size = _analysis_size(spec.width, spec.height)
    refs = tuple(
        _analyse_reference(Path(path), index, size, grid, spec.duration)
        for index, path in enumerate(spec.reference_videos)
    )
    return _Motion(refs, spec.fps, grid)


def _analyse_reference(
    path: Path, index: int, size: tuple[int, int], grid: _Grid, limit: float
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


# --------------------------------------------------------------------------- audio


def _soundtrack(key: bytes, spec: RenderSpec, cuts: Sequence[int], n_samples: int) -> F32:
    """A few soft chords (changing at every cut) over gently swelling pink noise; (2, n)."""
    rng = _rng(key, "audio")
    mood = _mood(spec.prompt)
    dark = mood is not None and mood[2] < 0.6
    root = int(rng.integers(45, 52)) - (5 if dark else 0)  # MIDI note, A2..D3
    minor = dark or rng.random() < 0.5
    scale = (0, 2, 3, 5, 7, 8, 10) if minor else (0, 2, 4, 5, 7, 9, 11)
    out = np.zeros((2, n_samples), np.float64)
    t_all = np.arange(n_samples, dtype=np.float64) / SAMPLE_RATE

    bounds = _chord_bounds([round(c / spec.fps * SAMPLE_RATE) for c in cuts], n_samples)
    tail = int(0.35 * SAMPLE_RATE)
    degree = 0
    for a, b in itertools.pairwise(bounds):
        stop = min(n_samples, b + tail)
        t = t_all[a:stop] - t_all[a]
        env = _envelope(t, (b - a) / SAMPLE_RATE)
        notes = [root - 12 + scale[degree % 7]] + [
            root + scale[(degree + k) % 7] + 12 * ((degree + k) // 7) for k in (0, 2, 4)
        ]
        for j, midi in enumerate(notes):
            freq = 440.0 * 2 ** ((midi - 69) / 12)
            phase = 2 * math.pi * freq * t + 2 * math.pi * rng.random()
            s, c = np.sin(phase), np.cos(phase)
            tone = (s + 0.3 * (2 * s * c) + 0.12 * (3 * s - 4 * s**3)) * env  # partials 1, 2, 3
            pan = 0.5 + 0.35 * math.sin(1.7 * j + degree)
            gain = 0.5 if j == 0 else 0.3
            out[0, a:stop] += gain * (1 - pan) * tone
            out[1, a:stop] += gain * pan * tone
        degree = int(rng.choice([3, 4, 5, 1, 6]))

    out += _pink_noise(rng, n_samples) * (0.75 + 0.25 * np.sin(2 * math.pi * t_all / 4.3))
    peak = float(np.abs(out).max()) or 1.0
    out *= 0.45 / peak
    fade = min(n_samples // 2, int(0.02 * SAMPLE_RATE))
    if fade:
        ramp = np.linspace(0.0, 1.0, fade)
        out[:, :fade] *= ramp
        out[:, n_samples - fade :] *= ramp[::-1]
    return out.astype(np.float32)


def _chord_bounds(cut_samples: Sequence[int], n_samples: int) -> list[int]:
    """Chord changes: at every cut, and every ~2.5 s within a shot."""
    bounds: list[int] = []
    for a, b in itertools.pairwise(cut_samples):
        parts = max(1, round((b - a) / (2.5 * SAMPLE_RATE)))
        bounds += [a + (b - a) * k // parts for k in range(parts)]
    return [*bounds, n_samples]


def _envelope(t: F64, length: float) -> F64:
    attack = np.minimum(1.0, t / 0.06)
    release = np.clip(1.0 - (t - length) / 0.35, 0.0, 1.0)
    env: F64 = attack * release * np.exp(-t / 6.0)
    return env


def _pink_noise(rng: np.random.Generator, n: int) -> F64:
    """Stereo noise with a 1/f spectrum below ~4 kHz: soft, like wind or distant surf."""
    spectrum = np.fft.rfft(rng.standard_normal((2, n)), axis=1)
    freqs = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
    shape = 1.0 / np.sqrt(np.maximum(freqs, 20.0)) / (1.0 + (freqs / 4000.0) ** 2)
    noise = np.fft.irfft(spectrum * shape, n=n, axis=1)
    noise *= 0.05 / (float(noise.std()) + 1e-12)
    result: F64 = noise
    return result


def _load_audio(path: Path, n_samples: int) -> F32:
    """Decode any audio file to 48 kHz stereo float; cut or pad with silence to n samples."""
    chunks: list[F32] = []
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                msg = f"audio_input: {str(path)!r} has no audio stream"
                raise ValueError(msg)
            resampler = av.AudioResampler(format="fltp", layout="stereo", rate=SAMPLE_RATE)
            have = 0
            for frame in container.decode(container.streams.audio[0]):
                for part in resampler.resample(frame):
                    chunks.append(np.asarray(part.to_ndarray(), dtype=np.float32))
                    have += part.samples
                if have >= n_samples:
                    break
            else:  # the whole file was read: drain the resampler's tail
                chunks += [np.asarray(p.to_ndarray(), np.float32) for p in resampler.resample(None)]
    except (av.FFmpegError, OSError) as exc:
        msg = f"audio_input: cannot decode audio {str(path)!r}: {exc}"
        raise ValueError(msg) from exc
    pcm = np.concatenate(chunks, axis=1) if chunks else np.zeros((2, 0), np.float32)
    out = np.zeros((2, n_samples), np.float32)
    take = min(n_samples, pcm.shape[1])
    out[:, :take] = pcm[:, :take]
    return out


# --------------------------------------------------------------------------- encoding


def _crf(quality: int, worst: int, best: int) -> int:
    """Map outputQuality 20-99 linearly onto an encoder's crf scale."""
    u = (quality - QUALITY_RANGE[0]) / (QUALITY_RANGE[1] - QUALITY_RANGE[0])
    return round(worst + u * (best - worst))


def _add_video(container: OutputContainer, spec: RenderSpec, fmt: _Format) -> VideoStream:
    if fmt.video == "libx264":
        options = {"preset": "veryfast", "crf": str(_crf(spec.quality, 40, 18))}
    else:  # realtime + cpu-used 8 + row-mt: ~5x faster than libvpx's default deadline
        options = {
            "deadline": "realtime",
            "cpu-used": "8",
            "row-mt": "1",
            "crf": str(_crf(spec.quality, 52, 20)),
        }
    stream = container.add_stream(fmt.video, rate=spec.fps, options=options)
    stream.width, stream.height, stream.pix_fmt = spec.width, spec.height, "yuv420p"
    stream.codec_context.gop_size = 2 * spec.fps  # a keyframe every 2 s keeps seeking snappy
    stream.codec_context.color_range = 1  # limited (MPEG) range, what swscale produced
    stream.codec_context.colorspace = 6  # BT.601 (smpte170m): the matrix swscale used
    if fmt.video == "libx264":
        stream.codec_context.thread_type = "FRAME"  # x264 frame threads: ~15% faster than slices
    else:
        stream.codec_context.bit_rate = 0  # constant quality (crf only)
    return stream


def _add_audio(container: OutputContainer, fmt: _Format) -> AudioStream:
    stream = container.add_stream(fmt.audio, rate=SAMPLE_RATE, layout="stereo")
    stream.codec_context.format = fmt.sample_format
    stream.bit_rate = 128_000
    return stream


def _audio_frame(pcm: F32, start: int, fmt: _Format) -> av.AudioFrame:
    chunk = pcm[:, start : start + fmt.audio_frame]
    if fmt.sample_format == "flt":  # interleaved L R L R ...
        data = np.ascontiguousarray(chunk.T).reshape(1, -1)
    else:
        data = np.ascontiguousarray(chunk)
    frame = av.AudioFrame.from_ndarray(data, format=fmt.sample_format, layout="stereo")
    frame.sample_rate = SAMPLE_RATE
    frame.pts = start
    frame.time_base = Fraction(1, SAMPLE_RATE)
    return frame


@dataclass
class _AudioFeed:
    """Pushes audio up to the current video time, so the file is interleaved as it grows."""

    container: OutputContainer
    stream: AudioStream
    pcm: F32
    fmt: _Format
    sent: int = 0

    def until(self, samples: int) -> None:
        samples = min(samples, self.pcm.shape[1])
        while self.sent < samples:
            frame = _audio_frame(self.pcm, self.sent, self.fmt)
            self.container.mux(self.stream.encode(frame))
            self.sent += frame.samples

    def finish(self) -> None:
        self.until(self.pcm.shape[1])
        self.container.mux(self.stream.encode(None))


# --------------------------------------------------------------------------- render


@dataclass(frozen=True)
class _Painter:
    """Everything that decides a picture; frame(i) is a pure function of i."""

    spec: RenderSpec
    grid: _Grid
    cuts: list[int]  # shot starts, then the frame count
    looks: list[_Look]
    opening: _Opening | None
    motion: _Motion | None
    stamp: _Stamp | None

    def frame(self, i: int) -> av.VideoFrame:
        shot = next(k for k in range(len(self.looks)) if i < self.cuts[k + 1])
        tau = (i - self.cuts[shot]) / self.spec.fps
        motion, opening = self.motion, self.opening
        pan = motion.pan(i) if motion else (0.0, 0.0)
        low = _compose(self.grid, self.looks[shot], tau, pan, motion.field(i) if motion else None)
        if opening is not None and shot == 0:
            low += 0.4 * (opening.ghost(i, self.grid) - low)
        frame = _upscale(low, self.spec.width, self.spec.height)
        planes = _planes(frame)
        if opening is not None and (weight := opening.sharp_weight(i)):
            for dst, src in zip(planes, _planes(opening.sharp(i)), strict=True):
                _blend_into(dst, src, weight)
        if self.stamp is not None:
            _apply_stamp(planes, self.stamp)
        frame.pts = i
        return frame


def _make_painter(spec: RenderSpec, key: bytes, cuts: list[int]) -> _Painter:
    """Reads the input files, so a bad one fails here, before any output exists."""
    grid = _make_grid(spec.width, spec.height)
    opening = (
        _make_opening(key, Path(spec.first_frame), grid, spec, cuts[1])
        if spec.first_frame is not None
        else None
    )
    motion = _reference_motion(spec, grid)
    mood = _mood(spec.prompt)
    first_palette = _image_palette(opening.small) if opening else None
    hue = _base_hue(spec)
    looks = [
        _make_look(key, k, hue, mood, first_palette if k == 0 else None)
        for k in range(len(cuts) - 1)
    ]
    label = f"{spec.label} · seed {spec.seed}" if spec.label else ""
    stamp = _make_stamp(label, spec.width, spec.height) if label else None
    return _Painter(spec, grid, cuts, looks, opening, motion, stamp)


_LOOKAHEAD: Final = 6  # frames painted ahead of the encoder


def render(
    spec: RenderSpec,
    out_path: Path,
    *,
    progress: Callable[[float], None] | None = None,
) -> RenderInfo:
    """Render `spec` to `out_path` atomically and return what the file holds.

    `progress(fraction)` is called after every encoded frame and with 1.0 once the file is
    in place; an exception raised from it aborts the render and leaves no file behind.
    Raises ValueError naming the field for a bad spec or an unreadable input file.
    """
    started = time.perf_counter()
    _validate(spec)
    out_path = Path(out_path)
    key = _key(spec)
    n_frames = round(spec.duration * spec.fps)
    n_samples = round(n_frames / spec.fps * SAMPLE_RATE)  # exactly the video's length
    cuts = _shot_bounds(key, spec, n_frames)
    painter = _make_painter(spec, key, cuts)
    pcm = _load_audio(Path(spec.audio_input), n_samples) if spec.audio_input else None

    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    # Painting and the soundtrack run on worker threads while this one feeds the encoders:
    # numpy, swscale and avcodec_send_frame release the GIL, so both cores stay busy.
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="wan-render")
    try:
        if pcm is None and spec.audio:
            sound: Future[F32] | None = pool.submit(_soundtrack, key, spec, cuts, n_samples)
        else:
            sound = _done(pcm) if pcm is not None else None
        _encode(spec, painter, sound, pool, tmp, n_frames, progress)
        os.replace(tmp, out_path)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        tmp.unlink(missing_ok=True)

    info = probe(out_path)
    if progress is not None:
        progress(1.0)
    return RenderInfo(
        path=out_path,
        width=int(info["width"]),
        height=int(info["height"]),
        duration=float(info["duration"]),
        fps=float(info["fps"]),
        video_codec=str(info["video_codec"]),
        audio_codec=info["audio_codec"],
        frames=int(info["frames"]),
        bytes=int(info["bytes"]),
        seconds_taken=time.perf_counter() - started,
    )


def _done(value: F32) -> Future[F32]:
    future: Future[F32] = Future()
    future.set_result(value)
    return future


def _encode(
    spec: RenderSpec,
    painter: _Painter,
    sound: Future[F32] | None,
    pool: ThreadPoolExecutor,
    path: Path,
    n_frames: int,
    progress: Callable[[float], None] | None,
) -> None:
    fmt = _FORMATS[spec.fmt.upper()]
    # bitexact: no random segment UID or version strings, so equal specs give equal bytes.
    options = {**fmt.options, "fflags": "+bitexact"}
    with av.open(str(path), "w", format=fmt.muxer, options=options) as out:
        video = _add_video(out, spec, fmt)
        audio = _add_audio(out, fmt) if sound is not None else None
        feed: _AudioFeed | None = None
        ahead = deque(pool.submit(painter.frame, i) for i in range(min(_LOOKAHEAD, n_frames)))
        for i in range(n_frames):
            frame = ahead.popleft().result()
            if i + _LOOKAHEAD < n_frames:
                ahead.append(pool.submit(painter.frame, i + _LOOKAHEAD))
            out.mux(video.encode(frame))
            if sound is not None and audio is not None:
                # Waiting here (not at the end) keeps packet order, and so the bytes, fixed.
                feed = feed or _AudioFeed(out, audio, sound.result(), fmt)
                feed.until(round((i + 1) / spec.fps * SAMPLE_RATE))
            if progress is not None:
                progress((i + 1) / (n_frames + 1))
        out.mux(video.encode(None))
        if feed is not None:
            feed.finish()


# --------------------------------------------------------------------------- probe


def probe(path: Path | str) -> dict[str, Any]:
    """Describe a media file with PyAV: container, streams and their real extents.

    Stream durations and the frame count come from the packets themselves (demuxed, not
    decoded), so they are right for WEBM too, whose streams carry no duration. The first
    video and audio streams are also summarised at the top level.
    """
    path = Path(path)
    try:
        with av.open(str(path)) as container:
            streams = [_describe(s) for s in container.streams]
            spans = _packet_spans(container)
            fmt_name = container.format.name
            duration = container.duration / av.time_base if container.duration else None
    except (av.FFmpegError, OSError) as exc:
        msg = f"cannot probe {str(path)!r}: {exc}"
        raise ValueError(msg) from exc
    for s in streams:
        start, end, count = spans.get(s["index"], (0.0, 0.0, 0))
        s["duration"] = round(end - max(start, 0.0), 6)
        s["packets"] = count
        if s["type"] == "video":
            s["frames"] = count
    video = next((s for s in streams if s["type"] == "video"), None)
    audio = next((s for s in streams if s["type"] == "audio"), None)
    return {
        "path": str(path),
        "format": fmt_name,
        "bytes": path.stat().st_size,
        "duration": duration
        if duration is not None
        else max((s["duration"] for s in streams), default=0.0),
        "streams": streams,
        "video_codec": video["codec"] if video else None,
        "audio_codec": audio["codec"] if audio else None,
        "width": video["width"] if video else None,
        "height": video["height"] if video else None,
        "fps": video["fps"] if video else None,
        "frames": video["frames"] if video else 0,
        "sample_rate": audio["sample_rate"] if audio else None,
        "channels": audio["channels"] if audio else None,
    }


def _describe(stream: Any) -> dict[str, Any]:
    ctx = stream.codec_context
    info: dict[str, Any] = {
        "index": stream.index,
        "type": stream.type,
        "codec": ctx.name if ctx else None,
    }
    if stream.type == "video":
        rate = stream.average_rate or stream.guessed_rate
        info.update(
            width=ctx.width,
            height=ctx.height,
            pix_fmt=ctx.pix_fmt,
            fps=float(rate) if rate else None,
        )
    elif stream.type == "audio":
        info.update(sample_rate=ctx.sample_rate, channels=ctx.channels)
    return info


def _packet_spans(container: Any) -> dict[int, tuple[float, float, int]]:
    spans: dict[int, tuple[float, float, int]] = {}
    for packet in container.demux():
        if packet.pts is None or packet.time_base is None:
            continue
        start = float(packet.pts * packet.time_base)
        end = float((packet.pts + (packet.duration or 0)) * packet.time_base)
        lo, hi, count = spans.get(packet.stream_index, (start, end, 0))
        spans[packet.stream_index] = (min(lo, start), max(hi, end), count + 1)
    return spans
