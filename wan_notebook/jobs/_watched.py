"""What a job and its poller say to each other.

The poller follows a ``Watched``: the task it sends and polls, and five reports it makes
as the task moves (sent, accepted, progressed, downloading, ticked), on the loop thread.
The job takes each report into its own state and journal row; the poller keeps no job
state and writes nothing. A watch ends in an ``Outcome``, or raises ``errors.Failure``.
``WatchState`` is the poller's state of one watch, and ``due_in`` when it is next due.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..client import ApiErrorItem, AsyncRunwareClient, VideoResult

__all__ = ["Outcome", "WatchState", "Watched", "due_in"]


class Watched(Protocol):
    """A task as the poller follows it, and the reports it takes (on the loop thread)."""

    @property
    def task_uuid(self) -> str: ...

    @property
    def api_task(self) -> Mapping[str, Any]:
        """The JSON sent (sent again, same taskUUID, when the API does not know the task)."""
        ...

    @property
    def results_expected(self) -> int: ...

    def sent(self) -> None:
        """Its submission leaves now: from here the API may take (and bill) it."""

    def accepted(self, *, confirmed: bool) -> None:
        """The API has the task (``confirmed``: it said so, or answered for it)."""

    def progressed(self, progress: float | None, *, running: bool) -> None:
        """A poll answered: API progress (0..1, or None) and whether it is generating."""

    def downloading(self, count: int) -> None:
        """The task ended with ``count`` videos to fetch (reported in the poll's commit)."""

    def ticked(self) -> None:
        """A polling round ended (progress estimates moved on)."""


@dataclass
class Outcome:
    """How a watched task ended: its videos, and the errors of those that failed."""

    results: list[VideoResult]
    errors: list[ApiErrorItem]


@dataclass(eq=False)
class WatchState:
    """The poller's state of one watch (on the loop thread)."""

    job: Watched
    client: AsyncRunwareClient
    future: asyncio.Future[Outcome]
    acked: bool
    may_resubmit: bool
    started: float  # loop time of the watch's start (about when the API took the task)
    first_poll_at: float
    expected: float  # seconds the task should take: history, a guess, then API progress
    deadline: float
    results: dict[str, VideoResult] = field(default_factory=dict)
    errors: list[ApiErrorItem] = field(default_factory=list)
    not_found: int = 0
    resubmits: int = 0
    resubmitting: bool = False

    @property
    def task_uuid(self) -> str:
        return self.job.task_uuid

    @property
    def expected_end(self) -> float:
        return self.started + self.expected


def due_in(watch: WatchState, now: float, poll_min: float, poll_max: float) -> float:
    """Seconds until this task should be looked at: just after its expected end, and then
    every tenth of its expected time while it is overdue."""
    if watch.expected <= 0:
        return poll_max
    if now < watch.expected_end:
        return watch.expected_end - now + min(poll_min, 0.05 * watch.expected)
    return max(poll_min, min(poll_max, 0.1 * watch.expected))
