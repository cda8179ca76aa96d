"""Published facts about Wan 2.6 on Runware: sizes, durations, prices, limits.

Every other module reads these tables; nothing else hard-codes a size or a price.
Sources are in ``spec/runware-protocol.md`` section 5; the rules Runware's page leaves out
(input formats and lengths, reference-video limits, 30 fps) are in ``spec/wan26-fidelity.md``.
"""

from __future__ import annotations

from typing import Final, Literal

MODEL_ID: Final = "alibaba:wan@2.6"
TASK_TYPE: Final = "videoInference"

Resolution = Literal["720p", "1080p"]
# 1088x832 and 1632x1248 are 17:13 (not 4:3, as some hosts label them): names say what they are.
Aspect = Literal["16:9", "9:16", "1:1", "17:13", "13:17"]
OutputFormat = Literal["MP4", "WEBM", "MOV"]
ShotType = Literal["single", "multi"]
SafetyMode = Literal["none", "fast", "full"]

RESOLUTIONS: Final[tuple[Resolution, ...]] = ("720p", "1080p")
ASPECTS: Final[tuple[Aspect, ...]] = ("16:9", "9:16", "1:1", "17:13", "13:17")
# What people type for those two shapes; accepted and read as the true ratio.
ASPECT_ALIASES: Final[dict[str, Aspect]] = {"4:3": "17:13", "3:4": "13:17"}
OUTPUT_FORMATS: Final[tuple[OutputFormat, ...]] = ("MP4", "WEBM", "MOV")
# The one table of output formats: file extension and MIME type of each.
FORMATS: Final[dict[OutputFormat, tuple[str, str]]] = {
    "MP4": (".mp4", "video/mp4"),
    "WEBM": (".webm", "video/webm"),
    "MOV": (".mov", "video/quicktime"),
}
VIDEO_MIME_BY_SUFFIX: Final[dict[str, str]] = {ext: mime for ext, mime in FORMATS.values()}
OUTPUT_TYPES: Final = ("URL",)  # video results come as URLs only
DELIVERY_METHODS: Final = ("async",)
SHOT_TYPES: Final[tuple[ShotType, ...]] = ("single", "multi")
SAFETY_MODES: Final[tuple[SafetyMode, ...]] = ("none", "fast", "full")
DURATIONS: Final[tuple[int, ...]] = (5, 10, 15)
# With reference videos Alibaba renders 5 or 10 s only ("no 15s support", Alibaba R2V guide).
REFERENCE_DURATIONS: Final[tuple[int, ...]] = (5, 10)

# The ten width x height pairs the model accepts, by preset and aspect.
SIZES: Final[dict[tuple[Resolution, Aspect], tuple[int, int]]] = {
    ("720p", "16:9"): (1280, 720),
    ("720p", "9:16"): (720, 1280),
    ("720p", "1:1"): (960, 960),
    ("720p", "17:13"): (1088, 832),
    ("720p", "13:17"): (832, 1088),
    ("1080p", "16:9"): (1920, 1080),
    ("1080p", "9:16"): (1080, 1920),
    ("1080p", "1:1"): (1440, 1440),
    ("1080p", "17:13"): (1632, 1248),
    ("1080p", "13:17"): (1248, 1632),
}
SIZE_PRESET: Final[dict[tuple[int, int], tuple[Resolution, Aspect]]] = {
    size: key for key, size in SIZES.items()
}
ALLOWED_SIZES: Final[tuple[str, ...]] = tuple(f"{w}x{h}" for w, h in SIZES.values())

# USD per second of output, by preset (runware.ai/docs/models/alibaba-wan2-6).
PRICE_PER_SECOND: Final[dict[Resolution, float]] = {"720p": 0.10, "1080p": 0.15}
# The tier a request without size or preset is sent at. Runware does not say what a frame
# image alone is billed at (Alibaba's own default is 1080P), so the client always sends an
# explicit tier: this one unless the ``default_resolution`` setting says otherwise.
DEFAULT_RESOLUTION: Final[Resolution] = "720p"
DEFAULT_DURATION: Final = 5
DEFAULT_ASPECT: Final[Aspect] = "16:9"

PROMPT_MAX: Final = 1500
NEGATIVE_PROMPT_MAX: Final = 500
SEED_MAX: Final = 2_147_483_647
QUALITY_RANGE: Final = (20, 99)
NUMBER_RESULTS_RANGE: Final = (1, 4)
TTL_MIN: Final = 60
REFERENCE_VIDEOS_MAX: Final = 3

# Input file limits (protocol notes section 4; fidelity table).
IMAGE_MAX_BYTES: Final = 10 * 1024 * 1024
IMAGE_SIDE_RANGE: Final = (360, 2000)
VIDEO_MAX_BYTES: Final = 30 * 1024 * 1024
AUDIO_MAX_BYTES: Final = 15 * 1024 * 1024
AUDIO_SECONDS_RANGE: Final = (3.0, 30.0)
VIDEO_SECONDS_RANGE: Final = (2.0, 30.0)  # each reference video
# The names a prompt uses for reference videos 1-3, in array order (Alibaba R2V guide).
CHARACTER_NAMES: Final = ("character1", "character2", "character3")

# Wan 2.6 writes 30 fps H.264 (Alibaba I2V/R2V guides); the local engine renders the same.
OUTPUT_FPS: Final = 30
LOCAL_FPS: Final = OUTPUT_FPS


def aspect_named(text: str) -> Aspect | None:
    """The aspect ``text`` names (``"4:3"`` is read as ``"17:13"``), or None."""
    if text in ASPECT_ALIASES:
        return ASPECT_ALIASES[text]
    return next((a for a in ASPECTS if a == text), None)


def size_for(resolution: Resolution, aspect: Aspect | str = DEFAULT_ASPECT) -> tuple[int, int]:
    """Width and height of a preset at an aspect ratio (``"4:3"`` names ``"17:13"``)."""
    named = aspect_named(aspect)
    if named is None:
        raise KeyError(f"aspect {aspect!r}: allowed: {', '.join(ASPECTS)}")
    return SIZES[(resolution, named)]


def nearest_aspect(width: int, height: int) -> Aspect:
    """The Wan aspect closest to an input's shape (resolution presets follow the input)."""
    ratio = width / height

    def distance(aspect: Aspect) -> float:
        w, h = SIZES[("720p", aspect)]
        return abs(w / h - ratio)

    return min(ASPECTS, key=distance)


def price(resolution: Resolution, duration: float, number_results: int = 1) -> float:
    """List price in USD: rate x seconds x results, rounded to the cent's hundredth."""
    return round(PRICE_PER_SECOND[resolution] * duration * number_results, 4)
