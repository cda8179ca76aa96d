"""Every Wan 2.6 request rule, checked over the API's own JSON shape.

This is the one source of truth: the request model runs it before any network call, and
the local engine runs it on what arrives over HTTP and answers in the API's error format.
It collects every problem instead of stopping at the first, so a person fixes a request
in one go.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import Problem
from . import catalog
from ._collector import Collector, is_int, is_number, is_uri, is_uuid4
from ._input_rules import check_cross_field, check_inputs, check_provider

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
SAFETY_KEYS = ("checkContent", "mode")


def problems(task: Mapping[str, Any], *, allow_local: bool = True) -> list[Problem]:
    """All problems with one ``videoInference`` task, in the API's JSON shape.

    ``allow_local`` is the client's view: local paths, bytes and inline video or audio are
    fine, because the client uploads them first. A server passes false: it cannot read the
    caller's disk, and takes video and audio only as a URL or an upload UUID.
    """
    out = Collector()
    for key in task:
        if key not in TOP_LEVEL:
            out.add(key, task[key], "unknown parameter for Wan 2.6", "unknownParameter")
    _check_platform(task, out)
    _check_generation(task, out)
    inputs = check_inputs(task.get("inputs"), out, allow_local=allow_local)
    alibaba = check_provider(task.get("providerSettings"), out)
    check_cross_field(task, inputs, alibaba, out)
    return out.items


def _check_enum(
    task: Mapping[str, Any], key: str, allowed: tuple[Any, ...], out: Collector
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
    task: Mapping[str, Any], key: str, low: int, high: int | None, out: Collector
) -> None:
    if key not in task:
        return
    value = task[key]
    ok = is_int(value) and value >= low and (high is None or value <= high)
    if not ok:
        span = f"an integer from {low} to {high}" if high is not None else f"an integer >= {low}"
        out.add(key, value, span, f"invalid{key[0].upper()}{key[1:]}")


def _check_platform(task: Mapping[str, Any], out: Collector) -> None:
    if task.get("taskType") != catalog.TASK_TYPE:
        out.add(
            "taskType",
            task.get("taskType"),
            f"must be {catalog.TASK_TYPE!r}",
            "invalidTaskType",
            allowed_values=(catalog.TASK_TYPE,),
        )
    if not is_uuid4(task.get("taskUUID")):
        out.add("taskUUID", task.get("taskUUID"), "a lower-case UUID v4", "invalidTaskUUID")
    _check_enum(task, "outputType", catalog.OUTPUT_TYPES, out)
    _check_enum(task, "outputFormat", catalog.OUTPUT_FORMATS, out)
    _check_enum(task, "deliveryMethod", catalog.DELIVERY_METHODS, out)
    _check_int_range(task, "outputQuality", *catalog.QUALITY_RANGE, out)
    _check_int_range(task, "ttl", catalog.TTL_MIN, None, out)
    _check_int_range(task, "numberResults", *catalog.NUMBER_RESULTS_RANGE, out)
    for key in ("webhookURL", "uploadEndpoint"):
        if key in task and not is_uri(task[key]):
            out.add(key, task[key], "an http(s) URL", f"invalid{key[0].upper()}{key[1:]}")
    if "includeCost" in task and not isinstance(task["includeCost"], bool):
        out.add("includeCost", task["includeCost"], "true or false", "invalidIncludeCost")
    safety = task.get("safety")
    if "safety" in task:
        if not isinstance(safety, Mapping):
            out.add("safety", safety, "an object {checkContent, mode}", "invalidSafety")
        else:
            out.unknown_keys("safety", safety, SAFETY_KEYS)
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


def _check_generation(task: Mapping[str, Any], out: Collector) -> None:
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
        if not (is_number(value) and value in catalog.DURATIONS):
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
