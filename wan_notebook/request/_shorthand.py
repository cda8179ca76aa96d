"""The short field names of ``%%wan`` flags, the Builder and ``generate()``, as API JSON.

``fragment(fields)`` turns ``size="1280x720", shot="multi", ref_videos=[...]`` into the API's
nested camelCase fields; a value of the wrong type becomes a ``Problem`` naming the field as
the caller typed it (``size=5``), never a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from ..errors import Problem
from . import catalog

# Flag -> top-level API field, where the value passes as it is.
TOP: Final[dict[str, str]] = {
    "negative": "negativePrompt",
    "resolution": "resolution",
    "duration": "duration",
    "seed": "seed",
    "fmt": "outputFormat",
    "quality": "outputQuality",
    "ttl": "ttl",
    "webhook": "webhookURL",
    "upload_to": "uploadEndpoint",
    "include_cost": "includeCost",
    "n": "numberResults",
    "task_uuid": "taskUUID",
}
ALIBABA: Final[dict[str, str]] = {"audio": "audio", "extend": "promptExtend", "shot": "shotType"}
SPECIAL: Final = frozenset(
    {"prompt", "size", "aspect", "image", "ref_videos", "audio_input", "safety"}
)
FLAGS: Final = frozenset(TOP) | frozenset(ALIBABA) | SPECIAL
SIZING: Final = frozenset({"width", "height", "resolution"})


def fragment(fields: Mapping[str, Any], problems: list[Problem]) -> dict[str, Any]:
    """The API JSON named by flag-style ``fields`` (None values are left out)."""
    task: dict[str, Any] = {}
    given = {k: v for k, v in fields.items() if v is not None}
    if "prompt" in given:
        task["positivePrompt"] = given["prompt"]
    for flag, key in TOP.items():
        if flag in given:
            task[key] = given[flag]
    alibaba = {key: given[flag] for flag, key in ALIBABA.items() if flag in given}
    if alibaba:
        task["providerSettings"] = {"alibaba": alibaba}
    _sizing(given, task, problems)
    inputs = _inputs(given, problems)
    if inputs:
        task["inputs"] = inputs
    safety = given.get("safety")
    if isinstance(safety, bool):
        task["safety"] = {"checkContent": safety}
    elif safety is not None:
        task["safety"] = {"mode": safety}
    return task


def _sizing(given: Mapping[str, Any], task: dict[str, Any], problems: list[Problem]) -> None:
    size = parse_size(given.get("size"), problems)
    aspect = given.get("aspect")
    if aspect is not None:
        named = catalog.aspect_named(aspect) if isinstance(aspect, str) else None
        if named is None:
            problems.append(
                Problem(
                    "aspect",
                    aspect,
                    "allowed: " + ", ".join(catalog.ASPECTS) + " (4:3 and 3:4 name 17:13, 13:17)",
                    "unsupportedAspect",
                    allowed_values=catalog.ASPECTS,
                )
            )
        elif size is None and given.get("image") is None:
            tier = given.get("resolution") or catalog.DEFAULT_RESOLUTION
            if tier in catalog.RESOLUTIONS:
                size = catalog.size_for(tier, named)
                task.pop("resolution", None)
    if size is not None:
        task["width"], task["height"] = size


def parse_size(size: Any, problems: list[Problem]) -> tuple[int, int] | None:
    """``"1280x720"`` (or ``"1280×720"``, or a (w, h) tuple) as two ints."""
    if size is None:
        return None
    allowed = "WIDTHxHEIGHT, one of " + ", ".join(catalog.ALLOWED_SIZES)
    parsed: tuple[int, int] | None = None
    if isinstance(size, tuple | list) and len(size) == 2 and all(_is_int(v) for v in size):
        parsed = (int(size[0]), int(size[1]))
    elif isinstance(size, str):
        parts = size.lower().replace("×", "x").split("x")
        if len(parts) == 2 and all(p.strip().isdigit() for p in parts):
            parsed = (int(parts[0]), int(parts[1]))
    if parsed is None:
        problems.append(
            Problem("size", size, allowed, "invalidSize", allowed_values=catalog.ALLOWED_SIZES)
        )
    elif parsed not in catalog.SIZE_PRESET:
        problems.append(
            Problem(
                "size",
                size,
                "width x height must be one of " + ", ".join(catalog.ALLOWED_SIZES),
                "unsupportedDimensions",
                allowed_values=catalog.ALLOWED_SIZES,
                also=("width", "height"),
            )
        )
        return None
    return parsed


def _inputs(given: Mapping[str, Any], problems: list[Problem]) -> dict[str, Any]:
    inputs: dict[str, Any] = {}
    if "image" in given:
        inputs["frameImages"] = [given["image"]]
    refs = given.get("ref_videos")
    if refs is not None:
        if isinstance(refs, str | bytes | Path) or not isinstance(refs, Sequence):
            problems.append(
                Problem(
                    "ref_videos",
                    refs if isinstance(refs, str | int | float) else type(refs).__name__,
                    "a list of 1 to 3 videos (URLs, upload UUIDs, bytes or local MP4/MOV files)",
                    "invalidReferenceVideos",
                )
            )
        elif refs:
            inputs["referenceVideos"] = list(refs)
    if "audio_input" in given:
        inputs["audio"] = given["audio_input"]
    return inputs


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
