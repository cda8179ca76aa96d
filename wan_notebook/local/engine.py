"""The local engine's core: task store, generation state machine, render pool, credit, stats.

No HTTP here: ``Engine.run(tasks, base_url)`` takes the decoded JSON array of one ``POST /v1``
and returns the answer (``data``, ``errors``, HTTP status). ``server.py`` wraps it.

A ``videoInference`` task is checked with ``rules.problems`` (the one set of Wan 2.6 rules),
acknowledged at once, and split into ``numberResults`` generations that render in a thread
pool (PyAV releases the GIL while encoding). A generation reads ``processing`` for at least
``delay`` seconds after the submit and until its file is written, then ``success`` (or
``error``). Status and progress are computed when asked, from the clock and the renderer's
progress, so polling costs no work in the pool. Deliveries (webhook, uploadEndpoint) and
ttl expiry run on a small scheduler thread at the moment a result becomes visible.

``getTaskDetails`` (Runware's "Task details") answers the task as it was sent and the
engine's answer for it: its generations as a poll shows them now, or the errors it was
refused with; a taskUUID never sent is an error ``taskNotFound`` naming it.

Beside it: ``_config`` (knobs), ``_tasks`` (a task, its generations, its RenderSpec),
``_answers`` (the API's error and answer format), ``_uploads`` (upload tasks), ``_tiny``
(tiny render mode), ``_scheduler`` and ``_stats``.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
import uuid as uuidlib
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, Final

from pydantic import ValidationError

from .._version import __version__
from ..errors import InputError, InvalidRequestError
from ..request import catalog, rules
from ..request.models import VideoRequest
from ._answers import (
    Answer,
    Items,
    conflict_error,
    credit_error,
    details_item,
    error_item,
    failed_item,
    http_status,
    problem_error,
    processing_item,
    success_item,
    task_not_found_error,
    unsupported_task_error,
)
from ._config import ENGINE_NAME, ENGINE_NOTE, EngineConfig, Renderer
from ._scheduler import Scheduler
from ._stats import Stats
from ._tasks import Generation, Refusals, Task, fetch_inputs, names_input, spec_for
from ._tiny import render_tiny, small_spec
from ._uploads import media_task
from .delivery import Deliverer
from .faults import FaultPolicy
from .render import RenderSpec, render
from .storage import Storage

log = logging.getLogger(__name__)

SEED_SPACE: Final = catalog.SEED_MAX + 1
TASK_TYPES: Final = (
    "authentication",
    "videoInference",
    "getResponse",
    "getTaskDetails",
    "imageUpload",
    "mediaStorage",
    "ping",
)


class _Closing(Exception):
    """Raised from the progress callback to abort renders when the engine stops."""


class Engine:
    """The Runware-compatible task processor behind the local server."""

    def __init__(self, config: EngineConfig, *, renderer: Renderer | None = None) -> None:
        self.config = config
        self.stats = Stats()
        self.faults = FaultPolicy(config.faults)
        self._scheduler = Scheduler()
        self.storage = Storage(
            config.media_dir,
            schedule=self._scheduler.at,
            ttl_scale=config.ttl_scale,
            fetch_timeout=config.fetch_timeout,
        )
        self._deliverer = Deliverer(self.stats.count)
        workers = config.workers or os.cpu_count() or 2
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wan-render")
        self._render = renderer or render
        self._lock = threading.Lock()
        self._tasks: dict[str, Task] = {}
        self._refused = Refusals()
        self._credit = config.credit
        self._seed_rng = random.Random()
        self._closing = False
        self.started = time.time()

    # ----- the request ---------------------------------------------------------------------

    def run(self, tasks: list[Any], base_url: str) -> Answer:
        """Answer one request's task array; ``base_url`` is ``http://host:port`` for URLs."""
        polls = sum(
            1 for t in tasks if isinstance(t, Mapping) and t.get("taskType") == "getResponse"
        )
        if polls > 1 and self.faults.config.reject_batched_get_response:
            err = error_item(
                "unsupportedBatch",
                "send one getResponse task per request",
                parameter="taskType",
                task_type="getResponse",
            )
            return Answer([], [err], 400)
        data: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for task in tasks:
            if not isinstance(task, Mapping):
                errors.append(error_item("invalidTask", "each task must be a JSON object"))
                continue
            task_type = task.get("taskType")
            self.stats.task(str(task_type))
            items, errs = self._dispatch(task, str(task_type), base_url)
            data += items
            errors += errs
        return Answer(data, errors, http_status(data, errors))

    def _dispatch(self, task: Mapping[str, Any], task_type: str, base_url: str) -> Items:
        task_uuid = task.get("taskUUID")
        if task_type == "authentication":  # the key was checked by the HTTP layer
            return [
                {"taskType": "authentication", "connectionSessionUUID": str(uuidlib.uuid4())}
            ], []
        if task_type == "ping":
            return [{"taskType": "ping", "pong": True}], []
        if task_type == "videoInference":
            return self._submit(task, base_url)
        if task_type == "getResponse":
            return self._poll(task_uuid, base_url)
        if task_type == "getTaskDetails":
            return self._details(task_uuid, base_url)
        if task_type in ("imageUpload", "mediaStorage"):
            return media_task(self.storage, task, task_type, base_url)
        return [], [unsupported_task_error(task_type, task_uuid, TASK_TYPES)]

    # ----- videoInference --------------------------------------------------------------------

    def _submit(self, task: Mapping[str, Any], base_url: str) -> Items:
        items, errors = self._take(task, base_url)
        self._refused.add(task, errors)
        return items, errors

    def _take(self, task: Mapping[str, Any], base_url: str) -> Items:
        task_uuid = task.get("taskUUID")
        if isinstance(task_uuid, str):
            self.stats.submit(task_uuid)
        problems = rules.problems(task, allow_local=False)
        if problems:
            return [], [problem_error(p, task_uuid) for p in problems]
        try:
            request = VideoRequest.model_validate(dict(task))
        except (InvalidRequestError, ValidationError) as exc:  # rules and model disagree: a bug
            return [], [
                error_item(
                    "invalidRequest",
                    str(exc).splitlines()[0],
                    task_type="videoInference",
                    task_uuid=task_uuid,
                )
            ]
        assert isinstance(task_uuid, str)  # rules checked it is a UUID v4
        price = catalog.price(request.tier, request.seconds, request.results)
        now = time.monotonic()
        with self._lock:
            if task_uuid in self._tasks:
                return [], [conflict_error(task_uuid)]
            if self._credit is not None and self._credit + 1e-9 < price:
                return [], [credit_error(price, self._credit, task_uuid)]
            if self._credit is not None:
                self._credit = round(self._credit - price, 6)
            seeds = self._seeds(request)
            faults = self.faults.config
            record = Task(
                uuid=task_uuid,
                request=request,
                sent=dict(task),
                submitted=now,
                ready_at=now + self.config.delay,
                base_url=base_url,
                generations=[Generation(i, s) for i, s in enumerate(seeds)],
                knobs={"flicker": faults.flicker, "av_offset_ms": faults.av_offset_ms},
            )
            self._tasks[task_uuid] = record
        for gen in record.generations:
            if self.faults.task_fails():
                self.stats.fault("task_fail")
                self._finish(
                    record, gen, error=("inferenceError", "the generation failed (injected fault)")
                )
        self._spawn(self._prepare, record)
        return [{"taskType": "videoInference", "taskUUID": task_uuid}], []

    def _spawn(self, job: Callable[..., None], *args: Any) -> None:
        try:
            self._pool.submit(job, *args)
        except RuntimeError:  # the pool is shut down: the engine is stopping
            if not self._closing:
                raise

    def _seeds(self, request: VideoRequest) -> list[int]:
        if request.seed is None:
            return [self._seed_rng.randrange(SEED_SPACE) for _ in range(request.results)]
        return [(request.seed + i) % SEED_SPACE for i in range(request.results)]

    def _prepare(self, record: Task) -> None:
        """Pool job: fetch/decode inputs once per task, then one render job per generation."""
        pending = [g for g in record.generations if g.finished_at is None]
        if not pending or self._closing:
            return
        try:
            inputs = fetch_inputs(self.storage, record.request)
            spec = replace(spec_for(record.request, inputs), **record.knobs)
        except InputError as exc:
            for gen in pending:
                self._finish(record, gen, error=(exc.code, f"{exc.parameter}: {exc.message}"))
            return
        except Exception as exc:  # noqa: BLE001 (an unreadable input fails the task, not the pool)
            for gen in pending:
                self._finish(
                    record, gen, error=("invalidMediaInput", f"{type(exc).__name__}: {exc}")
                )
            return
        for gen in pending:
            self._spawn(self._render_one, record, gen, replace(spec, seed=gen.seed))

    def _render_one(self, record: Task, gen: Generation, spec: RenderSpec) -> None:
        if self._closing:
            return
        video_uuid = str(uuidlib.uuid4())
        ext, mime = catalog.FORMATS[record.fmt]
        path = self.storage.result_path(video_uuid, ext)
        started = time.monotonic()
        gen.render_started = started

        def progress(fraction: float) -> None:
            if self._closing:
                raise _Closing
            gen.fraction = fraction

        try:
            if self.config.render_mode == "tiny":
                render_tiny(self._render, spec, path, self.storage.cache_dir, progress)
            else:
                small = self.config.render_mode == "small"
                info = self._render(small_spec(spec) if small else spec, path, progress=progress)
                gen.plan = getattr(info, "plan", None) or None
        except _Closing:
            return
        except Exception as exc:  # noqa: BLE001 (a failed render fails its generation only)
            log.warning("render failed: %s", exc)
            code = "invalidMediaInput" if names_input(exc) else "inferenceError"
            self._finish(record, gen, error=(code, f"rendering failed: {exc}"))
            return
        self.stats.rendered(time.monotonic() - started)
        ttl = record.request.ttl
        self.storage.add(
            video_uuid,
            path,
            mime,
            ttl=ttl,
            ttl_from=max(time.monotonic(), record.ready_at),
        )
        gen.video_uuid = video_uuid
        gen.fraction = 1.0
        self._finish(record, gen)

    def _finish(
        self, record: Task, gen: Generation, *, error: tuple[str, str] | None = None
    ) -> None:
        with self._lock:
            if gen.finished_at is not None:
                return
            gen.error = error
            gen.finished_at = time.monotonic()
        self.stats.count("generations_failed" if error else "generations_rendered")
        self._scheduler.at(
            max(gen.finished_at, record.ready_at), lambda: self._deliver(record, gen)
        )

    def _deliver(self, record: Task, gen: Generation) -> None:
        request = record.request
        if request.webhook_url:
            item = self._item(record, gen, time.monotonic(), record.base_url)
            is_error = gen.error is not None and self.faults.config.error_shape == "errors"
            self._deliverer.webhook(request.webhook_url, {"errors" if is_error else "data": [item]})
        if request.upload_endpoint and gen.video_uuid is not None:
            stored = self.storage.by_uuid(gen.video_uuid)
            if stored is not None:
                self._deliverer.upload(request.upload_endpoint, stored.path, stored.mime)

    # ----- getResponse -----------------------------------------------------------------------

    def _poll(self, task_uuid: Any, base_url: str) -> Items:
        with self._lock:
            record = self._tasks.get(task_uuid) if isinstance(task_uuid, str) else None
        if record is None:
            return [], [task_not_found_error(task_uuid)]
        now = time.monotonic()
        data: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for gen in record.generations:
            item = self._item(record, gen, now, base_url)
            if item.get("status") == "error" and "code" in item:
                errors.append(item)
            else:
                data.append(item)
        return data, errors

    def _details(self, task_uuid: Any, base_url: str) -> Items:
        with self._lock:
            record = self._tasks.get(task_uuid) if isinstance(task_uuid, str) else None
        refused = self._refused.get(task_uuid)
        if record is not None:
            data, errors = self._poll(task_uuid, base_url)
            return [details_item(task_uuid, record.sent, data, errors)], []
        if refused is not None:
            sent, errors = refused
            return [details_item(task_uuid, sent, [], errors)], []
        return [], [task_not_found_error(task_uuid, task_type="getTaskDetails")]

    def _item(self, record: Task, gen: Generation, now: float, base_url: str) -> dict[str, Any]:
        """One generation as a poll item: processing, success or error."""
        with self._lock:
            finished, error, video_uuid = gen.finished_at, gen.error, gen.video_uuid
        if finished is None or now < record.ready_at:
            progress = self._progress(record, gen, now) if self.config.progress else None
            return processing_item(record, gen, progress)
        if error is not None:
            return failed_item(record, gen, error, nested=self.faults.config.error_shape == "data")
        mode = self.config.render_mode
        return success_item(record, gen, video_uuid, base_url, render_mode=mode, plan=gen.plan)

    def _progress(self, record: Task, gen: Generation, now: float) -> int:
        delay = self.config.delay
        timed = min(1.0, (now - record.submitted) / delay) if delay > 0 else 1.0
        done = 1.0 if gen.finished_at is not None else gen.fraction
        return min(99, int(100 * min(timed, done)))

    # ----- engine-level ----------------------------------------------------------------------

    def stats_snapshot(self) -> dict[str, Any]:
        out = self.stats.snapshot()
        with self._lock:
            live = sum(
                1 for t in self._tasks.values() for g in t.generations if g.finished_at is None
            )
            stored = len(self._tasks)
            credit = self._credit
        out.update(
            generations_active=live,
            tasks_stored=stored,
            credit=credit,
            render_mode=self.config.render_mode,
            delay=self.config.delay,
            faults_pending=self.faults.remaining(),
            uptime=round(time.time() - self.started, 3),
        )
        return out

    def health(self) -> dict[str, Any]:
        return {
            "ok": True,
            "engine": ENGINE_NAME,
            "version": __version__,
            "note": ENGINE_NOTE,
            "render_mode": self.config.render_mode,
        }

    def close(self) -> None:
        """Stop rendering (running renders abort at their next frame) and free everything."""
        self._closing = True
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._scheduler.close()
        self._deliverer.close()
        self.storage.close()
