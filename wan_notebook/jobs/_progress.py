"""How far a running job is: the API's own figure when it sends one, else an estimate.

The estimate is the time since polling began over the time the task should take: the
median of similar finished jobs in the store, else a guess from the video's length. It
never claims to be finished (``ESTIMATE_CAP``); only the job's ``done`` status says 1.0.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Final, Literal

from ..client import Backend
from ..request.models import VideoRequest
from ..settings import Settings
from ..store import Store

__all__ = ["ESTIMATE_CAP", "Progress", "expected_seconds"]

ESTIMATE_CAP: Final = 0.95  # an estimate never claims to be finished


@dataclass
class Progress:
    """A job's progress sources: ``api`` (0..1, the API's latest figure), ``since`` (the
    monotonic time polling began) and ``expected`` (seconds the task should take)."""

    api: float | None = None
    since: float | None = None
    expected: float | None = None

    @property
    def value(self) -> float | None:
        """0..1, or None when nothing is known yet."""
        if self.api is not None:
            return self.api
        if self.since is not None and self.expected:
            return min(ESTIMATE_CAP, (time.monotonic() - self.since) / self.expected)
        return None

    @property
    def source(self) -> Literal["api", "estimate", ""]:
        if self.api is not None:
            return "api"
        if self.since is not None and self.expected:
            return "estimate"
        return ""


def expected_seconds(
    request: VideoRequest, *, store: Store, backend: Backend, settings: Settings
) -> float:
    """How long similar jobs took (median of the store), else a guess from the length."""
    learned = store.typical_seconds(request.tier, request.seconds, backend=backend.cache_scope)
    if learned:
        return learned
    if backend.kind == "local":
        return (settings.local_delay or 3.0) * request.results
    return 30.0 + 10.0 * request.seconds
