"""Media checks for the seed grid: tile video state (JavaScript) and loop spread."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

GRID_STATE = """() => {
    const vs = [...document.querySelectorAll('[data-role="tile-video"]')];
    return {
        times: vs.map((v) => v.currentTime),
        paused: vs.map((v) => v.paused),
        duration: Math.max(...vs.map((v) => v.duration || 0)),
        ready: vs.map((v) => v.readyState),
    };
}"""
"""JavaScript: currentTime, paused, readyState of every seed-grid tile video, and the duration."""


def circular_spread(times: Sequence[float], duration: float) -> float:
    """Spread of playback positions on a loop (1.99 and 0.01 are 0.02 apart)."""
    if duration <= 0 or not math.isfinite(duration):
        return max(times) - min(times)
    points = sorted(t % duration for t in times)
    gaps = [b - a for a, b in itertools.pairwise(points)]
    gaps.append(points[0] + duration - points[-1])
    return duration - max(gaps)
