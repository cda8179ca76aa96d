"""Facts about a task as sent (the API's JSON), read without validating it: for records.

Sidecars and history keep what was sent (upload UUIDs in place of local files), and they
must say what a person needs to audit a result: the price tier, the estimate beside the
actual cost, and whether the API was free to rewrite the prompt (promptExtend).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from . import catalog
from ._defaults import ALIBABA_DEFAULTS, API_DEFAULTS

__all__ = ["estimated_cost", "priced_tier", "prompt_extend", "record", "tier"]


def tier(task: Mapping[str, Any]) -> catalog.Resolution:
    """The price tier: the preset of the size, the resolution, or the default."""
    size = (task.get("width"), task.get("height"))
    if size in catalog.SIZE_PRESET:
        return catalog.SIZE_PRESET[size][0]
    value = task.get("resolution")
    return value if value in catalog.RESOLUTIONS else catalog.DEFAULT_RESOLUTION


def priced_tier(task: Mapping[str, Any]) -> catalog.Resolution | None:
    """``tier(task)``, or None when its size or resolution has no price (an old record)."""
    width, height = task.get("width"), task.get("height")
    if isinstance(width, int) and isinstance(height, int):
        preset = catalog.SIZE_PRESET.get((width, height))
        return preset[0] if preset else None
    value = task.get("resolution") or catalog.DEFAULT_RESOLUTION
    return value if value in catalog.RESOLUTIONS else None


def estimated_cost(task: Mapping[str, Any], *, results: int | None = None) -> float:
    """List price in USD of ``task``; of ``results`` videos (default: its numberResults)."""
    seconds = task.get("duration") or API_DEFAULTS["duration"]
    count = results if results is not None else task.get("numberResults", 1)
    return catalog.price(tier(task), float(seconds), int(count))


def prompt_extend(task: Mapping[str, Any]) -> bool:
    """Whether the API may rewrite the prompt: promptExtend as sent, or its default (true)."""
    alibaba = (task.get("providerSettings") or {}).get("alibaba") or {}
    value = alibaba.get("promptExtend", ALIBABA_DEFAULTS["promptExtend"])
    return bool(value)


def record(task: Mapping[str, Any], actual_cost: float | None) -> dict[str, Any]:
    """What a sidecar (one video) records beside the request: estimate, actual, promptExtend.

    ``actual_cost`` is what the API billed for the video; None, NaN, infinities and negative
    numbers are recorded as unknown (None), so a sidecar is always valid JSON. A small
    difference from the estimate is normal (the API's own examples bill 1.5033 for 1.50):
    both are kept side by side, never compared.
    """
    actual = actual_cost if _is_cost(actual_cost) else None
    return {
        "prompt_extend": prompt_extend(task),
        "cost": {"estimated": estimated_cost(task, results=1), "actual": actual},
    }


def _is_cost(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    )
