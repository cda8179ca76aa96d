"""What a job and its poller say to each other.

The poller follows a ``Watched``: the task it sends and polls, and four reports it makes
as the task moves (sent, accepted, progressed, ticked), on the loop thread. The job takes
each report into its own state and journal row; the poller keeps no job state and writes
nothing. A watch ends in an ``Outcome``, or raises ``errors.Failure``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..client import ApiErrorItem, VideoResult

__all__ = ["Outcome", "Watched"]


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

    def ticked(self) -> None:
        """A polling round ended (progress estimates moved on)."""


@dataclass
class Outcome:
    """How a watched task ended: its videos, and the errors of those that failed."""

    results: list[VideoResult]
    errors: list[ApiErrorItem]
