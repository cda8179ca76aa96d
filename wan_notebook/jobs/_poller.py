"""The poller: one per event loop, it sends every submission and poll of that loop's jobs.

Submissions made in the same moment share a POST, and each tick sends one getResponse POST
for all live tasks. Its interval adapts: ``poll_first`` after a submit, then from
``poll_min`` growing x1.5 towards ``poll_max`` while nothing changes, back to ``poll_min``
when something finishes or a task nears the time similar jobs took (learned from the store).

A job hands its task to ``Poller.submit`` and then ``Poller.watch``es it; the watch ends in
an ``Outcome`` (results and per-video errors) or raises a ``Failure``. A task the API does
not know is resubmitted under the same taskUUID only when getTaskDetails says the API does
not know it (``_resubmit``). A refused poll fails no task (``_refusals``). The poller sees
a job only as a ``Watched`` (``_watched``); the jobs' writes of one round share a commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Final

from ..client import (
    Accepted,
    ApiErrorItem,
    AsyncRunwareClient,
    PollItem,
    PollRefused,
    Processing,
    SubmitOutcome,
    VideoResult,
    is_not_found,
)
from ..errors import (
    Failure,
    JobTimeoutError,
    NetworkError,
    TaskFailedError,
    WanError,
)
from ..settings import get_settings
from ..store import one_commit
from ._faults import RECOVERABLE
from ._refusals import Refusals
from ._resubmit import resend_verdict
from ._watched import Outcome, Watched, WatchState, due_in

__all__ = ["Poller"]

log = logging.getLogger("wan_notebook.jobs._poller")

NOT_FOUND_STRIKES: Final = 3  # an acknowledged task the API keeps not knowing has expired
MAX_RESUBMITS: Final = 2
PROGRESS_FOR_ESTIMATE: Final = 0.05  # below this, API progress says little about the end


@dataclass(eq=False)
class _Pending:
    client: AsyncRunwareClient
    task: Mapping[str, Any]
    future: asyncio.Future[SubmitOutcome]
    job: Watched | None = None


class Poller:
    """The one submitter and poller of an event loop (``Poller.for_loop``)."""

    _by_loop: ClassVar[weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Poller]] = (
        weakref.WeakKeyDictionary()
    )

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._pending: list[_Pending] = []
        self._watches: dict[str, WatchState] = {}
        self._inflight: set[asyncio.Task[None]] = set()
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._interval = 0.0
        self._next_poll_at = 0.0
        self._refusals = Refusals()
        self._hold_until = 0.0  # no poll before this (backing off from refused polls)
        self.ticks = 0  # getResponse rounds so far (benchmarks and tests read it)

    @classmethod
    def for_loop(cls, loop: asyncio.AbstractEventLoop) -> Poller:
        poller = cls._by_loop.get(loop)
        if poller is None:
            poller = cls._by_loop[loop] = Poller(loop)
        return poller

    @property
    def live(self) -> int:
        return len(self._watches)

    # -- called by jobs (on the loop thread) --

    def submit(
        self, client: AsyncRunwareClient, task: Mapping[str, Any], job: Watched | None = None
    ) -> asyncio.Future[SubmitOutcome]:
        future: asyncio.Future[SubmitOutcome] = self._loop.create_future()
        self._pending.append(_Pending(client, task, future, job))
        self._kick()
        return future

    def watch(
        self,
        job: Watched,
        client: AsyncRunwareClient,
        *,
        acked: bool,
        may_resubmit: bool,
        expected: float,
    ) -> asyncio.Future[Outcome]:
        """Follow a submitted task; ``expected``: the seconds it should take (0: unknown)."""
        s = get_settings()
        now = self._loop.time()
        future: asyncio.Future[Outcome] = self._loop.create_future()
        self._watches[job.task_uuid] = WatchState(
            job=job,
            client=client,
            future=future,
            acked=acked,
            may_resubmit=may_resubmit,
            started=now,
            first_poll_at=now + s.poll_first,
            expected=expected,
            deadline=now + max(s.job_timeout, expected * 3),
        )
        self._kick()
        return future

    def forget(self, task_uuid: str) -> None:
        watch = self._watches.pop(task_uuid, None)
        if watch is not None and not watch.future.done():
            watch.future.cancel()
        for pending in [p for p in self._pending if p.task.get("taskUUID") == task_uuid]:
            self._pending.remove(pending)
            if not pending.future.done():
                pending.future.cancel()

    def _kick(self) -> None:
        if self._wake is None:
            self._wake = asyncio.Event()
        self._wake.set()
        if self._task is None or self._task.done():
            self._interval = get_settings().poll_min
            self._task = self._loop.create_task(self._run(), name="wan-notebook-poller")

    async def _run(self) -> None:
        assert self._wake is not None
        try:
            while self._pending or self._watches or self._inflight:
                if self._pending:
                    # Let the other jobs started in the same moment join this POST.
                    await asyncio.sleep(0)
                    self._flush()
                    continue
                polled = [w for w in self._watches.values() if not w.resubmitting]
                now = self._loop.time()
                if polled:
                    due = max(self._next_poll_at, min(w.first_poll_at for w in polled))
                    if now >= due:
                        await self._tick(polled)
                        continue
                    timeout: float | None = due - now
                else:
                    timeout = None  # only submissions in flight: they wake us
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout)
        finally:
            self._task = None

    def _flush(self) -> None:
        batch, self._pending = self._pending, []
        by_client: dict[AsyncRunwareClient, list[_Pending]] = {}
        for pending in batch:
            by_client.setdefault(pending.client, []).append(pending)
        for client, items in by_client.items():
            for pending in items:
                if pending.job is not None:
                    pending.job.sent()
            task = self._loop.create_task(self._send(client, items))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)

    async def _send(self, client: AsyncRunwareClient, items: list[_Pending]) -> None:
        try:
            outcomes = await client.submit([p.task for p in items])
        except Exception as exc:  # a bug, not an API answer: fail these jobs, keep polling
            log.exception("submit failed unexpectedly")
            error = WanError(f"internal error while submitting: {exc}")
            outcomes = {str(p.task["taskUUID"]): error for p in items}
        try:
            with one_commit():  # the jobs record their acceptance in one commit
                for pending in items:
                    outcome = outcomes[str(pending.task["taskUUID"])]
                    if isinstance(outcome, Accepted) and pending.job is not None:
                        pending.job.accepted(confirmed=outcome.confirmed)
        except Exception:  # a lost mark is safe: recover() asks the API before resending
            log.exception("could not record accepted tasks in the journal")
        for pending in items:
            if not pending.future.done():
                pending.future.set_result(outcomes[str(pending.task["taskUUID"])])
        if self._wake is not None:
            self._wake.set()

    async def _tick(self, watches: list[WatchState]) -> None:
        s = get_settings()
        by_client: dict[AsyncRunwareClient, list[WatchState]] = {}
        for watch in watches:
            by_client.setdefault(watch.client, []).append(watch)
        changed = False
        for client, group in by_client.items():
            try:
                items = await client.poll([w.task_uuid for w in group])
            except PollRefused as refused:
                changed |= self._refused(group, refused)
                continue
            except Exception as exc:  # a bug: no task's state follows from it either
                log.exception("poll failed unexpectedly")
                error = WanError(f"internal error while polling: {exc}")
                changed |= self._refused(group, PollRefused(error))
                continue
            self._refusals.reset()
            changed |= self._apply_all(group, items)
        self.ticks += 1
        now = self._loop.time()
        for watch in [w for w in self._watches.values() if now > w.deadline]:
            error = JobTimeoutError(
                f"task {watch.task_uuid} still not finished after {now - watch.first_poll_at:.0f} s"
            )
            changed |= self._end(watch, Failure(error, recoverable=True))
        self._interval = s.poll_min if changed else min(self._interval * 1.5, s.poll_max)
        delay = min(self._interval, s.poll_max)
        for watch in self._watches.values():
            delay = min(delay, due_in(watch, now, s.poll_min, s.poll_max))
        self._next_poll_at = max(now + max(s.poll_min, delay), self._hold_until)
        for watch in list(self._watches.values()):
            watch.job.ticked()

    def _apply_all(self, group: list[WatchState], items: Mapping[str, list[PollItem]]) -> bool:
        changed = False  # the jobs' journal writes for this poll share one commit
        try:
            with one_commit():
                for watch in group:
                    if self._watches.get(watch.task_uuid) is not watch:
                        continue
                    try:
                        changed |= self._apply(watch, items.get(watch.task_uuid, []))
                    except Exception as exc:  # a bug or a journal error: end this job only
                        log.exception("could not take in the poll of task %s", watch.task_uuid)
                        error = WanError(f"internal error while polling: {exc}")
                        changed |= self._end(watch, Failure(error, recoverable=True))
        except Exception:  # the commit: statuses only, all still open (recover() mends them)
            log.exception("could not record a poll round in the journal")
        return changed

    def _apply(self, watch: WatchState, items: list[PollItem]) -> bool:
        """Take in one task's poll items; True when something finished or arrived."""
        job = watch.job
        not_found = False
        errors: list[ApiErrorItem] = []
        progress: float | None = None
        running = False
        new = False
        extras = 0
        for item in items:
            if isinstance(item, VideoResult):
                if item.key in watch.results:
                    continue
                if len(watch.results) >= job.results_expected:
                    extras += 1  # more than numberResults: never downloaded nor billed here
                    continue
                watch.results[item.key] = item
                new = True
            elif isinstance(item, Processing):
                running = True
                if item.progress is not None:
                    progress = max(0.0, min(1.0, item.progress / 100.0))
            elif is_not_found(item.code):
                not_found = True
            else:
                errors.append(item)
        if extras:
            log.warning("task %s: %d result(s) more than the %d asked for ignored",
                        watch.task_uuid, extras, job.results_expected)  # fmt: skip
        if not_found and not (running or watch.results or errors):
            return self._task_not_found(watch)
        watch.not_found = 0
        if items and not watch.acked:
            watch.acked = True
            job.accepted(confirmed=True)
        if progress is not None and progress >= PROGRESS_FOR_ESTIMATE:
            # The API's progress dates the end better than history or a guess can.
            watch.expected = (self._loop.time() - watch.started) / progress
        # Each poll answers the cumulative list; the longest list of errors is the truth.
        if len(errors) > len(watch.errors):
            watch.errors = errors
            new = True
        job.progressed(progress, running=running or bool(watch.results))
        if len(watch.results) + len(watch.errors) >= job.results_expected:
            results = sorted(watch.results.values(), key=lambda r: r.key)
            if results:
                job.downloading(len(results))
            return self._end(watch, Outcome(results, watch.errors))
        return new

    def _task_not_found(self, watch: WatchState) -> bool:
        if watch.may_resubmit and watch.resubmits < MAX_RESUBMITS:
            self._resubmit(watch)
            return False
        if not watch.acked:
            error: WanError = NetworkError(
                f"the API never received task {watch.task_uuid}; nothing was billed"
            )
            return self._end(watch, Failure(error, recoverable=False))
        watch.not_found += 1
        if watch.not_found < NOT_FOUND_STRIKES:
            return False
        error = TaskFailedError(
            "the API no longer knows this task (its results may have expired)",
            code="taskNotFound",
            task_uuid=watch.task_uuid,
        )
        return self._end(watch, Failure(error, recoverable=False))

    def _resubmit(self, watch: WatchState) -> None:
        """Ask the API about a possibly-never-sent task; resend it only if it is unknown."""
        watch.resubmitting = True  # not polled meanwhile
        task = self._loop.create_task(self._ask_then_resend(watch))
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)

    async def _ask_then_resend(self, watch: WatchState) -> None:
        verdict = await resend_verdict(watch.client, watch.task_uuid)
        if self._watches.get(watch.task_uuid) is not watch:
            return
        if verdict == "unknown":
            self._resend(watch)
            return
        watch.resubmitting = False
        if isinstance(verdict, ApiErrorItem):  # refused at submit: not billed, not resent
            error = TaskFailedError(verdict.message or "the API refused the task",
                                    code=verdict.code, task_uuid=watch.task_uuid)  # fmt: skip
            self._end(watch, Failure(error, recoverable=False))
        elif verdict == "known":  # it has the task: follow it, never send it again
            watch.acked, watch.may_resubmit = True, False
            watch.job.accepted(confirmed=True)
        if self._wake is not None:
            self._wake.set()

    def _resend(self, watch: WatchState) -> None:
        """Send a task the API does not know again under the same taskUUID."""
        watch.resubmits += 1
        job = watch.job
        log.info("task %s unknown to the API: resubmitting it (same taskUUID)", job.task_uuid)
        future = self.submit(watch.client, job.api_task, job)

        def done(f: asyncio.Future[SubmitOutcome]) -> None:
            watch.resubmitting = False
            if f.cancelled() or self._watches.get(watch.task_uuid) is not watch:
                return
            outcome = f.result()
            if isinstance(outcome, Accepted):
                watch.acked = outcome.confirmed
                watch.may_resubmit = not outcome.confirmed
                watch.first_poll_at = self._loop.time() + get_settings().poll_first
                job.accepted(confirmed=outcome.confirmed)
            else:
                recoverable = isinstance(outcome, RECOVERABLE)
                self._end(watch, Failure(outcome, recoverable=recoverable))

        future.add_done_callback(done)

    def _end(self, watch: WatchState, outcome: Outcome | Failure) -> bool:
        self._watches.pop(watch.task_uuid, None)
        if not watch.future.done():
            if isinstance(outcome, Failure):
                watch.future.set_exception(outcome)
            else:
                watch.future.set_result(outcome)
        return True

    def _refused(self, watches: list[WatchState], refused: PollRefused) -> bool:
        """A poll answered as a whole: no task fails; back off, and after a bounded time
        hand the tasks back as recoverable (the API accepted them: recover() fetches them)."""
        s = get_settings()
        now = self._loop.time()
        self._hold_until = now + self._refusals.note(refused, now, s)
        if not self._refusals.exhausted(now, s):
            return False
        error = self._refusals.given_up(refused, len(watches))
        for watch in watches:
            self._end(watch, Failure(error, recoverable=True))
        return bool(watches)
