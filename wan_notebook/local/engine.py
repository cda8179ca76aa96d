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
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import random
import threading
import time
import uuid as uuidlib
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import ValidationError

from .._version import __version__
from ..errors import InputError, InvalidRequestError, Problem
from ..request import catalog, rules
from ..request.models import VideoRequest
from .delivery import Deliverer
from .faults import FaultConfig, FaultPolicy
from .render import FORMAT_EXT, FORMAT_MIME, RenderSpec, render
from .storage import Storage

log = logging.getLogger(__name__)

RenderMode = Literal["full", "tiny"]
Renderer = Callable[..., object]  # render(spec, out_path, *, progress=...)

ENGINE_NAME: Final = "wan-notebook local engine"
ENGINE_NOTE: Final = "local preview engine — not Wan 2.6"
DOCS: Final = "https://runware.ai/docs/models/alibaba-wan2-6"
PLATFORM_DOCS: Final = "https://runware.ai/docs/platform"
# Tiny mode's fixed size: small enough to be cheap, large enough for the preview label.
TINY_SIZE: Final = (256, 144)
SEED_SPACE: Final = catalog.SEED_MAX + 1
# Tiny-mode clips, shared by every engine of the process (content is irrelevant there).
_TINY_CACHE: dict[tuple[object, str, int], bytes] = {}
_TINY_KEY_LOCKS: dict[tuple[object, str, int], threading.Lock] = {}
_TINY_LOCK = threading.Lock()
TASK_TYPES: Final = (
    "authentication",
    "videoInference",
    "getResponse",
    "imageUpload",
    "mediaStorage",
    "ping",
)


@dataclass(frozen=True)
class EngineConfig:
    """Every knob of one engine. The key is kept out of the repr."""

    api_key: str = field(repr=False)
    delay: float = 3.0  # minimum seconds a generation reads "processing"
    workers: int | None = None  # render threads; None = os.cpu_count()
    credit: float | None = None  # USD balance; None = unlimited
    render_mode: RenderMode = "full"
    progress: bool = True  # send the progress field on processing items
    ttl_scale: float = 1.0  # multiply every ttl (tests use 0.01 instead of waiting 60 s)
    media_dir: Path | None = None  # None = a temporary folder removed at close
    fetch_timeout: float = 5.0  # seconds per input URL fetch
    faults: FaultConfig = field(default_factory=FaultConfig)

    def __post_init__(self) -> None:
        if self.delay < 0 or self.ttl_scale <= 0 or self.fetch_timeout <= 0:
            raise ValueError("delay must be >= 0; ttl_scale and fetch_timeout > 0")
        if self.render_mode not in ("full", "tiny"):
            raise ValueError("render_mode: 'full' or 'tiny'")
        if self.workers is not None and self.workers < 1:
            raise ValueError("workers must be >= 1")


@dataclass(frozen=True)
class Answer:
    """One ``POST /v1`` answer before encoding."""

    data: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    status: int

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.data or not self.errors:
            out["data"] = self.data
        if self.errors:
            out["errors"] = self.errors
        return out


def error_item(
    code: str,
    message: str,
    *,
    parameter: str | None = None,
    task_type: str | None = None,
    task_uuid: Any = None,
    allowed_values: tuple[Any, ...] | list[Any] | None = None,
    documentation: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An error object in the API's format (fields that are unknown are left out)."""
    item: dict[str, Any] = {"code": code, "message": message}
    if parameter is not None:
        item["parameter"] = parameter
    if task_type is not None:
        item["taskType"] = task_type
    if isinstance(task_uuid, str):
        item["taskUUID"] = task_uuid
    if allowed_values is not None:
        item["allowedValues"] = list(allowed_values)
    item["documentation"] = documentation or doc_url(parameter)
    item.update(extra)
    return item


def doc_url(parameter: str | None) -> str:
    """Runware's doc URL of a parameter: ``inputs.audio`` -> ``...#request-inputs-audio``."""
    if not parameter:
        return f"{PLATFORM_DOCS}/errors"
    anchor = parameter.split("[", 1)[0].replace(".", "-").lower()
    return f"{DOCS}#request-{anchor}"


# ----- helpers: scheduler and stats --------------------------------------------------------


class Scheduler:
    """Runs short callbacks at monotonic times on one daemon thread."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._cond = threading.Condition()
        self._seq = itertools.count()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="wan-scheduler", daemon=True)
        self._thread.start()

    def at(self, when: float, callback: Callable[[], None]) -> None:
        with self._cond:
            heapq.heappush(self._heap, (when, next(self._seq), callback))
            self._cond.notify()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._closed:
                    now = time.monotonic()
                    if self._heap and self._heap[0][0] <= now:
                        break
                    self._cond.wait(self._heap[0][0] - now if self._heap else None)
                if self._closed:
                    return
                _, _, callback = heapq.heappop(self._heap)
            try:
                callback()
            except Exception:  # one bad callback must not stop every later delivery
                log.exception("scheduled callback failed")

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout=2)


class Stats:
    """Counters for tests and benchmarks (``GET /_engine/stats``)."""

    COUNTERS: Final = (
        "http_requests",
        "downloads",
        "webhooks_sent",
        "webhooks_failed",
        "uploads_put",
        "uploads_failed",
        "generations_rendered",
        "generations_failed",
    )

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._tasks: Counter[str] = Counter()
        self._submits: Counter[str] = Counter()
        self._faults: Counter[str] = Counter()
        self._render_seconds = 0.0

    def count(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._counts[name] += n

    def task(self, task_type: str) -> None:
        with self._lock:
            self._tasks[task_type] += 1

    def submit(self, task_uuid: str) -> None:
        with self._lock:
            self._submits[task_uuid] += 1

    def fault(self, kind: str) -> None:
        with self._lock:
            self._faults[kind] += 1

    def rendered(self, seconds: float) -> None:
        with self._lock:
            self._render_seconds += seconds

    def reset(self) -> None:
        with self._lock:
            for counter in (self._counts, self._tasks, self._submits, self._faults):
                counter.clear()
            self._render_seconds = 0.0

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            out: dict[str, Any] = {name: self._counts[name] for name in self.COUNTERS}
            out.update(
                tasks=dict(self._tasks),
                submits_by_uuid=dict(self._submits),
                faults=dict(self._faults),
                render_seconds=round(self._render_seconds, 3),
            )
        return out


# ----- tasks and generations ---------------------------------------------------------------


@dataclass
class Generation:
    index: int
    seed: int
    fraction: float = 0.0  # render progress 0..1
    finished_at: float | None = None  # monotonic, once rendered or failed
    video_uuid: str | None = None
    error: tuple[str, str] | None = None  # (code, message)
    render_started: float | None = None


@dataclass
class Task:
    uuid: str
    request: VideoRequest
    submitted: float  # monotonic
    ready_at: float  # the earliest moment a result is shown
    base_url: str  # scheme://host the submit came in on, for URLs in webhooks
    generations: list[Generation]

    @property
    def fmt(self) -> str:
        return self.request.output_format or "MP4"


@dataclass(frozen=True)
class _Inputs:
    first_frame: Path | None = None
    reference_videos: tuple[Path, ...] = ()
    audio: Path | None = None


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
        return Answer(data, errors, _status(data, errors))

    def _dispatch(
        self, task: Mapping[str, Any], task_type: str, base_url: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
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
        if task_type in ("imageUpload", "mediaStorage"):
            return self._media_task(task, task_type, base_url)
        err = error_item(
            "unsupportedTaskType",
            f"taskType {task_type!r} is not supported here",
            parameter="taskType",
            task_type=task_type,
            task_uuid=task_uuid,
            allowed_values=TASK_TYPES,
            documentation=f"{PLATFORM_DOCS}/errors",
        )
        return [], [err]

    # ----- videoInference --------------------------------------------------------------------

    def _submit(
        self, task: Mapping[str, Any], base_url: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        task_uuid = task.get("taskUUID")
        if isinstance(task_uuid, str):
            self.stats.submit(task_uuid)
        problems = rules.problems(task, allow_local=False)
        if problems:
            return [], [_problem_error(p, task_uuid) for p in problems]
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
                return [], [
                    error_item(
                        "conflictTaskUUID",
                        "a task with this taskUUID was already submitted",
                        parameter="taskUUID",
                        task_type="videoInference",
                        task_uuid=task_uuid,
                    )
                ]
            if self._credit is not None and self._credit + 1e-9 < price:
                return [], [_credit_error(price, self._credit, task_uuid)]
            if self._credit is not None:
                self._credit = round(self._credit - price, 6)
            seeds = self._seeds(request)
            record = Task(
                uuid=task_uuid,
                request=request,
                submitted=now,
                ready_at=now + self.config.delay,
                base_url=base_url,
                generations=[Generation(i, s) for i, s in enumerate(seeds)],
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
            inputs = self._inputs(record.request)
            spec = self._spec(record.request, inputs)
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

    def _inputs(self, request: VideoRequest) -> _Inputs:
        raw = request.inputs
        if raw is None:
            return _Inputs()
        frame = request.frame_image
        first = self.storage.materialize(frame, "image", "inputs.frameImages[0]") if frame else None
        refs = tuple(
            self.storage.materialize(v, "video", f"inputs.referenceVideos[{i}]")
            for i, v in enumerate(raw.reference_videos or ())
        )
        audio = self.storage.materialize(raw.audio, "audio", "inputs.audio") if raw.audio else None
        return _Inputs(first, refs, audio)

    def _spec(self, request: VideoRequest, inputs: _Inputs) -> RenderSpec:
        if request.width is not None and request.height is not None:
            width, height = request.width, request.height
        else:  # a resolution preset (or a frame image alone) takes its aspect from the input
            aspect = catalog.DEFAULT_ASPECT
            shape = _image_size(inputs.first_frame) if inputs.first_frame else None
            if shape is None and inputs.reference_videos:
                shape = _video_size(inputs.reference_videos[0])
            if shape is not None:
                aspect = catalog.nearest_aspect(*shape)
            width, height = catalog.size_for(request.tier, aspect)
        alibaba = request.alibaba
        audio = True if inputs.audio else (alibaba.audio if alibaba.audio is not None else True)
        return RenderSpec(
            width=width,
            height=height,
            duration=float(request.seconds),
            fmt=request.output_format or "MP4",
            quality=request.output_quality or 95,
            prompt=request.positive_prompt,
            negative_prompt=request.negative_prompt or "",
            shot_type=alibaba.shot_type or "single",
            audio=audio,
            audio_input=inputs.audio,
            first_frame=inputs.first_frame,
            reference_videos=inputs.reference_videos,
            fps=catalog.LOCAL_FPS,
        )

    def _render_one(self, record: Task, gen: Generation, spec: RenderSpec) -> None:
        if self._closing:
            return
        video_uuid = str(uuidlib.uuid4())
        path = self.storage.result_path(video_uuid, FORMAT_EXT[spec.fmt])
        started = time.monotonic()
        gen.render_started = started

        def progress(fraction: float) -> None:
            if self._closing:
                raise _Closing
            gen.fraction = fraction

        try:
            if self.config.render_mode == "tiny":
                self._render_tiny(spec, path, progress)
            else:
                self._render(spec, path, progress=progress)
        except _Closing:
            return
        except Exception as exc:  # noqa: BLE001 (a failed render fails its generation only)
            log.warning("render failed: %s", exc)
            code = "invalidMediaInput" if _names_input(exc) else "inferenceError"
            self._finish(record, gen, error=(code, f"rendering failed: {exc}"))
            return
        self.stats.rendered(time.monotonic() - started)
        ttl = record.request.ttl
        self.storage.add(
            video_uuid,
            path,
            FORMAT_MIME[spec.fmt],
            ttl=ttl,
            ttl_from=max(time.monotonic(), record.ready_at),
        )
        gen.video_uuid = video_uuid
        gen.fraction = 1.0
        self._finish(record, gen)

    def _render_tiny(self, spec: RenderSpec, path: Path, progress: Callable[[float], None]) -> None:
        """Load tests only: one small clip per format and duration, rendered once per process."""
        key = (self._render, spec.fmt, round(spec.duration))
        with _TINY_LOCK:
            lock = _TINY_KEY_LOCKS.setdefault(key, threading.Lock())
        with lock:
            data = _TINY_CACHE.get(key)
            if data is None:
                tiny = RenderSpec(*TINY_SIZE, duration=spec.duration, fmt=spec.fmt, prompt="tiny")
                scratch = self.storage.cache_dir / f"tiny-{key[2]}s{FORMAT_EXT[spec.fmt]}"
                self._render(tiny, scratch, progress=progress)
                data = _TINY_CACHE[key] = scratch.read_bytes()
                scratch.unlink()
        path.write_bytes(data)  # indexed (so served) only after this returns

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

    def _poll(
        self, task_uuid: Any, base_url: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        with self._lock:
            record = self._tasks.get(task_uuid) if isinstance(task_uuid, str) else None
        if record is None:
            return [], [
                error_item(
                    "taskNotFound",
                    "no task with this taskUUID",
                    parameter="taskUUID",
                    task_type="getResponse",
                    task_uuid=task_uuid,
                )
            ]
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

    def _item(self, record: Task, gen: Generation, now: float, base_url: str) -> dict[str, Any]:
        """One generation as a poll item: processing, success or error."""
        head = {"taskType": "videoInference", "taskUUID": record.uuid}
        with self._lock:
            finished, error, video_uuid = gen.finished_at, gen.error, gen.video_uuid
        if finished is None or now < record.ready_at:
            item = {**head, "status": "processing", "resultIndex": gen.index}
            if self.config.progress:
                item["progress"] = self._progress(record, gen, now)
            return item
        if error is not None:
            code, message = error
            if self.faults.config.error_shape == "data":
                return {
                    **head,
                    "status": "error",
                    "resultIndex": gen.index,
                    "error": {"code": code, "message": message},
                }
            return error_item(
                code,
                message,
                task_type="videoInference",
                task_uuid=record.uuid,
                status="error",
                resultIndex=gen.index,
            )
        item = {
            **head,
            "status": "success",
            "videoUUID": video_uuid,
            "videoURL": f"{base_url}/media/{video_uuid}{FORMAT_EXT[record.fmt]}",
            "seed": gen.seed,
            "resultIndex": gen.index,
        }
        if record.request.include_cost:
            item["cost"] = catalog.price(record.request.tier, record.request.seconds)
        if self.config.render_mode == "tiny":
            item["localRenderMode"] = "tiny"
        return item

    def _progress(self, record: Task, gen: Generation, now: float) -> int:
        delay = self.config.delay
        timed = min(1.0, (now - record.submitted) / delay) if delay > 0 else 1.0
        done = 1.0 if gen.finished_at is not None else gen.fraction
        return min(99, int(100 * min(timed, done)))

    # ----- uploads -----------------------------------------------------------------------------

    def _media_task(
        self, task: Mapping[str, Any], task_type: str, base_url: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        task_uuid = task.get("taskUUID")
        head = {"taskType": task_type, "taskUUID": task_uuid}
        try:
            if task_type == "imageUpload":
                stored = self.storage.upload(task.get("image"), ("image",), "image")
                return [
                    {
                        **head,
                        "imageUUID": stored.uuid,
                        "imageURL": f"{base_url}/media/{stored.name}",
                    }
                ], []
            operation = task.get("operation", "upload")
            if operation == "upload":
                stored = self.storage.upload(
                    task.get("media"), ("image", "video", "audio"), "media"
                )
                return [
                    {
                        **head,
                        "operation": "upload",
                        "mediaUUID": stored.uuid,
                        "mediaURL": f"{base_url}/media/{stored.name}",
                    }
                ], []
            if operation == "delete":
                target = task.get("media") or task.get("mediaUUID")
                if isinstance(target, str) and self.storage.delete(target):
                    return [{**head, "operation": "delete", "mediaUUID": target}], []
                return [], [
                    error_item(
                        "mediaNotFound",
                        "no stored media with this UUID",
                        parameter="media",
                        task_type=task_type,
                        task_uuid=task_uuid,
                        documentation=f"{PLATFORM_DOCS}/media-storage",
                    )
                ]
            return [], [
                error_item(
                    "unsupportedOperation",
                    f"operation {operation!r} is not supported",
                    parameter="operation",
                    task_type=task_type,
                    task_uuid=task_uuid,
                    allowed_values=("upload", "delete"),
                    documentation=f"{PLATFORM_DOCS}/media-storage",
                )
            ]
        except InputError as exc:
            page = "image-upload" if task_type == "imageUpload" else "media-storage"
            docs = f"{PLATFORM_DOCS}/{page}"
            return [], [
                error_item(
                    exc.code,
                    exc.message,
                    parameter=exc.parameter,
                    task_type=task_type,
                    task_uuid=task_uuid,
                    documentation=docs,
                )
            ]

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


def _status(data: list[dict[str, Any]], errors: list[dict[str, Any]]) -> int:
    """200 when anything succeeded (a failed generation is a successful poll); else by code."""
    if data or any(e.get("status") == "error" for e in errors):
        return 200
    codes = {e.get("code") for e in errors}
    if "insufficientCredits" in codes:
        return 402
    return 400


def _problem_error(problem: Problem, task_uuid: Any) -> dict[str, Any]:
    return error_item(
        problem.code,
        problem.message,
        parameter=problem.parameter,
        task_type="videoInference",
        task_uuid=task_uuid,
        allowed_values=problem.allowed_values,
    )


def _credit_error(price: float, balance: float, task_uuid: Any) -> dict[str, Any]:
    return error_item(
        "insufficientCredits",
        f"this task costs ${price:.2f}; the balance is ${balance:.2f}",
        task_type="videoInference",
        task_uuid=task_uuid,
        documentation=f"{PLATFORM_DOCS}/errors",
    )


def _names_input(exc: Exception) -> bool:
    text = str(exc)
    return isinstance(exc, ValueError) and text.startswith(
        ("first_frame", "audio_input", "reference_videos")
    )


def _image_size(path: Path) -> tuple[int, int] | None:
    from PIL import Image

    try:
        with Image.open(path) as img:
            return img.size
    except OSError:
        return None


def _video_size(path: Path) -> tuple[int, int] | None:
    import av

    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            return int(stream.codec_context.width), int(stream.codec_context.height)
    except (av.FFmpegError, OSError, IndexError):
        return None
