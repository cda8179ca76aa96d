"""What the renderer makes: the spec, its checks, and the seed every choice derives from.

``RenderSpec`` mirrors the Wan 2.6 request fields the local engine honours; ``RenderInfo`` is
what a finished file holds. Everything random in a clip (palette, layers, shots, chords)
comes from ``rng_for(spec_key(spec), salt)``: a SHA-256 of prompt, negative prompt and seed,
so the same spec always decodes to the same frames, on any machine.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from numbers import Integral, Real
from pathlib import Path
from typing import Any, Final, Literal

import av
import numpy as np
from numpy.typing import NDArray

from ...errors import BadValueError
from ...request import catalog
from .._checks import require
from ..faults import MAX_AV_OFFSET_MS

# Array shapes are noted where they are made; these name the element types.
F32 = NDArray[np.float32]
F64 = NDArray[np.float64]
U8 = NDArray[np.uint8]
U16 = NDArray[np.uint16]

SAMPLE_RATE: Final = 48_000
MAX_DURATION: Final = 30.0
HASH_DOMAIN: Final = b"wan-notebook/local-render/v1\0"


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
    flicker: 0-1, for metric tests (off by default): each frame's brightness is scaled by a
        factor drawn from [1 - flicker/2, 1 + flicker/2] (``_plan``).
    av_offset_ms: for metric tests (None by default): sync marks, a square that jumps at
        irregular moments with a click on the soundtrack at each, and the whole sound this
        many milliseconds late (negative: early) against the picture (``_plan``).
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
    fps: int = catalog.OUTPUT_FPS  # Wan 2.6 writes 30 fps
    label: str = "LOCAL PREVIEW · not Wan 2.6"
    flicker: float = 0.0
    av_offset_ms: float | None = None


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
    plan: dict[str, Any] = field(default_factory=dict)  # what was drawn where (``_plan``)


# --------------------------------------------------------------------------- validation


def validate(spec: RenderSpec) -> None:
    """Raise ValueError naming the first bad field; the server maps it to a task error.

    A field of the wrong Python type raises TypeError naming it instead.
    """
    require(spec, RenderSpec, "spec", "a RenderSpec")
    _check_types(spec)
    if spec.fmt.upper() not in catalog.FORMATS:
        _bad("fmt", spec.fmt, f"one of {', '.join(catalog.FORMATS)}")
    for name, value in (("width", spec.width), ("height", spec.height)):
        if not 64 <= value <= 4096 or value % 2:
            _bad(name, value, "an even number of pixels from 64 to 4096")
    if not 1 <= spec.fps <= 60:
        _bad("fps", spec.fps, "1 to 60")
    if not 0 < spec.duration <= MAX_DURATION or round(spec.duration * spec.fps) < 1:
        _bad("duration", spec.duration, f"more than one frame and at most {MAX_DURATION:g} s")
    low, high = catalog.QUALITY_RANGE
    if not low <= spec.quality <= high:
        _bad("quality", spec.quality, f"{low} to {high}")
    if spec.shot_type not in ("single", "multi"):
        _bad("shot_type", spec.shot_type, "'single' or 'multi'")
    if len(spec.reference_videos) > catalog.REFERENCE_VIDEOS_MAX:
        _bad("reference_videos", len(spec.reference_videos), "at most 3 videos")
    if not 0.0 <= spec.flicker <= 1.0:
        _bad("flicker", spec.flicker, "0 to 1")
    if spec.av_offset_ms is not None and not abs(spec.av_offset_ms) <= MAX_AV_OFFSET_MS:
        limit = f"{MAX_AV_OFFSET_MS:g}"
        _bad("av_offset_ms", spec.av_offset_ms, f"None or -{limit} to {limit} ms")


_PATH = (str, os.PathLike)
_OPTIONAL_PATH = (*_PATH, type(None))
# Each field's Python types, and how a message names them.
_TYPES: Final[dict[str, tuple[tuple[type, ...], str]]] = {
    "width": ((Integral,), "an int"),
    "height": ((Integral,), "an int"),
    "duration": ((Real,), "a number"),
    "fmt": ((str,), "a str"),
    "quality": ((Integral,), "an int"),
    "prompt": ((str,), "a str"),
    "negative_prompt": ((str,), "a str"),
    "seed": ((Integral,), "an int"),
    "shot_type": ((str,), "a str"),
    "audio_input": (_OPTIONAL_PATH, "a path or None"),
    "first_frame": (_OPTIONAL_PATH, "a path or None"),
    "reference_videos": ((tuple, list), "a tuple of paths"),
    "fps": ((Integral,), "an int"),
    "label": ((str,), "a str"),
    "flicker": ((Real,), "a number"),
    "av_offset_ms": ((Real, type(None)), "a number or None"),
}


def _check_types(spec: RenderSpec) -> None:
    for name, (types, what) in _TYPES.items():
        require(getattr(spec, name), types, name, what)
    for index, path in enumerate(spec.reference_videos):
        require(path, _PATH, f"reference_videos[{index}]", "a path")


def _bad(field: str, value: object, allowed: str) -> None:
    msg = f"{field}: {value!r} is not allowed; expected {allowed}"
    raise BadValueError(msg)


@contextlib.contextmanager
def open_input(path: Path, where: str, kind: Literal["audio", "video"]) -> Iterator[Any]:
    """The container and first ``kind`` stream of an input file, for decoding.

    Any failure, in opening or while decoding inside the block, is a ValueError that starts
    with ``where`` (the spec field): the engine answers it as ``invalidMediaInput``.
    """
    try:
        with av.open(str(path)) as container:
            streams = getattr(container.streams, kind)
            if not streams:
                msg = f"{where}: {str(path)!r} has no {kind} stream"
                raise BadValueError(msg)
            yield container, streams[0]
    except (av.FFmpegError, OSError) as exc:
        msg = f"{where}: cannot decode {kind} {str(path)!r}: {exc}"
        raise BadValueError(msg) from exc


# --------------------------------------------------------------------------- seeding


def spec_key(spec: RenderSpec) -> bytes:
    """Stable across processes and machines (Python's hash() is salted per process)."""
    payload = json.dumps([spec.prompt, spec.negative_prompt, spec.seed], ensure_ascii=False)
    return hashlib.sha256(HASH_DOMAIN + payload.encode()).digest()


def rng_for(key: bytes, salt: str) -> np.random.Generator:
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


def prompt_mood(prompt: str) -> tuple[float, float, float] | None:
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


def shot_bounds(key: bytes, spec: RenderSpec, n_frames: int) -> list[int]:
    """Frame indices where shots start, plus n_frames at the end."""
    min_len = max(2, spec.fps // 4)
    if spec.shot_type != "multi" or n_frames < 2 * min_len:
        return [0, n_frames]
    rng = rng_for(key, f"shots:{spec.duration:g}")
    low = 3 if spec.duration >= 12 else 2
    high = max(low, min(4, int(spec.duration // 1.5)))
    count = min(int(rng.integers(low, high + 1)), n_frames // min_len)
    weights = np.cumsum(rng.uniform(0.7, 1.3, count))
    cuts = [round(float(w) * n_frames / float(weights[-1])) for w in weights[:-1]]
    return [0, *cuts, n_frames]
