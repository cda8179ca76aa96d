"""What a job is at any moment: the fields people read, and the transitions that change them.

``JobState`` holds a job's status, detail, events, results and error, the readings derived
from them (progress, cost, elapsed), and ``on_change`` observers. Its transitions (``_set``,
``_finish``) run on the job's loop thread and call the observers after every change; other
threads only read (the status is written last, so a reader that sees a job done sees its
results, error and end time too). It knows nothing of the network or the journal. ``Job``
(``_job``) adds what a job does: run, record, wait and cancel.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from typing import Literal, Self

from .._status import TERMINAL_STATUSES, JobStatus
from .._text import shorten
from ..errors import WanError
from ..request.models import VideoRequest
from ..store import Result
from ._context import Context
from ._progress import Progress

__all__ = ["JobState", "total_cost"]

log = logging.getLogger("wan_notebook.jobs")


class JobState:
    """A job's observable state (see the module docstring); ``Job`` is the class people use."""

    _callbacks: list[Callable[[Self], None]]

    def __init__(
        self,
        request: VideoRequest,
        *,
        fingerprint: str,
        ctx: Context,
        loop: asyncio.AbstractEventLoop | None,
        status: JobStatus = "queued",
    ) -> None:
        self.request = request
        self.task_uuid = request.task_uuid
        self.fingerprint = fingerprint
        self.engine = ctx.backend.label
        self.status: JobStatus = status
        self.detail = ""
        self.results: list[Result] = []
        self.error: WanError | None = None
        self.cached = False
        self.started_at = time.time()
        self.finished_at: float | None = None
        self.events: list[tuple[float, str, str]] = []
        self._ctx = ctx
        self._loop = loop
        self._callbacks = []
        self._done: asyncio.Future[None] | None = loop.create_future() if loop else None
        self._progress = Progress()

    # ----- readings ------------------------------------------------------------------------------

    @property
    def progress(self) -> float | None:
        return 1.0 if self.status == "done" else self._progress.value

    @property
    def progress_source(self) -> Literal["api", "estimate", ""]:
        return self._progress.source

    @property
    def elapsed(self) -> float:
        return (self.finished_at or time.time()) - self.started_at

    @property
    def done(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def cost(self) -> float | None:
        return total_cost(r.cost for r in self.results)

    @property
    def estimated_cost(self) -> float:
        return self.request.estimated_cost

    @property
    def video(self) -> Result | None:
        """The first result, for the common one-video case."""
        return self.results[0] if self.results else None

    def time_of(self, status: str) -> float | None:
        """When the job first reached ``status`` (epoch seconds), or None."""
        return next((t for t, s, _ in self.events if s == status), None)

    def __repr__(self) -> str:
        prompt = shorten(self.request.positive_prompt, 32)
        summary = self.request.summary()  # ends with the estimate, "~$0.50"
        if self.cost is not None:  # the cost charged replaces it: one price, not two
            summary = f"{summary.rpartition(', ~$')[0]}, ${self.cost:.2f}"
        extra = " cached" if self.cached else ""
        return f"<Job {self.task_uuid[:8]} {self.status}{extra} {summary} {prompt!r}>"

    # ----- observers ---------------------------------------------------------------------------

    def on_change(self, callback: Callable[[Self], None]) -> Callable[[Self], None]:
        """Call ``callback(job)`` after every change (on the loop thread). Returns it, so it
        also works as a decorator. Exceptions in callbacks are logged and swallowed."""
        if not callable(callback):
            raise TypeError(f"on_change needs a callable, not {type(callback).__name__}")
        self._callbacks.append(callback)
        return callback

    def _notify(self: Self) -> None:
        for callback in list(self._callbacks):
            try:
                callback(self)
            except Exception:
                log.exception("an on_change callback of job %s failed", self.task_uuid[:8])

    # ----- transitions (loop thread only) ------------------------------------------------------

    def _set(self, status: JobStatus, detail: str = "") -> None:
        # Status last: another thread that sees it (``job.done``) sees the rest with it.
        self.detail = detail
        self.events.append((time.time(), status, detail))
        self.status = status
        self._notify()

    def _finish(self, status: JobStatus, detail: str = "") -> None:
        self.finished_at = time.time()
        self._set(status, detail)
        if self._done is not None and not self._done.done():
            self._done.set_result(None)


def total_cost(costs: Iterable[float | None]) -> float | None:
    """The sum of the known costs (USD, to the micro-dollar), or None when none is known."""
    known = [cost for cost in costs if cost is not None]
    return round(sum(known), 6) if known else None
