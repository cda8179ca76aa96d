"""The rules over ``inputs`` and ``providerSettings``, and those that cross fields.

Part of ``rules``; the cross-field rules include what Runware's page leaves out and the
providers document (``spec/wan26-fidelity.md``): reference videos render 5 or 10 s and take
no audio input.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import catalog, media
from ._collector import Collector

INPUT_KEYS = ("frameImages", "referenceVideos", "audio")
ALIBABA_KEYS = ("audio", "promptExtend", "shotType")
FRAME_KEYS = ("image", "frame")


def _check_media(
    value: Any, where: str, kind: media.MediaKind, out: Collector, allow_local: bool
) -> None:
    if value == media.REPORTED:
        return
    if not isinstance(value, str) or not value.strip():
        out.add(where, value, media.describe_forms(kind), "invalidMediaInput")
        return
    why = media.problem_with(value, kind, allow_local=allow_local)
    if why is not None:
        out.add(where, media.shown(value), why, "invalidMediaInput")


def check_inputs(raw: Any, out: Collector, *, allow_local: bool) -> Mapping[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        out.add("inputs", raw, "an object {frameImages, referenceVideos, audio}", "invalidInputs")
        return {}
    out.unknown_keys("inputs", raw, INPUT_KEYS)
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


def _check_frame_item(item: Any, out: Collector, allow_local: bool) -> None:
    where = "inputs.frameImages[0]"
    if isinstance(item, Mapping):
        out.unknown_keys(where, item, FRAME_KEYS)
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


def check_provider(raw: Any, out: Collector) -> Mapping[str, Any]:
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
    out.unknown_keys("providerSettings.alibaba", alibaba, ALIBABA_KEYS)
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


def check_cross_field(
    task: Mapping[str, Any], inputs: Mapping[str, Any], alibaba: Mapping[str, Any], out: Collector
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
            _shown(inputs["referenceVideos"]),
            "cannot be used together with inputs.frameImages",
            "incompatibleParameters",
            also=("inputs.frameImages",),
        )
    if "audio" in inputs and "audio" in alibaba:
        out.add(
            "inputs.audio",
            _shown(inputs["audio"]),
            "cannot be used together with providerSettings.alibaba.audio; drop one",
            "incompatibleParameters",
            also=("providerSettings.alibaba.audio",),
        )
    _check_reference_videos(task, inputs, out)
    if "shotType" in alibaba and alibaba.get("promptExtend", True) is False:
        out.add(
            "providerSettings.alibaba.shotType",
            alibaba["shotType"],
            "requires providerSettings.alibaba.promptExtend=true (it is false)",
            "incompatibleParameters",
            also=("providerSettings.alibaba.promptExtend",),
        )


def _check_reference_videos(
    task: Mapping[str, Any], inputs: Mapping[str, Any], out: Collector
) -> None:
    if not inputs.get("referenceVideos"):
        return
    duration = task.get("duration")
    if duration in catalog.DURATIONS and duration not in catalog.REFERENCE_DURATIONS:
        out.add(
            "duration",
            duration,
            "5 or 10 with inputs.referenceVideos (Alibaba's reference-to-video has no 15 s)",
            "unsupportedDuration",
            allowed_values=catalog.REFERENCE_DURATIONS,
            also=("inputs.referenceVideos",),
        )
    # Runware's page is silent; Alibaba's reference-to-video takes the voice from the
    # reference videos and hosts of it refuse an audio track with them (fal.ai, Comfy
    # Router). Refusing costs nothing, a provider failure costs the wait.
    if "audio" in inputs:
        out.add(
            "inputs.audio",
            _shown(inputs["audio"]),
            "cannot be used together with inputs.referenceVideos: the voice comes from the"
            " reference videos; drop the audio input",
            "incompatibleParameters",
            also=("inputs.referenceVideos",),
        )


def _shown(value: Any) -> Any:
    return media.shown(value) if isinstance(value, str) else value
