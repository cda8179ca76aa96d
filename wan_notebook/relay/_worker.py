"""The relay's worker: sends journaled tasks upstream, polls open ones, keeps their files.

One asyncio task beside the server. Each round it

1. submits every ``journaled`` task (after a restart too: a resend keeps the taskUUID, and an
   upstream that already has the task answers ``conflictTaskUUID``, which counts as taken);
2. polls every ``submitted``/``processing`` task in one batched ``getResponse`` POST;
3. settles a task once all its generations ended (``Ledger.settle``: billed once), then
   copies result files that students could not reach (anything but an https URL) into the
   relay's media folder, checked and atomic, and marks the task ``done``.

Recovery follows the client's rules (``jobs``): a journaled task the upstream does not know
is sent again; an acknowledged one it keeps not knowing has expired and fails, except with
the relay's own local engine, which forgets everything when it restarts and costs nothing,
so there the task is sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
import uuid
from pathlib import Path
from typing import Any, Final

from .._status import JournalStatus
from ..client import Accepted, ApiErrorItem, Processing, VideoResult, expected_video
from ..errors import (
    APIError,
    AuthenticationError,
    InsufficientCreditError,
    InvalidRequestError,
    NetworkError,
    RateLimitError,
    ServerError,
    TaskFailedError,
    WanError,
)
from ..request.catalog import VIDEO_MIME_BY_SUFFIX
from ..request.models import VideoRequest
from ._answers import RELAY_FILE, error
from ._ledger import Ledger
from ._records import UpstreamTask
from ._upstream import Upstream

log = logging.getLogger("wan_notebook.relay")

NOT_FOUND_STRIKES: Final = 3
MAX_RESUBMITS: Final = 2
GIVE_UP_AFTER: Final = 15 * 60.0  # seconds an unsent task keeps being retried
COPY_TRIES: Final = 5
_PASSING = (NetworkError, ServerError, RateLimitError)  # worth another round
_SAFE_NAME = re.compile(r"^[A-Za-z0-9-]{1,64}$")


class Worker:
    """Drives every open upstream task of the ledger (see the module docstring)."""

    def __init__(
        self, ledger: Ledger, upstream: Upstream, media_dir: Path, interval: float
    ) -> None:
        self.ledger = ledger
        self.upstream = upstream
        self.media_dir = media_dir
        self.interval = interval
        self.progress: dict[str, int] = {}  # upstream uuid -> last progress seen
        self._strikes: dict[str, int] = {}
        self._resubmits: dict[str, int] = {}
        self._copy_failures: dict[str, int] = {}
        self._copying: dict[str, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        self.media_dir.mkdir(parents=True, exist_ok=True)
        while True:
            self._wake.clear()
            try:
                await self.round()
            except Exception:  # a bug must not stop the relay's billing loop
                log.exception("relay worker round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)

    async def round(self) -> None:
        await self._submit(self.ledger.upstream_in(("journaled",)))
        await self._poll(self.ledger.upstream_in(("submitted", "processing")))
        for task in self.ledger.upstream_in(("downloading",)):
            self._start_copy(task, task.items or [])

    # ----- submit ----------------------------------------------------------------------------

    async def _submit(self, tasks: list[UpstreamTask]) -> None:
        if not tasks:
            return
        outcomes = await self.upstream.client.submit([t.task for t in tasks])
        taken = [t.uuid for t in tasks if isinstance(outcomes.get(t.uuid), Accepted)]
        self.ledger.mark(taken, "submitted")
        for task in tasks:
            outcome = outcomes.get(task.uuid)
            if isinstance(outcome, Accepted):
                continue
            if isinstance(outcome, _PASSING) and time.time() - task.created < GIVE_UP_AFTER:
                log.warning("upstream refused task %s for now: %s", task.uuid, outcome)
            else:
                self._fail(task, outcome or NetworkError("the upstream did not answer"))

    def _fail(self, task: UpstreamTask, why: WanError) -> None:
        code, message = "upstreamError", why.message
        if isinstance(why, InvalidRequestError) and why.problems:
            code = why.problems[0].code
        elif isinstance(why, APIError | TaskFailedError) and why.code:
            code = why.code
        if isinstance(why, AuthenticationError | InsufficientCreditError):
            message = f"the class account was refused upstream ({why.message}); tell your teacher"
        items = [error(code, message, task_type="videoInference", status="error")]
        self.ledger.settle(task.uuid, "failed", items * task.results, 0.0)

    # ----- poll ------------------------------------------------------------------------------

    async def _poll(self, tasks: list[UpstreamTask]) -> None:
        if not tasks:
            return
        try:
            polled = await self.upstream.client.poll([t.uuid for t in tasks])
        except WanError as exc:
            log.warning("polling the upstream failed; trying again: %s", exc)
            return
        started: list[str] = []
        for task in tasks:
            if self._apply(task, polled.get(task.uuid, [])) and task.status == "submitted":
                started.append(task.uuid)
            await asyncio.sleep(0)  # let requests in between: a class's poll is long
        self.ledger.mark(started, "processing")

    def _apply(self, task: UpstreamTask, items: list[Any]) -> bool:
        """Take in one task's poll items; True while it runs (it was seen upstream)."""
        results = {i.key: i for i in items if isinstance(i, VideoResult)}
        errors = [i for i in items if isinstance(i, ApiErrorItem) and not _not_found(i)]
        running = [i for i in items if isinstance(i, Processing)]
        if items and not (results or errors or running):
            self._not_found(task)
            return False
        self._strikes.pop(task.uuid, None)
        seen = [i.progress for i in running if i.progress is not None]
        if seen:
            self.progress[task.uuid] = int(min(seen))
        if len(results) + len(errors) < task.results:
            return bool(items)
        share = task.estimate / task.results
        stored = [_stored(r.to_api(), share) for r in results.values()]
        stored += [{**e.to_api(), "status": "error"} for e in errors]
        cost = sum(float(i.get("cost") or 0.0) for i in stored if "videoUUID" in i)
        status: JournalStatus = "downloading" if results else "failed"
        if self.ledger.settle(task.uuid, status, stored, cost):
            self.progress.pop(task.uuid, None)
            if results:
                self._start_copy(task, stored)
        return False

    def _not_found(self, task: UpstreamTask) -> None:
        resubmits = self._resubmits.get(task.uuid, 0)
        if self.upstream.local and resubmits < MAX_RESUBMITS:
            self._resubmits[task.uuid] = resubmits + 1
            log.info("the local engine does not know task %s: sending it again", task.uuid)
            self.ledger.mark([task.uuid], "journaled")
            self.wake()
            return
        strikes = self._strikes[task.uuid] = self._strikes.get(task.uuid, 0) + 1
        if strikes >= NOT_FOUND_STRIKES:
            self._fail(task, NetworkError("the upstream no longer knows this task"))

    # ----- files ----------------------------------------------------------------------------

    def _start_copy(self, task: UpstreamTask, items: list[dict[str, Any]]) -> None:
        task_uuid = task.uuid
        if task_uuid not in self._copying:
            job = asyncio.create_task(self._copy(task, items))
            self._copying[task_uuid] = job
            job.add_done_callback(lambda _: self._copying.pop(task_uuid, None))

    async def _copy(self, task: UpstreamTask, items: list[dict[str, Any]]) -> None:
        """Fetch every result the relay serves itself, checked as the client checks its own
        downloads (container, size, duration: ``expected_video``); then the task is done. A
        file that is not the video asked for goes to ``.rejected/`` and is never served."""
        task_uuid = task.uuid
        try:
            request = VideoRequest.model_validate(task.task)
            for item in items:
                name = item.get(RELAY_FILE)
                dest = self.media_dir / name if isinstance(name, str) else None
                if dest is not None and not dest.exists():
                    expect = expected_video(request, VideoResult.model_validate(item))
                    await self.upstream.client.download(str(item["videoURL"]), dest, expect=expect)
        except WanError as exc:
            failures = self._copy_failures[task_uuid] = self._copy_failures.get(task_uuid, 0) + 1
            log.warning("copying a result of %s failed (%d): %s", task_uuid, failures, exc)
            if failures >= COPY_TRIES:
                self.ledger.mark([task_uuid], "failed")  # billed: the cost stands
            return
        self.ledger.mark([task_uuid], "done")

    async def close(self) -> None:
        for job in list(self._copying.values()):
            job.cancel()
        await asyncio.gather(*self._copying.values(), return_exceptions=True)


def _stored(item: dict[str, Any], share: float) -> dict[str, Any]:
    """A result item as kept: its cost (the estimate's share if the upstream sent none) and
    the name of the relay's copy when students cannot reach its URL."""
    out = {**item, "status": "success"}
    if out.get("cost") is None:
        out["cost"] = round(share, 6)
    url = str(out.get("videoURL") or "")
    if not url.startswith("https://"):
        suffix = Path(url.split("?", 1)[0]).suffix.lower()
        ext = suffix if suffix in VIDEO_MIME_BY_SUFFIX else ".mp4"
        video = str(out.get("videoUUID"))
        out[RELAY_FILE] = f"{video if _SAFE_NAME.match(video) else uuid.uuid4()}{ext}"
    return out


def _not_found(item: ApiErrorItem) -> bool:
    code = item.code.lower()
    return code.endswith("notfound") and code != "taskfailedornotfound"
