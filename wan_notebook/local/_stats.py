"""The engine's counters (``GET /_engine/stats``), for tests and benchmarks; thread-safe."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any, Final


class Stats:
    """Counters for tests and benchmarks (``GET /_engine/stats``)."""

    COUNTERS: Final = (
        "http_requests",
        "downloads",
        "webhooks_sent",
        "webhooks_failed",
        "uploads_put",
        "uploads_failed",
        "generations_rendered",
        "generations_failed",
    )

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._tasks: Counter[str] = Counter()
        self._submits: Counter[str] = Counter()
        self._faults: Counter[str] = Counter()
        self._render_seconds = 0.0

    def count(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._counts[name] += n

    def task(self, task_type: str) -> None:
        with self._lock:
            self._tasks[task_type] += 1

    def submit(self, task_uuid: str) -> None:
        with self._lock:
            self._submits[task_uuid] += 1

    def fault(self, kind: str) -> None:
        with self._lock:
            self._faults[kind] += 1

    def rendered(self, seconds: float) -> None:
        with self._lock:
            self._render_seconds += seconds

    def reset(self) -> None:
        with self._lock:
            for counter in (self._counts, self._tasks, self._submits, self._faults):
                counter.clear()
            self._render_seconds = 0.0

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            out: dict[str, Any] = {name: self._counts[name] for name in self.COUNTERS}
            out.update(
                tasks=dict(self._tasks),
                submits_by_uuid=dict(self._submits),
                faults=dict(self._faults),
                render_seconds=round(self._render_seconds, 3),
            )
        return out
