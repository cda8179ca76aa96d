"""Published facts about Wan 2.6 on Runware: sizes, durations, prices, limits.

Every other module reads these tables; nothing else hard-codes a size or a price.
Sources are in ``spec/runware-protocol.md`` section 5.
"""

from __future__ import annotations

from typing import Final, Literal

MODEL_ID: Final = "alibaba:wan@2.6"
TASK_TYPE: Final = "videoInference"

Resolution = Literal["720p", "1080p"]
Aspect = Literal["16:9", "9:16", "1:1", "4:3", "3:4"]
OutputFormat = Literal["MP4", "WEBM", "MOV"]
ShotType = Literal["single", "multi"]
SafetyMode = Literal["none", "fast", "full"]

RESOLUTIONS: Final[tuple[Resolution, ...]] = ("720p", "1080p")
ASPECTS: Final[tuple[Aspect, ...]] = ("16:9", "9:16", "1:1", "4:3", "3:4")
OUTPUT_FORMATS: Final[tuple[OutputFormat, ...]] = ("MP4", "WEBM", "MOV")
# The one table of output formats: file extension and MIME type of each.
FORMATS: Final[dict[OutputFormat, tuple[str, str]]] = {
    "MP4": (".mp4", "video/mp4"),
    "WEBM": (".webm", "video/webm"),
    "MOV": (".mov", "video/quicktime"),
}
VIDEO_MIME_BY_SUFFIX: Final[dict[str, str]] = {ext: mime for ext, mime in FORMATS.values()}
SHOT_TYPES: Final[tuple[ShotType, ...]] = ("single", "multi")
SAFETY_MODES: Final[tuple[SafetyMode, ...]] = ("none", "fast", "full")
DURATIONS: Final[tuple[int, ...]] = (5, 10, 15)

# The ten width x height pairs the model accepts, by preset and aspect.
SIZES: Final[dict[tuple[Resolution, Aspect], tuple[int, int]]] = {
    ("720p", "16:9"): (1280, 720),
    ("720p", "9:16"): (720, 1280),
    ("720p", "1:1"): (960, 960),
    ("720p", "4:3"): (1088, 832),
    ("720p", "3:4"): (832, 1088),
    ("1080p", "16:9"): (1920, 1080),
    ("1080p", "9:16"): (1080, 1920),
    ("1080p", "1:1"): (1440, 1440),
    ("1080p", "4:3"): (1632, 1248),
    ("1080p", "3:4"): (1248, 1632),
}
SIZE_PRESET: Final[dict[tuple[int, int], tuple[Resolution, Aspect]]] = {
    size: key for key, size in SIZES.items()
}
ALLOWED_SIZES: Final[tuple[str, ...]] = tuple(f"{w}x{h}" for w, h in SIZES.values())

# USD per second of output, by preset (runware.ai/docs/models/alibaba-wan2-6).
PRICE_PER_SECOND: Final[dict[Resolution, float]] = {"720p": 0.10, "1080p": 0.15}
# A request with only a frame image (no size, no preset) is billed as 720p.
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

# Input file limits (protocol notes section 4).
IMAGE_MAX_BYTES: Final = 10 * 1024 * 1024
IMAGE_SIDE_RANGE: Final = (360, 2000)
VIDEO_MAX_BYTES: Final = 30 * 1024 * 1024
AUDIO_MAX_BYTES: Final = 15 * 1024 * 1024
AUDIO_SECONDS_RANGE: Final = (3.0, 30.0)

# The local engine renders at this rate; Runware publishes no fps for Wan 2.6.
LOCAL_FPS: Final = 24


def size_for(resolution: Resolution, aspect: Aspect = DEFAULT_ASPECT) -> tuple[int, int]:
    """Width and height of a preset at an aspect ratio."""
    return SIZES[(resolution, aspect)]


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
