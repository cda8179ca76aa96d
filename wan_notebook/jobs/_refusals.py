"""A streak of refused polls: back off, say so once, and after a bounded time hand the
tasks back as unknown (recoverable) instead of failing them.

A refused poll (``PollRefused``: 401, 402, 429, 5xx, a malformed body, an error naming no
task) says nothing about any task the API accepted: those tasks were rendered and billed
all the same. So the poller keeps polling, further apart each time (and never sooner than
the server's ``Retry-After``); only when polls have been refused for a while does it give
up, ending each watch as recoverable so that ``recover()`` can fetch the results later.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

from ..client import PollRefused
from ..errors import WanError
from ..settings import Settings

__all__ = ["Refusals"]

log = logging.getLogger("wan_notebook.jobs._poller")

REFUSALS_BEFORE_GIVING_UP: Final = 5  # refused ticks in a row (each after its retries)
LONGEST_HOLD_IN_POLL_MAX: Final = 4  # the backoff grows x2 up to this many poll_max


@dataclass
class Refusals:
    """The current streak of refused polls (one per poller)."""

    count: int = 0
    since: float | None = None  # loop time of the streak's first refusal

    def note(self, refused: PollRefused, now: float, settings: Settings) -> float:
        """Count one refused tick; the seconds to wait before the next poll."""
        if self.since is None:
            self.since = now
            # Said once per streak, plainly; the tasks are not touched.
            log.warning("%s; the accepted tasks are safe, polling again", refused.message)
        else:
            log.debug("poll refused again (%d in a row): %s", self.count + 1, refused.message)
        self.count += 1
        longest = LONGEST_HOLD_IN_POLL_MAX * settings.poll_max
        hold = min(settings.poll_max * 2.0 ** (self.count - 1), longest)
        return max(hold, refused.retry_after or 0.0)

    def exhausted(self, now: float, settings: Settings) -> bool:
        """Refused long enough (and often enough) that waiting on is pointless."""
        if self.since is None or self.count < REFUSALS_BEFORE_GIVING_UP:
            return False
        return now - self.since >= LONGEST_HOLD_IN_POLL_MAX * settings.poll_max

    def given_up(self, refused: PollRefused, tasks: int) -> PollRefused:
        """The one error every watch of the streak ends with (logged once)."""
        self.reset()
        plural = "task is" if tasks == 1 else "tasks are"
        detail = WanError(
            f"{refused.error.message}; your {tasks} accepted {plural} safe, recover() later",
            hint=refused.error.hint or "Fix the cause, then run recover() to fetch the results.",
        )
        error = PollRefused(detail, status=refused.status, code=refused.code)
        log.warning("%s", error.message)
        return error

    def reset(self) -> None:
        self.count = 0
        self.since = None
