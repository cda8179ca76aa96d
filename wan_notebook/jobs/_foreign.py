"""A job that waits for the same request in flight in another kernel (finding 1, across
kernels): nothing is sent, nothing paid twice.

When ``_start`` finds that another live kernel sharing the journal follows an open task with
this request's fingerprint (``Store.in_flight_elsewhere``), it starts a ``ForeignJob`` for
that task instead of a new one. The job watches the task's journal row, which the owner
updates as it goes, and ends as it ends:

- done: the owner's result files, from the shared media folder (checked as the cache does);
- failed for good (the API refused or could not render it): the same failure, unsent here;
- failed but recoverable, or cancelled (its owner stopped following a task the API may
  still finish), or its owner died: this kernel claims it (the lease rules of
  ``store._leases``, one compare-and-set, so only one waiter wins) and follows it as
  ``recover()`` would, polling or, if it was never sent, resubmitting it only when the API
  says it does not know it.

Until it takes the task over, the job has no journal row of its own: cancelling it stops
the waiting and leaves the owner's row alone.
"""

from __future__ import annotations

import asyncio
from typing import Final

from ..errors import TaskFailedError
from ..request.models import VideoRequest
from ..store import TaskRow
from ._context import Context
from ._job import Job
from ._lease import stale_s

__all__ = ["ForeignJob", "in_flight_elsewhere"]

WATCH_S: Final = 0.2  # how often the owner's journal row is read (one indexed SELECT)
_TAKE_OVER: Final = ("failed", "cancelled")  # ended there, though the API may hold a result


def in_flight_elsewhere(ctx: Context, fingerprints: list[str]) -> dict[str, TaskRow]:
    """The open task another live kernel follows, for each fingerprint that has one."""
    stale, scope = stale_s(ctx.settings), ctx.backend.cache_scope
    found: dict[str, TaskRow] = {}
    for fingerprint in dict.fromkeys(fingerprints):
        row = ctx.store.in_flight_elsewhere(fingerprint, scope, stale_s=stale)
        if row is not None:
            found[fingerprint] = row
    return found


class ForeignJob(Job):
    """A job whose task another kernel sent (see the module docstring)."""

    def __init__(
        self,
        request: VideoRequest,
        row: TaskRow,
        *,
        ctx: Context,
        loop: asyncio.AbstractEventLoop | None,
    ) -> None:
        super().__init__(
            request.model_copy(update={"task_uuid": row.task_uuid}),
            fingerprint=row.fingerprint,
            ctx=ctx,
            loop=loop,
            status="submitted",
        )
        detail = (
            "the same request is in flight in another kernel:"
            f" waiting for its task {row.task_uuid[:8]}"
        )
        self.events.append((self.started_at, "submitted", detail))
        self.detail = detail

    async def _run(self) -> None:
        """Wait for the owner's outcome, or take the task over (``Job._create_task``)."""
        store, uuid = self._ctx.store, self.task_uuid
        stale = stale_s(self._ctx.settings)
        while True:
            row = store.task(uuid)
            if row is None:  # the journal was replaced under us: nothing left to wait for
                self._fail(
                    TaskFailedError("its journal row is gone", task_uuid=uuid), recoverable=False
                )
                return
            if row.status == "done":
                results = store.results_for(uuid, existing_only=False)
                if len(results) >= row.results_expected and all(r.verified for r in results):
                    self.results = results
                    self._finish("done", "done by another kernel: nothing was sent from here")
                    return
            elif row.status == "failed" and not row.recoverable:
                message = row.error_message or "the generation failed"
                error = TaskFailedError(
                    f"{message} (in another kernel; new=True sends it again)",
                    code=row.error_code or "",
                    task_uuid=uuid,
                )
                self._fail(error, recoverable=False)
                return
            ended = row.status in _TAKE_OVER or row.status == "done"
            if store.claim(uuid, stale_s=stale, ended=ended):
                self._set("submitted", "its owner stopped following it: taking it over")
                await self._recover(row)
                return
            if row.status in ("processing", "downloading") and self.status == "submitted":
                self._set("processing", f"another kernel is following it ({row.status})")
            await asyncio.sleep(WATCH_S)
