"""Jobs: one Wan 2.6 task from request to video file, without losing or repaying anything.

``generate()`` validates (raising before any network call), checks the session budget and
the result cache, and returns a ``Job`` at once; the job then runs on the private event
loop of ``runtime`` (a daemon thread), so a cell that computes does not stop it:

    queued -> (upload local inputs) -> journal row -> submitted -> processing
           -> downloading -> done                 (or failed / cancelled at any point)

One ``Poller`` per event loop (``_poller``) sends the submissions and polls of every live
job; the session ``budget`` is checked before anything is sent.

Recovery policy (``recover()``): every journaled task of this backend without an outcome,
and every failure that may still hold a paid result (a network fault after the API took
it), is polled again. Results found are downloaded. A task that was journaled but perhaps
never sent (the kernel died in between) is resubmitted with the same taskUUID only when
getTaskDetails says the API does not know it (``_resubmit``): nothing was taken, nothing
billed. It never rests on how the API treats a reused taskUUID. A task the API
acknowledged but no longer knows fails (results expire); nothing is resubmitted after the
user saw it fail. recover() takes only tasks no live kernel follows (``_lease``).

Only the job writes its journal row; the poller reports to it through ``Watched``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Generator, Mapping
from typing import Any, Final, Literal

from ..client import Accepted, VideoResult
from ..errors import Failure, JobCancelledError, JobTimeoutError, TaskFailedError, WanError
from ..settings import get_settings
from ..store import Result, TaskRow
from . import _loop as runtime
from ._faults import MAYBE_TAKEN, as_wan_error, code_of, recoverable
from ._inputs import api_task
from ._lease import Heartbeat
from ._poller import Poller
from ._progress import expected_seconds
from ._save import save_video
from ._state import JobState
from ._watched import Outcome

__all__ = ["Job", "wait_limit"]

log = logging.getLogger("wan_notebook.jobs")

CANCEL_DETAIL_SENT: Final = "polling stopped; the API may still finish and bill this task"
CANCEL_DETAIL_UNSENT: Final = "cancelled before it was sent; nothing was billed"


class Job(JobState):
    """One video task. Returned at once by ``generate()``; runs on the event loop.

    State: ``status``, ``progress`` (0..1 or None) and ``progress_source`` ("api",
    "estimate" or ""), ``results``, ``cost``, ``error``, ``events``. Wait with ``await job``
    or ``job.wait()`` (from any thread); ``job.cancel()`` stops polling (from any thread);
    ``job.on_change(cb)`` calls ``cb(job)`` on the loop thread after every change.
    """

    # What running adds to the state (class defaults until the job sets them).
    _task: asyncio.Task[None] | None = None  # the running coroutine
    _api_task: dict[str, Any] | None = None  # the JSON sent, once prepared
    _journaled = False  # its journal row exists
    _sent = False  # its submission left: the API may take (and bill) it
    _reserved = 0.0  # USD of the session budget it holds

    # ----- waiting and cancelling ----------------------------------------------------------------

    def __await__(self) -> Generator[Any, None, Job]:
        return self._wait_async().__await__()

    async def _wait_async(self) -> Job:
        if not self.done:
            await self._settled_anywhere()
        return self._outcome()

    async def _settled_anywhere(self) -> None:
        """Await the end from any running loop (a cell's: ``await job``) without blocking it."""
        await runtime.wait_on(self._loop, self._settled())

    async def _settled(self) -> None:
        if self._done is not None and not self.done:
            # shield: a waiter that gives up (timeout) must not cancel the job itself
            await asyncio.shield(self._done)

    def wait(self, timeout: float | None = None) -> Job:
        """Block until the job ends; returns it, or raises its error. ``JobTimeoutError``
        after ``timeout`` seconds (default ``settings.job_timeout``); the job keeps running,
        as it does when the wait is interrupted (Ctrl-C, the kernel's stop button)."""
        if not self.done:
            limit = wait_limit(timeout)
            try:
                runtime.run_sync(self._settled(), limit, loop=self._loop)
            except TimeoutError:
                raise JobTimeoutError(
                    f"job {self.task_uuid[:8]} not finished after {limit:g} s"
                    f" (status: {self.status}); it keeps running"
                ) from None
            except KeyboardInterrupt:
                raise KeyboardInterrupt(
                    f"stopped waiting for job {self.task_uuid[:8]} ({self.status});"
                    " it keeps running: job.cancel() stops it"
                ) from None
        return self._outcome()

    def _outcome(self) -> Job:
        if self.error is not None:
            raise self.error
        return self

    def cancel(self) -> None:
        """Stop waiting for this job. A task already sent may still be finished and billed
        by the API (it has no cancel); the status detail says so."""
        if self.done or self._loop is None:
            return
        if runtime.in_loop_thread(self._loop):
            self._cancel_now()
            return

        async def on_loop() -> None:
            self._cancel_now()

        runtime.run_sync(on_loop(), 10.0, loop=self._loop)

    def _cancel_now(self) -> None:
        if self.done:
            return
        Poller.for_loop(self._loop_required()).forget(self.task_uuid)
        if self._task is not None:
            self._task.cancel()
        detail = CANCEL_DETAIL_SENT if self._sent else CANCEL_DETAIL_UNSENT
        if not self._sent:
            self._release_budget()
        if self._journaled:
            self._record("cancelled", error_code="cancelled", error_message=detail)
        self.error = JobCancelledError(f"job {self.task_uuid[:8]} cancelled: {detail}")
        self._finish("cancelled", detail)

    # ----- what the job records (only the job writes its journal row) ----------------------

    def _loop_required(self) -> asyncio.AbstractEventLoop:
        assert self._loop is not None
        return self._loop

    def _accepted(self, *, confirmed: bool) -> None:
        """The API took the task (reported by the poller, which batches these writes)."""
        if not self.done:  # a cancelled job keeps its journal outcome
            self._ctx.store.mark_submitted(self.task_uuid, acked=confirmed)

    def _progress_seen(self, progress: float | None, *, running: bool) -> None:
        if progress is not None:
            self._progress.api = progress
        if running and self.status == "submitted":
            self._ctx.store.set_status(self.task_uuid, "processing")
            self._set("processing", "the API is generating")

    def _downloading(self, count: int) -> None:
        if not self.done:
            self._ctx.store.set_status(self.task_uuid, "downloading")
            self._set("downloading", f"saving {count} video(s)")

    def _fail(self, error: WanError, *, recoverable: bool) -> None:
        if self.done:
            return
        self.error = error
        if self._journaled:
            self._record(
                "failed",
                cost=self.cost,
                error_code=code_of(error),
                error_message=error.message,
                recoverable=recoverable,
            )
        self._finish("failed", error.message.splitlines()[0])

    def _record(self, status: Literal["done", "failed", "cancelled"], **fields: Any) -> None:
        """The journal outcome; a journal that cannot be written must not hang the job."""
        try:
            self._ctx.store.finish(self.task_uuid, status, **fields)
        except Exception:
            log.exception("could not record the outcome of task %s", self.task_uuid)

    def _release_budget(self) -> None:
        self._ctx.budget.release(self._reserved)
        self._reserved = 0.0

    # ----- running -----------------------------------------------------------------------------

    def _create_task(self, row: TaskRow | None) -> None:
        """On the loop thread: start running (see ``_start._launch``)."""
        if self.done:  # cancelled before it started
            return
        coro = self._recover(row) if row is not None else self._run()
        loop, store = self._loop_required(), self._ctx.store
        self._task = loop.create_task(coro, name=f"wan-job-{self.task_uuid[:8]}")
        self._task.add_done_callback(_log_unexpected)
        # The kernel's lease on its tasks: other kernels' recover() leaves them alone.
        Heartbeat.for_loop(loop).hold(store)
        self._task.add_done_callback(lambda _: Heartbeat.for_loop(loop).release(store))

    async def _run(self) -> None:
        ctx = self._ctx
        try:
            task = await api_task(self.request, ctx.client, ctx.store, uploading=self._uploading)
            self._api_task = task
            ctx.store.journal(
                self.task_uuid,
                fingerprint=self.fingerprint,
                request=task,
                backend=ctx.backend.cache_scope,
                base_url=ctx.backend.base_url,
                engine=ctx.backend.label,
                estimated_cost=self.estimated_cost,
                tier=self.request.tier,
                seconds=self.request.seconds,
                results_expected=self.request.results,
            )
            self._journaled = True
            poller = Poller.for_loop(self._loop_required())
            outcome = await poller.submit(ctx.client, task, _Watched(self))
            if not isinstance(outcome, Accepted):
                taken_maybe = isinstance(outcome, MAYBE_TAKEN)
                if not taken_maybe:  # refused (invalid, no credit, bad key): not billed
                    self._release_budget()
                self._fail(outcome, recoverable=taken_maybe)
                return
            # The poller has recorded the acceptance (``_Watched.accepted``).
            detail = (
                "already accepted by the API (resent after a lost answer)"
                if outcome.conflict
                else "accepted by the API"
            )
            self._set("submitted", detail)
            await self._follow(acked=outcome.confirmed, may_resubmit=not outcome.confirmed)
        except Exception as exc:  # noqa: BLE001 - a job always ends; its error stays on it
            if not self._sent:
                self._release_budget()
            self._fail(as_wan_error(exc), recoverable=self._sent and recoverable(exc))

    def _uploading(self) -> None:
        self.detail = "uploading inputs"

    async def _recover(self, row: TaskRow) -> None:
        ctx = self._ctx
        self._api_task = row.request
        self._journaled = True
        self._sent = row.status != "journaled"
        self.results = ctx.store.results_for(self.task_uuid)
        try:
            if len(self.results) >= self.request.results:  # died after the last download
                ctx.store.finish(self.task_uuid, "done", cost=self.cost)
                self._finish("done", "recovered from the journal")
                return
            self._set("submitted", "recovering: asking the API for this task")
            await self._follow(acked=row.acked, may_resubmit=row.status == "journaled")
        except Exception as exc:  # noqa: BLE001 - a job always ends; its error stays on it
            self._fail(as_wan_error(exc), recoverable=recoverable(exc))

    async def _follow(self, *, acked: bool, may_resubmit: bool) -> None:
        """Poll (via the poller) until the task ends, then download its results."""
        ctx = self._ctx
        self._progress.since = time.monotonic()
        expected = expected_seconds(
            self.request, store=ctx.store, backend=ctx.backend, settings=ctx.settings
        )
        self._progress.expected = expected
        watch = Poller.for_loop(self._loop_required()).watch(
            _Watched(self), ctx.client, acked=acked, may_resubmit=may_resubmit, expected=expected
        )
        try:
            outcome = await watch
        except Failure as failure:
            self._fail(failure.error, recoverable=failure.recoverable)
            return
        await self._download(outcome)

    async def _download(self, outcome: Outcome) -> None:
        ctx = self._ctx  # "downloading" is recorded by the poll (``_Watched.downloading``)
        have = {r.key: r for r in self.results}
        try:
            for item in outcome.results:
                if item.key in have:
                    continue
                result = await self._save(item)
                self.results.append(result)
                have[result.key] = result
                self._notify()
        except (WanError, OSError) as exc:
            self._fail(as_wan_error(exc), recoverable=True)  # the API still has the video
            return
        if outcome.errors:
            first = outcome.errors[0]
            failed, total = len(outcome.errors), self.request.results
            kept = f"; {len(self.results)} video(s) kept" if self.results else ""
            error = TaskFailedError(
                f"{first.message or 'the generation failed'} ({failed} of {total} failed{kept})",
                code=first.code,
                task_uuid=self.task_uuid,
            )
            self._fail(error, recoverable=False)
            return
        ctx.store.finish(self.task_uuid, "done", cost=self.cost)
        self._finish("done", f"{len(self.results)} video(s) saved")

    async def _save(self, item: VideoResult) -> Result:
        return await save_video(
            item,
            self.request,
            task_uuid=self.task_uuid,
            sent=self._api_task or self.request.to_api(),
            engine=self.engine,
            timings={"created": self.started_at, "submitted": self.time_of("submitted")},
            client=self._ctx.client,
            store=self._ctx.store,
        )


class _Watched:
    """A job as its poller sees it (the ``Watched`` protocol): the poller reports, the job
    records. Kept apart so that these reports are not part of ``Job``'s public surface."""

    __slots__ = ("_job",)

    def __init__(self, job: Job) -> None:
        self._job = job

    @property
    def task_uuid(self) -> str:
        return self._job.task_uuid

    @property
    def api_task(self) -> Mapping[str, Any]:
        return self._job._api_task or {}

    @property
    def results_expected(self) -> int:
        return self._job.request.results

    def sent(self) -> None:
        self._job._sent = True

    def accepted(self, *, confirmed: bool) -> None:
        self._job._accepted(confirmed=confirmed)

    def progressed(self, progress: float | None, *, running: bool) -> None:
        self._job._progress_seen(progress, running=running)

    def downloading(self, count: int) -> None:
        self._job._downloading(count)

    def ticked(self) -> None:
        self._job._notify()  # progress estimates moved on


def wait_limit(timeout: float | None) -> float:
    """Seconds to wait: ``timeout``, or the ``job_timeout`` setting when it is None."""
    if timeout is None:
        return get_settings().job_timeout
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise TypeError(f"timeout must be a number of seconds, not {type(timeout).__name__}")
    return timeout


def _log_unexpected(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("job task crashed", exc_info=task.exception())
