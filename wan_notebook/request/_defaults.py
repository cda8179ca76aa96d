"""Defaults, two kinds: the API's documented ones, and the size the client sends when none is given.

``canonical(task)``: the request with every default of the API reference spelled out, so
that one request has one fingerprint whatever form it was written in (flags, Builder, the
API's own JSON with or without its defaults, a ``VideoRequest``).

``explicit_size(task, tier)``: a request with neither size nor preset is sent with one, so
that what we estimate is what is billed. With a frame image or reference videos it gets
``resolution`` (the aspect follows the input, as the API does); with no input media it gets
the width and height of that tier at 16:9 (1280x720 for 720p).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Final, Literal

from . import catalog

# Documented defaults of the API reference (wan26-api-reference.txt), by field.
API_DEFAULTS: Final[dict[str, Any]] = {
    "outputType": "URL",
    "outputFormat": "MP4",
    "outputQuality": 95,
    "deliveryMethod": "async",
    "numberResults": 1,
    "duration": 5,
}
ALIBABA_DEFAULTS: Final[dict[str, Any]] = {
    "audio": True,
    "promptExtend": True,
    "shotType": "single",
}
# The includeCost policy: the client always asks for each result's cost unless told not to
# (the API's own default is false; the journal and sidecars record real costs).
INCLUDE_COST_BY_DEFAULT: Final = True

Filled = Literal["size", "resolution"]


def canonical(task: Mapping[str, Any]) -> dict[str, Any]:
    """``task`` (valid API JSON) with every documented default filled in, without its id."""
    out = copy.deepcopy(dict(task))
    out.pop("taskUUID", None)
    for key, value in API_DEFAULTS.items():
        out.setdefault(key, value)
    out.setdefault("includeCost", INCLUDE_COST_BY_DEFAULT)
    inputs = dict(out.get("inputs") or {})
    alibaba = dict((out.get("providerSettings") or {}).get("alibaba") or {})
    for key, value in ALIBABA_DEFAULTS.items():
        if key == "audio" and "audio" in inputs:
            continue  # an audio input replaces the generated soundtrack
        if key == "shotType" and alibaba.get("promptExtend", True) is False:
            continue  # a shot type needs promptExtend; none is asked for
        alibaba.setdefault(key, value)
    out["providerSettings"] = {"alibaba": alibaba}
    # safety: "mode wins over checkContent; checkContent alone means fast; default none".
    safety = out.get("safety") or {}
    out["safety"] = {
        "mode": safety.get("mode") or ("fast" if safety.get("checkContent") else "none")
    }
    frames = inputs.get("frameImages")
    if frames:  # {"image": x, "frame": "first"} and x are one first frame
        inputs["frameImages"] = [f["image"] if isinstance(f, Mapping) else f for f in frames]
    if inputs:
        out["inputs"] = inputs
    if not {"width", "height", "resolution"} & out.keys():
        out["resolution"] = (
            catalog.DEFAULT_RESOLUTION
        )  # the tier a bare frame image is estimated at
    return out


def explicit_size(task: dict[str, Any], tier: catalog.Resolution) -> Filled | None:
    """Give ``task`` (API JSON, changed in place) a size or preset if it has neither."""
    if {"width", "height", "resolution"} & task.keys():
        return None
    inputs = task.get("inputs")
    if isinstance(inputs, Mapping) and (inputs.get("frameImages") or inputs.get("referenceVideos")):
        task["resolution"] = tier
        return "resolution"
    task["width"], task["height"] = catalog.size_for(tier, catalog.DEFAULT_ASPECT)
    return "size"


def with_cost_policy(task: dict[str, Any]) -> dict[str, Any]:
    """``task`` (API JSON) with ``includeCost`` set as the client sends it."""
    task.setdefault("includeCost", INCLUDE_COST_BY_DEFAULT)
    return task
