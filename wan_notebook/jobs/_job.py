"""Jobs: one Wan 2.6 task from request to video file, without losing or repaying anything.

``generate()`` validates (raising before any network call), checks the session budget and
the result cache, and returns a ``Job`` at once; the job then runs on the event loop chosen
by ``runtime`` (the kernel's loop in a notebook):

    queued -> (upload local inputs) -> journal row -> submitted -> processing
           -> downloading -> done                 (or failed / cancelled at any point)

One ``Poller`` per event loop (``poller``) sends the submissions and polls of every live
job; the session ``budget`` is checked before anything is sent.

Recovery policy (``recover()``): every journaled task of this backend without an outcome,
and every failure that may still hold a paid result (a network fault after the API took
it), is polled again. Results found are downloaded. A task that was journaled but perhaps
never sent (the kernel died in between) and that the API does not know is resubmitted
with the same taskUUID, which is safe: had the API received it, it would answer
``conflictTaskUUID`` instead of running it twice. A task the API acknowledged but no longer
knows fails (results expire); nothing is resubmitted after the user saw it fail.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, overload

from .._version import __version__
from ..client._answers import VideoResult
from ..client._backend import Backend, resolve
from ..client._client import Accepted, AsyncRunwareClient, close_all_clients
from ..errors import (
    Failure,
    InvalidRequestError,
    JobCancelledError,
    JobTimeoutError,
    NetworkError,
    RateLimitError,
    ServerError,
    TaskFailedError,
    WanError,
)
from ..request import media
from ..request.models import VideoRequest
from ..settings import Settings, get_settings
from ..store import HistoryItem, Result, Store, TaskRow, manifest
from . import _loop as runtime
from ._budget import session_budget, session_spend
from ._poller import RECOVERABLE, Outcome, Poller

if TYPE_CHECKING:
    import httpx

# Poller and session_spend live in their own modules now; still importable from here.
__all__ = [
    "Job",
    "JobGroup",
    "Poller",
    "Result",
    "arecover",
    "generate",
    "generate_many",
    "history",
    "live_jobs",
    "recover",
    "seed_sweep",
    "session_jobs",
    "session_spend",
    "shutdown_quietly",
]

log = logging.getLogger("wan_notebook.jobs")

runtime.add_shutdown_hook(close_all_clients)

JobStatus = Literal[
    "queued", "submitted", "processing", "downloading", "done", "failed", "cancelled"
]
TERMINAL: Final = frozenset({"done", "failed", "cancelled"})
ChangeCallback = Callable[["Job"], None]

INLINE_IMAGE_BYTES: Final = 256 * 1024  # smaller local images travel inline as data URIs
ESTIMATE_CAP: Final = 0.95  # an estimate never claims to be finished
CANCEL_DETAIL_SENT: Final = "polling stopped; the API may still finish and bill this task"
CANCEL_DETAIL_UNSENT: Final = "cancelled before it was sent; nothing was billed"
# Faults after which a submitted task may have been taken (and billed) anyway.
_MAYBE_TAKEN: Final = (NetworkError, ServerError, RateLimitError)


# ----- where jobs send and store ---------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    backend: Backend
    client: AsyncRunwareClient
    store: Store
    settings: Settings


_clients: dict[tuple[str, str], AsyncRunwareClient] = {}
_clients_lock = threading.Lock()
_transport: httpx.AsyncBaseTransport | None = None


def set_transport(transport: httpx.AsyncBaseTransport | None) -> None:
    """Send every request through ``transport`` (tests: ``httpx.MockTransport``)."""
    global _transport
    with _clients_lock:
        _transport = transport
        _clients.clear()


def _context(settings: Settings | None = None) -> _Context:
    s = settings or get_settings()
    backend = resolve(s)
    key = (backend.base_url, hashlib.sha256(backend.api_key.encode()).hexdigest())
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = AsyncRunwareClient(backend.base_url, backend.api_key, transport=_transport)
            _clients[key] = client
    return _Context(backend, client, Store.open(s.media_dir), s)


# ----- jobs -----------------------------------------------------------------------------------

_live: dict[str, Job] = {}  # task_uuid -> unfinished job of this process
_session: list[Job] = []  # every job this process made, in order (for %wan status)


class Job:
    """One video task. Returned at once by ``generate()``; runs on the event loop.

    State: ``status``, ``progress`` (0..1 or None) and ``progress_source`` ("api",
    "estimate" or ""), ``results``, ``cost``, ``error``, ``events``. Wait with ``await job``
    or ``job.wait()``; ``job.cancel()`` stops polling; ``job.on_change(cb)`` calls ``cb(job)``
    on the loop thread after every change.
    """

    def __init__(
        self,
        request: VideoRequest,
        *,
        fingerprint: str,
        ctx: _Context,
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
        self._callbacks: list[ChangeCallback] = []
        self._done: asyncio.Future[None] | None = loop.create_future() if loop else None
        self._task: asyncio.Task[None] | None = None
        self._api_task: dict[str, Any] | None = None
        self._journaled = False
        self._sent = False
        self._reserved = 0.0
        self._api_progress: float | None = None
        self._submitted_mono: float | None = None
        self._expected_seconds: float | None = None
        self._last_progress: float | None = None

    # ----- state people read -----------------------------------------------------------------

    @property
    def progress(self) -> float | None:
        if self.status == "done":
            return 1.0
        if self._api_progress is not None:
            return self._api_progress
        if self._submitted_mono is not None and self._expected_seconds:
            elapsed = time.monotonic() - self._submitted_mono
            return min(ESTIMATE_CAP, elapsed / self._expected_seconds)
        return None

    @property
    def progress_source(self) -> Literal["api", "estimate", ""]:
        if self._api_progress is not None:
            return "api"
        if self._submitted_mono is not None and self._expected_seconds:
            return "estimate"
        return ""

    @property
    def elapsed(self) -> float:
        return (self.finished_at or time.time()) - self.started_at

    @property
    def done(self) -> bool:
        return self.status in TERMINAL

    @property
    def cost(self) -> float | None:
        costs = [r.cost for r in self.results if r.cost is not None]
        return round(sum(costs), 6) if costs else None

    @property
    def estimated_cost(self) -> float:
        return self.request.estimated_cost

    @property
    def video(self) -> Result | None:
        """The first result, for the common one-video case."""
        return self.results[0] if self.results else None

    def __repr__(self) -> str:
        prompt = self.request.positive_prompt
        prompt = prompt if len(prompt) <= 32 else prompt[:29] + "..."
        cost = f" ${self.cost:.2f}" if self.cost is not None else ""
        extra = " cached" if self.cached else ""
        return (
            f"<Job {self.task_uuid[:8]} {self.status}{extra} {self.request.summary()}{cost}"
            f" {prompt!r}>"
        )

    # ----- waiting, cancelling, observing ----------------------------------------------------

    def on_change(self, callback: ChangeCallback) -> ChangeCallback:
        """Call ``callback(job)`` after every change (on the loop thread). Returns it, so it
        also works as a decorator. Exceptions in callbacks are logged and swallowed."""
        self._callbacks.append(callback)
        return callback

    def __await__(self) -> Generator[Any, None, Job]:
        return self._wait_async().__await__()

    async def _wait_async(self) -> Job:
        if not self.done:
            await self._settled_anywhere()
        return self._outcome()

    async def _settled_anywhere(self) -> None:
        here = runtime.running_loop()
        if self._loop is None or here is self._loop:
            await self._settled()
        else:
            future = asyncio.run_coroutine_threadsafe(self._settled(), self._loop)
            await asyncio.wrap_future(future)

    async def _settled(self) -> None:
        if self._done is not None and not self.done:
            # shield: a waiter that gives up (timeout) must not cancel the job itself
            await asyncio.shield(self._done)

    def wait(self, timeout: float | None = None) -> Job:
        """Block until the job ends; returns it, or raises its error. ``JobTimeoutError``
        after ``timeout`` seconds (default ``settings.job_timeout``); the job keeps running."""
        if not self.done:
            limit = get_settings().job_timeout if timeout is None else timeout
            try:
                runtime.run_sync(self._settled(), limit, loop=self._loop)
            except TimeoutError:
                raise JobTimeoutError(
                    f"job {self.task_uuid[:8]} not finished after {limit:g} s"
                    f" (status: {self.status}); it keeps running"
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

    # ----- transitions (loop thread only) ----------------------------------------------------

    def _loop_required(self) -> asyncio.AbstractEventLoop:
        assert self._loop is not None
        return self._loop

    def _set(self, status: JobStatus, detail: str = "") -> None:
        self.status = status
        self.detail = detail
        self.events.append((time.time(), status, detail))
        self._notify()

    def _finish(self, status: JobStatus, detail: str = "") -> None:
        self.finished_at = time.time()
        _live.pop(self.task_uuid, None)
        self._set(status, detail)
        if self._done is not None and not self._done.done():
            self._done.set_result(None)

    def _notify(self) -> None:
        for callback in list(self._callbacks):
            try:
                callback(self)
            except Exception:
                log.exception("an on_change callback of job %s failed", self.task_uuid[:8])

    def _progress_seen(self, progress: float | None, *, running: bool) -> None:
        if progress is not None:
            self._api_progress = progress
        if running and self.status == "submitted":
            self._ctx.store.set_status(self.task_uuid, "processing")
            self._set("processing", "the API is generating")

    def _fail(self, error: WanError, *, recoverable: bool) -> None:
        if self.done:
            return
        self.error = error
        if self._journaled:
            self._record(
                "failed",
                cost=self.cost,
                error_code=_code_of(error),
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
        session_budget.release(self._reserved)
        self._reserved = 0.0

    # ----- running -----------------------------------------------------------------------------

    def _create_task(self, row: TaskRow | None) -> None:
        """On the loop thread: start running (see ``_launch``)."""
        if self.done:  # cancelled before it started
            return
        coro = self._recover(row) if row is not None else self._run()
        self._task = self._loop_required().create_task(coro, name=f"wan-job-{self.task_uuid[:8]}")
        self._task.add_done_callback(_log_unexpected)

    async def _run(self) -> None:
        ctx = self._ctx
        try:
            task = await self._prepare_inputs()
            task.setdefault("includeCost", True)  # the journal and sidecars record real costs
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
            outcome = await poller.submit(ctx.client, task, self)
            if not isinstance(outcome, Accepted):
                taken_maybe = isinstance(outcome, _MAYBE_TAKEN)
                if not taken_maybe:  # refused (invalid, no credit, bad key): not billed
                    self._release_budget()
                self._fail(outcome, recoverable=taken_maybe)
                return
            ctx.store.mark_submitted(self.task_uuid, acked=outcome.confirmed)
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
            self._fail(_as_wan_error(exc), recoverable=self._sent and _recoverable(exc))

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
            self._fail(_as_wan_error(exc), recoverable=_recoverable(exc))

    async def _follow(self, *, acked: bool, may_resubmit: bool) -> None:
        """Poll (via the poller) until the task ends, then download its results."""
        ctx = self._ctx
        self._submitted_mono = time.monotonic()
        self._expected_seconds = self._guess_seconds()
        watch = Poller.for_loop(self._loop_required()).watch(
            self, ctx.client, acked=acked, may_resubmit=may_resubmit
        )
        try:
            outcome = await watch
        except Failure as failure:
            self._fail(failure.error, recoverable=failure.recoverable)
            return
        await self._download(outcome)

    async def _download(self, outcome: Outcome) -> None:
        ctx = self._ctx
        if outcome.results:
            ctx.store.set_status(self.task_uuid, "downloading")
            self._set("downloading", f"saving {len(outcome.results)} video(s)")
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
            self._fail(_as_wan_error(exc), recoverable=True)  # the API still has the video
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
        ctx = self._ctx
        if not item.video_url:
            raise NetworkError(f"the API sent no videoURL for video {item.video_uuid}")
        fmt = (self.request.output_format or "MP4").upper()
        seed = item.seed if item.seed is not None else self.request.seed
        dest = ctx.store.media_path(
            prompt=self.request.positive_prompt, seed=seed, video_uuid=item.video_uuid, ext=fmt
        )
        path, digest, size = await ctx.client.download(item.video_url, dest)
        result = Result(
            task_uuid=self.task_uuid, video_uuid=item.video_uuid, url=item.video_url, path=path,
            seed=seed, cost=item.cost, sha256=digest, bytes=size, format=fmt,
            width=self.request.width, height=self.request.height,
            duration=float(self.request.seconds), key=item.key,
        )  # fmt: skip
        try:
            sidecar = ctx.store.write_sidecar(
                path,
                manifest(
                    task=self._api_task or self.request.to_api(),
                    result=result,
                    response=item.to_api(),
                    engine=self.engine,
                    timings={
                        "created": self.started_at,
                        "submitted": self.time_of("submitted"),
                        "downloaded": time.time(),
                    },
                    version=__version__,
                ),
            )
            result = replace(result, sidecar=sidecar)
            ctx.store.record_result(result, item.to_api())
        except BaseException:
            # No video without its record: a file the journal does not know is a stray.
            path.unlink(missing_ok=True)
            path.with_name(path.name + ".json").unlink(missing_ok=True)
            raise
        return result

    def time_of(self, status: str) -> float | None:
        """When the job first reached ``status`` (epoch seconds), or None."""
        return next((t for t, s, _ in self.events if s == status), None)

    def _guess_seconds(self) -> float:
        """How long similar jobs took (median of the store), else a guess from the length."""
        ctx = self._ctx
        learned = ctx.store.typical_seconds(
            self.request.tier, self.request.seconds, backend=ctx.backend.cache_scope
        )
        if learned:
            return learned
        if ctx.backend.kind == "local":
            return (ctx.settings.local_delay or 3.0) * self.request.results
        return 30.0 + 10.0 * self.request.seconds

    async def _prepare_inputs(self) -> dict[str, Any]:
        """The API JSON to send: local files replaced by uploads (or inline data URIs)."""
        task = self.request.to_api()
        inputs = task.get("inputs")
        if not inputs:
            return task
        self.detail = "uploading inputs"

        async def sent_form(value: Any, kind: media.MediaKind) -> Any:
            if not isinstance(value, str) or media.classify(value) != "path":
                return value
            local = media.check_local(Path(value), kind)
            if kind == "image" and local.size <= INLINE_IMAGE_BYTES:
                return media.to_data_uri(local.path.read_bytes(), local.mime)
            return await self._ctx.client.upload(
                local.path, kind, mime=local.mime, cache=self._ctx.store
            )

        frames = inputs.get("frameImages")
        if isinstance(frames, list):
            out = []
            for item in frames:
                if isinstance(item, Mapping):
                    out.append({**item, "image": await sent_form(item.get("image"), "image")})
                else:
                    out.append(await sent_form(item, "image"))
            inputs["frameImages"] = out
        if isinstance(inputs.get("referenceVideos"), list):
            inputs["referenceVideos"] = [
                await sent_form(v, "video") for v in inputs["referenceVideos"]
            ]
        if inputs.get("audio") is not None:
            inputs["audio"] = await sent_form(inputs["audio"], "audio")
        return task

    # ----- other ways to make a job ---------------------------------------------------------------

    @classmethod
    def _from_cache(
        cls, request: VideoRequest, fingerprint: str, ctx: _Context, results: list[Result]
    ) -> Job:
        job = cls(request, fingerprint=fingerprint, ctx=ctx, loop=None, status="done")
        job.results = list(results)
        job.task_uuid = results[0].task_uuid if results else request.task_uuid
        job.cached = True
        job.finished_at = job.started_at
        job.events.append((job.started_at, "done", "from the cache: nothing was sent"))
        job.detail = "from the cache: nothing was sent"
        return job


def _log_unexpected(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("job task crashed", exc_info=task.exception())


def _as_wan_error(exc: Exception) -> WanError:
    if isinstance(exc, WanError):
        return exc
    if isinstance(exc, OSError):
        return NetworkError(f"could not save: {exc}")
    log.error("job failed unexpectedly", exc_info=exc)
    return WanError(f"internal error: {type(exc).__name__}: {exc}")


def _recoverable(exc: Exception) -> bool:
    """After this failure, may the API still hold a result worth fetching?"""
    return not isinstance(exc, WanError) or isinstance(exc, RECOVERABLE)


def _code_of(error: WanError) -> str:
    code = getattr(error, "code", "")
    return str(code) if code else type(error).__name__


# ----- groups ---------------------------------------------------------------------------------


class JobGroup(Sequence[Job]):
    """Several jobs (a seed sweep, a batch): wait, await, cancel and read them together."""

    def __init__(self, jobs: Iterable[Job]) -> None:
        self.jobs: list[Job] = list(jobs)

    @overload
    def __getitem__(self, index: int) -> Job: ...
    @overload
    def __getitem__(self, index: slice) -> JobGroup: ...
    def __getitem__(self, index: int | slice) -> Job | JobGroup:
        if isinstance(index, slice):
            return JobGroup(self.jobs[index])
        return self.jobs[index]

    def __len__(self) -> int:
        return len(self.jobs)

    def __iter__(self) -> Iterator[Job]:
        return iter(self.jobs)

    @property
    def done(self) -> bool:
        return all(job.done for job in self.jobs)

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for job in self.jobs:
            out[job.status] = out.get(job.status, 0) + 1
        return out

    @property
    def results(self) -> list[Result]:
        return [result for job in self.jobs for result in job.results]

    @property
    def errors(self) -> list[WanError]:
        return [job.error for job in self.jobs if job.error is not None]

    @property
    def total_cost(self) -> float | None:
        costs = [job.cost for job in self.jobs if job.cost is not None]
        return round(sum(costs), 6) if costs else None

    @property
    def estimated_cost(self) -> float:
        return round(sum(job.estimated_cost for job in self.jobs if not job.cached), 6)

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {status}" for status, n in sorted(self.counts.items()))
        cost = f"; ${self.total_cost:.2f}" if self.total_cost is not None else ""
        return f"<JobGroup {len(self.jobs)} jobs: {counts or 'empty'}{cost}>"

    def on_change(self, callback: Callable[[JobGroup], None]) -> Callable[[JobGroup], None]:
        """Call ``callback(group)`` after any job of the group changes."""
        for job in self.jobs:
            job.on_change(lambda _job: callback(self))
        return callback

    def cancel(self) -> None:
        for job in self.jobs:
            job.cancel()

    def wait(self, timeout: float | None = None, *, raise_errors: bool = True) -> JobGroup:
        """Wait for every job to end; then raise the first error (unless told not to).
        Finished jobs keep their results either way."""
        limit = get_settings().job_timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        for loop, jobs in self._by_loop().items():
            remaining = max(0.0, deadline - time.monotonic())
            try:
                runtime.run_sync(_settle_all(jobs), remaining, loop=loop)
            except TimeoutError:
                left = sum(1 for job in self.jobs if not job.done)
                raise JobTimeoutError(
                    f"{left} of {len(self.jobs)} jobs not finished after {limit:g} s;"
                    " they keep running"
                ) from None
        return self._outcome(raise_errors)

    def __await__(self) -> Generator[Any, None, JobGroup]:
        return self._wait_async().__await__()

    async def _wait_async(self, raise_errors: bool = True) -> JobGroup:
        await asyncio.gather(*(job._settled_anywhere() for job in self.jobs if not job.done))
        return self._outcome(raise_errors)

    def _by_loop(self) -> dict[asyncio.AbstractEventLoop, list[Job]]:
        out: dict[asyncio.AbstractEventLoop, list[Job]] = {}
        for job in self.jobs:
            if job._loop is not None and not job.done:
                out.setdefault(job._loop, []).append(job)
        return out

    def _outcome(self, raise_errors: bool) -> JobGroup:
        if raise_errors and self.errors:
            raise self.errors[0]
        return self


async def _settle_all(jobs: Sequence[Job]) -> None:
    await asyncio.gather(*(job._settled() for job in jobs))


# ----- entry points ---------------------------------------------------------------------------

RequestLike = VideoRequest | str | Mapping[str, Any]


def _as_request(request: RequestLike | None, fields: Mapping[str, Any]) -> VideoRequest:
    """A checked request from a VideoRequest, a prompt, or ``build()`` keyword fields."""
    if isinstance(request, VideoRequest):
        if fields:
            return request.with_changes(**fields)
        return request
    if isinstance(request, Mapping):
        return _as_request(None, {**request, **fields})
    values = dict(fields)
    if isinstance(request, str):
        if "prompt" in values:
            raise TypeError("the prompt is given twice (positional and prompt=)")
        values["prompt"] = request
    if "prompt" not in values:
        raise InvalidRequestError(
            [_problem("prompt", None, "a text prompt is required", "missingPositivePrompt")]
        )
    prompt = values.pop("prompt")
    return VideoRequest.build(prompt, **values)


def _problem(parameter: str, value: Any, allowed: str, code: str) -> Any:
    from ..errors import Problem

    return Problem(parameter, value, allowed, code)


def _unique_task_uuid(request: VideoRequest, store: Store, taken: set[str]) -> VideoRequest:
    """A task id nobody used yet: reusing one would make the API answer with the old task."""
    if request.task_uuid in taken or request.task_uuid in _live or store.task(request.task_uuid):
        return request.model_copy(update={"task_uuid": str(uuid.uuid4())})
    return request


def _launch(batch: Sequence[tuple[Job, TaskRow | None]]) -> None:
    """Start jobs in one loop callback, so that they reach the poller together and their
    submissions share one POST (one callback per job could let the poller flush between)."""
    if not batch:
        return
    loop = batch[0][0]._loop_required()
    for job, _ in batch:
        _live[job.task_uuid] = job

    def create_all() -> None:
        for job, row in batch:
            job._create_task(row)

    runtime.call_soon(loop, create_all)


def _start(requests: Sequence[VideoRequest], *, new: bool) -> list[Job]:
    ctx = _context()
    plan: list[tuple[VideoRequest, str, list[Result] | None]] = []
    for request in requests:
        fingerprint = request.fingerprint()
        found = None if new else ctx.store.find_cached(fingerprint, ctx.backend.cache_scope)
        plan.append((request, fingerprint, found[1] if found else None))
    to_send = [request for request, _, hit in plan if hit is None]
    total = round(sum(r.estimated_cost for r in to_send), 6)
    if to_send:
        session_budget.reserve(total, ctx.settings.budget_usd)
    loop = runtime.job_loop() if to_send else None
    jobs: list[Job] = []
    taken: set[str] = set()
    for request, fingerprint, hit in plan:
        if hit is not None:
            jobs.append(Job._from_cache(request, fingerprint, ctx, hit))
            continue
        request = _unique_task_uuid(request, ctx.store, taken)
        taken.add(request.task_uuid)
        job = Job(request, fingerprint=fingerprint, ctx=ctx, loop=loop)
        job._reserved = request.estimated_cost
        job.events.append((job.started_at, "queued", ""))
        jobs.append(job)
    _launch([(job, None) for job in jobs if not job.cached])
    _session.extend(jobs)
    return jobs


def generate(request: RequestLike | None = None, /, *, new: bool = False, **fields: Any) -> Job:
    """Start one video job and return it at once.

    ``generate("a fox in the snow", size="1280x720", seed=3)``, or pass a ``VideoRequest``.
    Fields are those of ``VideoRequest.build``. An invalid request raises
    ``InvalidRequestError`` before anything is sent; passing the session budget raises
    ``BudgetExceededError``. The same request again returns the stored result without any
    request to the API, unless ``new=True``.
    """
    return _start([_as_request(request, fields)], new=new)[0]


def generate_many(requests: Iterable[RequestLike], *, new: bool = False) -> JobGroup:
    """Start several jobs; their submissions share POSTs. Checked all together first."""
    return JobGroup(_start([_as_request(r, {}) for r in requests], new=new))


def seed_sweep(
    request: RequestLike, seeds: Iterable[int], *, new: bool = False, **fields: Any
) -> JobGroup:
    """The same request once per seed (one task each), to compare them side by side."""
    base = _as_request(request, fields)
    return JobGroup(_start([base.with_changes(seed=seed) for seed in seeds], new=new))


def recover(*, include_cancelled: bool = False) -> JobGroup:
    """Pick up journaled tasks that have no outcome yet (e.g. after a kernel crash).

    Returns at once with a group of jobs that poll, download and finish like new ones;
    ``.wait()`` on it. See the module docstring for the resubmission policy.
    """
    ctx = _context()
    ctx.store.sweep_temp_files()
    rows = [
        row
        for row in ctx.store.unfinished(include_cancelled=include_cancelled)
        if row.backend == ctx.backend.cache_scope and row.task_uuid not in _live
    ]
    loop = runtime.job_loop() if rows else None
    jobs = []
    started: list[tuple[Job, TaskRow | None]] = []
    for row in rows:
        try:
            request = VideoRequest.model_validate(row.request)
        except (InvalidRequestError, ValueError) as exc:
            ctx.store.finish(row.task_uuid, "failed", error_code="unreadable",
                             error_message=f"journal entry unreadable: {exc}")  # fmt: skip
            continue
        job = Job(request, fingerprint=row.fingerprint, ctx=ctx, loop=loop, status="submitted")
        job.started_at = row.created
        job._sent = row.status != "journaled"
        job.events.append((time.time(), "submitted", "recovering"))
        started.append((job, row))
        jobs.append(job)
    _launch(started)
    _session.extend(jobs)
    skipped = len(ctx.store.unfinished()) - len(jobs)
    if skipped > 0:
        log.info("recover: %d task(s) belong to another backend or are running here", skipped)
    return JobGroup(jobs)


async def arecover(*, include_cancelled: bool = False) -> JobGroup:
    """``recover()`` and wait for every recovered job (errors stay on the jobs)."""
    group = recover(include_cancelled=include_cancelled)
    return await group._wait_async(raise_errors=False)


def history(
    limit: int = 50,
    *,
    text: str | None = None,
    since: float | None = None,
    max_cost: float | None = None,
) -> list[HistoryItem]:
    """Finished jobs of the media folder, newest first (for a gallery)."""
    store = Store.open(get_settings().media_dir)
    return store.history_entries(limit, text=text, since=since, max_cost=max_cost)


def live_jobs() -> list[Job]:
    """Unfinished jobs of this process."""
    return list(_live.values())


def session_jobs() -> list[Job]:
    """Every job this process started (cached ones included), oldest first."""
    return list(_session)


def shutdown_quietly() -> None:
    """Stop the private loop's work (``%unload_ext``); journaled tasks stay recoverable.
    Jobs on a kernel's own loop keep running: they belong to the kernel."""
    runtime.shutdown()
