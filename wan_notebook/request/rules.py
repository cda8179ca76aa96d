"""Every Wan 2.6 request rule, checked over the API's own JSON shape.

This is the one source of truth: the request model runs it before any network call, and
the local engine runs it on what arrives over HTTP and answers in the API's error format.
It collects every problem instead of stopping at the first, so a person fixes a request
in one go.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from ..errors import Problem
from . import catalog, media

TOP_LEVEL = frozenset(
    {
        "taskType",
        "taskUUID",
        "model",
        "positivePrompt",
        "negativePrompt",
        "width",
        "height",
        "resolution",
        "duration",
        "seed",
        "inputs",
        "providerSettings",
        "outputType",
        "outputFormat",
        "outputQuality",
        "webhookURL",
        "deliveryMethod",
        "uploadEndpoint",
        "safety",
        "ttl",
        "includeCost",
        "numberResults",
    }
)
INPUT_KEYS = frozenset({"frameImages", "referenceVideos", "audio"})
ALIBABA_KEYS = frozenset({"audio", "promptExtend", "shotType"})
SAFETY_KEYS = frozenset({"checkContent", "mode"})
FRAME_KEYS = frozenset({"image", "frame"})

_NUMBER_TYPES = (int, float)


class _Collector:
    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, parameter: str, value: Any, allowed: str, code: str, **kw: Any) -> None:
        self.items.append(Problem(parameter, value, allowed, code, **kw))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, _NUMBER_TYPES) and not isinstance(value, bool)


def _is_uri(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > 2048:
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _is_uuid4(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return False
    return parsed.version == 4 and str(parsed) == value.lower()


def problems(task: Mapping[str, Any], *, allow_local: bool = True) -> list[Problem]:
    """All problems with one ``videoInference`` task, in the API's JSON shape.

    ``allow_local`` accepts local file paths as media (true in the client, which uploads
    them; false on a server, which cannot read the caller's disk).
    """
    out = _Collector()
    for key in task:
        if key not in TOP_LEVEL:
            out.add(key, task[key], "unknown parameter for Wan 2.6", "unknownParameter")
    _check_platform(task, out)
    _check_generation(task, out)
    inputs = _check_inputs(task.get("inputs"), out, allow_local=allow_local)
    alibaba = _check_provider(task.get("providerSettings"), out)
    _check_cross_field(task, inputs, alibaba, out)
    return out.items


def _check_enum(
    task: Mapping[str, Any], key: str, allowed: tuple[Any, ...], out: _Collector
) -> None:
    if key in task and task[key] not in allowed:
        shown = ", ".join(str(a) for a in allowed)
        out.add(
            key,
            task[key],
            f"allowed: {shown}",
            f"unsupported{key[0].upper()}{key[1:]}",
            allowed_values=allowed,
        )


def _check_int_range(
    task: Mapping[str, Any], key: str, low: int, high: int | None, out: _Collector
) -> None:
    if key not in task:
        return
    value = task[key]
    ok = _is_int(value) and value >= low and (high is None or value <= high)
    if not ok:
        span = f"an integer from {low} to {high}" if high is not None else f"an integer >= {low}"
        out.add(key, value, span, f"invalid{key[0].upper()}{key[1:]}")


def _check_platform(task: Mapping[str, Any], out: _Collector) -> None:
    if task.get("taskType") != catalog.TASK_TYPE:
        out.add(
            "taskType",
            task.get("taskType"),
            f"must be {catalog.TASK_TYPE!r}",
            "invalidTaskType",
            allowed_values=(catalog.TASK_TYPE,),
        )
    if not _is_uuid4(task.get("taskUUID")):
        out.add("taskUUID", task.get("taskUUID"), "a lower-case UUID v4", "invalidTaskUUID")
    _check_enum(task, "outputType", ("URL",), out)
    _check_enum(task, "outputFormat", catalog.OUTPUT_FORMATS, out)
    _check_enum(task, "deliveryMethod", ("async",), out)
    _check_int_range(task, "outputQuality", *catalog.QUALITY_RANGE, out)
    _check_int_range(task, "ttl", catalog.TTL_MIN, None, out)
    _check_int_range(task, "numberResults", *catalog.NUMBER_RESULTS_RANGE, out)
    for key in ("webhookURL", "uploadEndpoint"):
        if key in task and not _is_uri(task[key]):
            out.add(key, task[key], "an http(s) URL", f"invalid{key[0].upper()}{key[1:]}")
    if "includeCost" in task and not isinstance(task["includeCost"], bool):
        out.add("includeCost", task["includeCost"], "true or false", "invalidIncludeCost")
    safety = task.get("safety")
    if "safety" in task:
        if not isinstance(safety, Mapping):
            out.add("safety", safety, "an object {checkContent, mode}", "invalidSafety")
        else:
            for key in safety:
                if key not in SAFETY_KEYS:
                    out.add(
                        f"safety.{key}",
                        safety[key],
                        "unknown; allowed: checkContent, mode",
                        "unknownParameter",
                    )
            if "checkContent" in safety and not isinstance(safety["checkContent"], bool):
                out.add(
                    "safety.checkContent",
                    safety["checkContent"],
                    "true or false",
                    "invalidCheckContent",
                )
            if "mode" in safety and safety["mode"] not in catalog.SAFETY_MODES:
                out.add(
                    "safety.mode",
                    safety["mode"],
                    "allowed: none, fast, full",
                    "unsupportedSafetyMode",
                    allowed_values=catalog.SAFETY_MODES,
                )


def _check_generation(task: Mapping[str, Any], out: _Collector) -> None:
    if task.get("model") != catalog.MODEL_ID:
        out.add(
            "model",
            task.get("model"),
            f"must be {catalog.MODEL_ID!r}",
            "invalidModel",
            allowed_values=(catalog.MODEL_ID,),
        )
    prompt = task.get("positivePrompt")
    if not isinstance(prompt, str) or not prompt.strip() or len(prompt) > catalog.PROMPT_MAX:
        shown = prompt if not isinstance(prompt, str) else f"<{len(prompt)} characters>"
        out.add(
            "positivePrompt",
            shown,
            f"text of 1 to {catalog.PROMPT_MAX} characters",
            "invalidPositivePrompt" if "positivePrompt" in task else "missingPositivePrompt",
        )
    if "negativePrompt" in task:
        neg = task["negativePrompt"]
        if not isinstance(neg, str) or not neg.strip() or len(neg) > catalog.NEGATIVE_PROMPT_MAX:
            shown = neg if not isinstance(neg, str) else f"<{len(neg)} characters>"
            out.add(
                "negativePrompt",
                shown,
                f"text of 1 to {catalog.NEGATIVE_PROMPT_MAX} characters",
                "invalidNegativePrompt",
            )
    if "duration" in task:
        value = task["duration"]
        if not (_is_number(value) and value in catalog.DURATIONS):
            out.add(
                "duration",
                value,
                "allowed: 5, 10, 15 (seconds)",
                "unsupportedDuration",
                allowed_values=catalog.DURATIONS,
            )
    _check_int_range(task, "seed", 0, catalog.SEED_MAX, out)
    _check_enum(task, "resolution", catalog.RESOLUTIONS, out)
    has_w, has_h = "width" in task, "height" in task
    if has_w != has_h:
        given, missing = ("width", "height") if has_w else ("height", "width")
        out.add(
            given,
            task[given],
            f"{given} and {missing} must be given together",
            "missingDimension",
            also=(missing,),
        )
    elif has_w and (task["width"], task["height"]) not in catalog.SIZE_PRESET:
        size = f"{task['width']}x{task['height']}"
        out.add(
            "width",
            size,
            "width x height must be one of " + ", ".join(catalog.ALLOWED_SIZES),
            "unsupportedDimensions",
            allowed_values=catalog.ALLOWED_SIZES,
            also=("height",),
        )


def _check_media(
    value: Any, where: str, kind: media.MediaKind, out: _Collector, allow_local: bool
) -> None:
    if value == media.REPORTED:
        return
    if not isinstance(value, str) or not value.strip():
        out.add(where, value, media.describe_forms(kind), "invalidMediaInput")
        return
    why = media.problem_with(value, kind, allow_local=allow_local)
    if why is not None:
        out.add(where, _short_media(value), why, "invalidMediaInput")


def _short_media(value: str) -> str:
    return value if len(value) <= 60 else value[:40] + f"...<{len(value)} characters>"


def _check_inputs(raw: Any, out: _Collector, *, allow_local: bool) -> Mapping[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        out.add("inputs", raw, "an object {frameImages, referenceVideos, audio}", "invalidInputs")
        return {}
    for key in raw:
        if key not in INPUT_KEYS:
            out.add(
                f"inputs.{key}",
                raw[key],
                "unknown; allowed: frameImages, referenceVideos, audio",
                "unknownParameter",
            )
    frames = raw.get("frameImages")
    if "frameImages" in raw:
        if not isinstance(frames, list) or len(frames) != 1:
            out.add(
                "inputs.frameImages",
                frames,
                "a list of exactly one image (Wan 2.6 takes a first frame only)",
                "invalidFrameImages",
            )
        else:
            _check_frame_item(frames[0], out, allow_local)
    refs = raw.get("referenceVideos")
    if "referenceVideos" in raw:
        if not isinstance(refs, list) or not 1 <= len(refs) <= catalog.REFERENCE_VIDEOS_MAX:
            out.add(
                "inputs.referenceVideos", refs, "a list of 1 to 3 videos", "invalidReferenceVideos"
            )
        else:
            for i, item in enumerate(refs):
                _check_media(item, f"inputs.referenceVideos[{i}]", "video", out, allow_local)
    if "audio" in raw:
        _check_media(raw["audio"], "inputs.audio", "audio", out, allow_local)
    return raw


def _check_frame_item(item: Any, out: _Collector, allow_local: bool) -> None:
    where = "inputs.frameImages[0]"
    if isinstance(item, Mapping):
        for key in item:
            if key not in FRAME_KEYS:
                out.add(
                    f"{where}.{key}",
                    item[key],
                    "unknown; allowed: image, frame",
                    "unknownParameter",
                )
        if "frame" in item and item["frame"] not in ("first", 0):
            out.add(
                f"{where}.frame",
                item["frame"],
                "Wan 2.6 accepts only the first frame: 'first'",
                "unsupportedFrame",
                allowed_values=("first",),
            )
        _check_media(item.get("image"), f"{where}.image", "image", out, allow_local)
    else:
        _check_media(item, where, "image", out, allow_local)


def _check_provider(raw: Any, out: _Collector) -> Mapping[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        out.add("providerSettings", raw, "an object {alibaba: {...}}", "invalidProviderSettings")
        return {}
    for key in raw:
        if key != "alibaba":
            out.add(
                f"providerSettings.{key}",
                raw[key],
                "Wan 2.6 takes providerSettings.alibaba only",
                "mismatchProviderSettingsProvider",
            )
    alibaba = raw.get("alibaba", {})
    if not isinstance(alibaba, Mapping):
        out.add(
            "providerSettings.alibaba",
            alibaba,
            "an object {audio, promptExtend, shotType}",
            "invalidProviderSettings",
        )
        return {}
    for key in alibaba:
        if key not in ALIBABA_KEYS:
            out.add(
                f"providerSettings.alibaba.{key}",
                alibaba[key],
                "unknown; allowed: audio, promptExtend, shotType",
                "unknownParameter",
            )
    for key in ("audio", "promptExtend"):
        if key in alibaba and not isinstance(alibaba[key], bool):
            out.add(
                f"providerSettings.alibaba.{key}",
                alibaba[key],
                "true or false",
                f"invalid{key[0].upper()}{key[1:]}",
            )
    if "shotType" in alibaba and alibaba["shotType"] not in catalog.SHOT_TYPES:
        out.add(
            "providerSettings.alibaba.shotType",
            alibaba["shotType"],
            "allowed: single, multi",
            "unsupportedShotType",
            allowed_values=catalog.SHOT_TYPES,
        )
    return alibaba


def _check_cross_field(
    task: Mapping[str, Any], inputs: Mapping[str, Any], alibaba: Mapping[str, Any], out: _Collector
) -> None:
    has_size = "width" in task or "height" in task
    if "resolution" in task and has_size:
        out.add(
            "resolution",
            task["resolution"],
            "give either resolution or width/height, not both",
            "incompatibleParameters",
            also=("width", "height"),
        )
    if not has_size and "resolution" not in task and "frameImages" not in inputs:
        out.add(
            "width",
            None,
            "give width+height, a resolution (720p/1080p) or a frame image",
            "missingDimensions",
            also=("height", "resolution", "inputs.frameImages"),
        )
    if "frameImages" in inputs and "referenceVideos" in inputs:
        out.add(
            "inputs.referenceVideos",
            "<given>",
            "cannot be used together with inputs.frameImages",
            "incompatibleParameters",
            also=("inputs.frameImages",),
        )
    if "audio" in inputs and "audio" in alibaba:
        out.add(
            "inputs.audio",
            "<given>",
            "cannot be used together with providerSettings.alibaba.audio; drop one",
            "incompatibleParameters",
            also=("providerSettings.alibaba.audio",),
        )
    if "shotType" in alibaba and alibaba.get("promptExtend", True) is False:
        out.add(
            "providerSettings.alibaba.shotType",
            alibaba["shotType"],
            "requires providerSettings.alibaba.promptExtend=true (it is false)",
            "incompatibleParameters",
            also=("providerSettings.alibaba.promptExtend",),
        )
