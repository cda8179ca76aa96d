"""The entry points: start jobs (``generate``, ``generate_many``, ``seed_sweep``), pick up
the journal's unfinished tasks (``recover``), and list or stop this session's jobs.

Starting checks everything before anything is sent: the requests (``InvalidRequestError``),
then the result cache (a hit is a finished job; nothing is sent), then the session budget
for the rest, all or none (``BudgetExceededError``). The jobs then run on the private event
loop of ``runtime.job_loop()`` (whatever thread or loop calls): ``_launch`` hands them over
in one thread-safe callback, so their submissions reach the poller together and share POSTs.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from ..errors import InvalidRequestError
from ..request.models import VideoRequest
from ..settings import get_settings
from ..store import Result, Store, TaskRow
from . import _loop as runtime
from ._context import Context
from ._foreign import ForeignJob, in_flight_elsewhere
from ._group import JobGroup
from ._job import Job
from ._lease import stale_s
from ._session import current

__all__ = [
    "RequestLike",
    "arecover",
    "generate",
    "generate_many",
    "live_jobs",
    "recover",
    "seed_sweep",
    "session_jobs",
    "shutdown_quietly",
]

log = logging.getLogger("wan_notebook.jobs")

RequestLike = VideoRequest | str | Mapping[str, Any]
_ENDED: Final = ("failed", "cancelled")  # their owner stopped following them


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
    _check_iterable(requests, "requests")
    return JobGroup(_start([_as_request(r, {}) for r in requests], new=new))


def seed_sweep(
    request: RequestLike, seeds: Iterable[int], *, new: bool = False, **fields: Any
) -> JobGroup:
    """The same request once per seed (one task each), to compare them side by side."""
    _check_iterable(seeds, "seeds")
    base = _as_request(request, fields)
    return JobGroup(_start([base.with_changes(seed=seed) for seed in seeds], new=new))


def recover(*, include_cancelled: bool = False) -> JobGroup:
    """Pick up journaled tasks that have no outcome yet (e.g. after a kernel crash).

    Returns at once with a group of jobs that poll, download and finish like new ones;
    ``.wait()`` on it. See ``jobs._job``'s docstring for the resubmission policy.
    """
    session = current()
    ctx = session.context()
    ctx.store.sweep_temp_files()
    live = {job.task_uuid for job in session.live()}
    stale = stale_s(ctx.settings)
    # Only tasks no live kernel follows: a claim takes a task from an owner that is gone.
    rows = [
        row
        for row in ctx.store.unfinished(include_cancelled=include_cancelled)
        if row.backend == ctx.backend.cache_scope
        and row.task_uuid not in live
        and ctx.store.claim(row.task_uuid, stale_s=stale, ended=row.status in _ENDED)
    ]
    loop = runtime.job_loop() if rows else None
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
    jobs = [job for job, _ in started]
    session.jobs.extend(jobs)
    _launch(started)
    skipped = len(ctx.store.unfinished()) - len(jobs)
    if skipped > 0:
        log.info("recover: %d task(s) belong to another backend or a live kernel", skipped)
    return JobGroup(jobs)


async def arecover(*, include_cancelled: bool = False) -> JobGroup:
    """``recover()`` and wait for every recovered job (errors stay on the jobs)."""
    group = recover(include_cancelled=include_cancelled)
    return await group._wait_async(raise_errors=False)


def live_jobs() -> list[Job]:
    """Unfinished jobs of this process."""
    return current().live()


def session_jobs() -> list[Job]:
    """Every job this process started (cached ones included), oldest first."""
    return list(current().jobs)


def shutdown_quietly() -> None:
    """Stop the jobs' loop and its work (``%unload_ext``): jobs still running stop where
    they are; their journaled tasks stay recoverable (``recover()``)."""
    runtime.shutdown()


# ----- starting -----------------------------------------------------------------------------------


def _start(requests: Sequence[VideoRequest], *, new: bool) -> list[Job]:
    session = current()
    ctx = session.context()
    scope = ctx.backend.cache_scope
    # A request equal to one in flight here joins that job: sending it again would pay twice.
    flying = {} if new else {j.fingerprint: j for j in session.live() if _scope(j) == scope}
    plan: list[tuple[VideoRequest, str, list[Result] | None]] = []
    for request in requests:
        fingerprint = request.fingerprint()
        found = None
        if not new and fingerprint not in flying:
            found = ctx.store.find_cached(fingerprint, scope)
        plan.append((request, fingerprint, found[1] if found else None))
    joining = {f for r, f, hit in plan if hit is None and f in flying}
    unsent = [(r, f) for r, f, hit in plan if hit is None and f not in joining]
    # Across kernels: one that another live kernel has in flight is waited for (_foreign).
    waiting = {} if new else in_flight_elsewhere(ctx, [f for _, f in unsent])
    to_send = _first_of_each([(r, f) for r, f in unsent if f not in waiting])
    total = round(sum(r.estimated_cost for r in to_send), 6)
    if to_send:
        ctx.budget.reserve(total, ctx.settings.budget_usd)
    loop = runtime.job_loop() if to_send or waiting else None
    jobs: list[Job] = []
    taken = {job.task_uuid for job in session.live()}
    created: list[Job] = []
    for request, fingerprint, hit in plan:
        if hit is not None:
            created.append(_cached(request, fingerprint, ctx, hit))
            jobs.append(created[-1])
            continue
        if fingerprint in flying:
            joined = flying[fingerprint]
            joined.events.append((time.time(), joined.status, "the same request again: joined"))
            jobs.append(joined)
            continue
        if fingerprint in waiting:
            flying[fingerprint] = ForeignJob(request, waiting[fingerprint], ctx=ctx, loop=loop)
            created.append(flying[fingerprint])
            jobs.append(created[-1])
            continue
        request = _unique_task_uuid(request, ctx.store, taken)
        taken.add(request.task_uuid)
        job = Job(request, fingerprint=fingerprint, ctx=ctx, loop=loop)
        job._reserved = request.estimated_cost
        job.events.append((job.started_at, "queued", ""))
        flying[fingerprint] = job  # a twin later in this batch joins it
        created.append(job)
        jobs.append(job)
    session.jobs.extend(created)
    _launch([(job, None) for job in created if not job.cached])
    return jobs


def _first_of_each(pairs: Sequence[tuple[VideoRequest, str]]) -> list[VideoRequest]:
    """One request per fingerprint: twins in one batch are one task."""
    seen: dict[str, VideoRequest] = {}
    for request, fingerprint in pairs:
        seen.setdefault(fingerprint, request)
    return list(seen.values())


def _launch(batch: Sequence[tuple[Job, TaskRow | None]]) -> None:
    """Start jobs in one loop callback, so that they reach the poller together and their
    submissions share one POST (one callback per job could let the poller flush between)."""
    if not batch:
        return
    loop = batch[0][0]._loop_required()

    def create_all() -> None:
        for job, row in batch:
            job._create_task(row)

    runtime.call_soon(loop, create_all)


def _cached(request: VideoRequest, fingerprint: str, ctx: Context, results: list[Result]) -> Job:
    """A finished job from the result cache: nothing is sent."""
    job = Job(request, fingerprint=fingerprint, ctx=ctx, loop=None, status="done")
    job.results = list(results)
    job.task_uuid = results[0].task_uuid if results else request.task_uuid
    job.cached = True
    job.finished_at = job.started_at
    job.events.append((job.started_at, "done", "from the cache: nothing was sent"))
    job.detail = "from the cache: nothing was sent"
    return job


def _unique_task_uuid(request: VideoRequest, store: Store, taken: set[str]) -> VideoRequest:
    """A task id nobody used yet: reusing one would make the API answer with the old task."""
    if request.task_uuid in taken or store.task(request.task_uuid):
        return request.model_copy(update={"task_uuid": str(uuid.uuid4())})
    return request


# ----- what callers pass -------------------------------------------------------------------------


def _as_request(request: RequestLike | None, fields: Mapping[str, Any]) -> VideoRequest:
    """A checked, explicitly sized request from what a caller passed (``VideoRequest.coerce``:
    a VideoRequest, a prompt, the API's JSON or flag-style fields)."""
    if request is not None and not isinstance(request, VideoRequest | str | Mapping):
        raise TypeError(
            "request must be a VideoRequest, a prompt, the API's JSON or a mapping of fields,"
            f" not {type(request).__name__}"
        )
    if isinstance(request, str) and "prompt" in fields:
        raise TypeError("the prompt is given twice (positional and prompt=)")
    default = get_settings().default_resolution
    return VideoRequest.coerce(request, default_resolution=default, **fields)


def _check_iterable(value: object, name: str) -> None:
    if not isinstance(value, Iterable) or isinstance(value, str | bytes | Mapping | VideoRequest):
        raise TypeError(f"{name} must be an iterable, not {type(value).__name__}")


def _scope(job: Job) -> str:
    return job._ctx.backend.cache_scope
