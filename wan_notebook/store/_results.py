"""What the journal holds, as values: a task row, a result file, a history item.

``TaskRow`` is one row of the ``tasks`` table and ``Result`` one row of ``results`` (a video
on disk); both are read with ``from_row``. ``HistoryItem`` is one video of the history, the
unit the gallery shows and the export writes: a task with n results gives n items, and a
finished task whose files are gone still gives one item, without a video.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .._status import JournalStatus
from ..client import file_matches
from ..request import facts


@dataclass(frozen=True)
class Result:
    """One finished video on disk (``path``) and where it came from."""

    task_uuid: str
    video_uuid: str
    url: str | None
    path: Path
    seed: int | None = None
    cost: float | None = None
    sha256: str | None = None
    bytes: int | None = None
    format: str | None = None
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    sidecar: Path | None = None
    key: str = ""

    def __repr__(self) -> str:
        name = self.path.name
        cost = f" ${self.cost:.4g}" if self.cost is not None else ""
        return f"<Result {name} seed={self.seed}{cost}>"

    @classmethod
    def from_row(cls, row: sqlite3.Row, media_dir: Path) -> Result:
        """A ``results`` row; its file names are relative to ``media_dir``."""
        sidecar = media_dir / row["sidecar"] if row["sidecar"] else None
        return cls(
            task_uuid=row["task_uuid"], video_uuid=row["video_uuid"] or "", url=row["url"],
            path=media_dir / row["path"], seed=row["seed"], cost=row["cost"],
            sha256=row["sha256"], bytes=row["bytes"], format=row["format"],
            width=row["width"], height=row["height"], duration=row["duration"],
            sidecar=sidecar, key=row["result_key"],
        )  # fmt: skip

    @property
    def intact(self) -> bool:
        """The file is there and has the recorded size (a cheap integrity check)."""
        try:
            size = self.path.stat().st_size
        except OSError:
            return False
        return self.bytes is None or size == self.bytes

    @property
    def verified(self) -> bool:
        """The file holds exactly the bytes recorded (sha256): what a cache hit needs."""
        if self.sha256 is None:
            return self.intact
        return file_matches(self.path, self.sha256, self.bytes)


@dataclass(frozen=True)
class TaskRow:
    """One journal row."""

    task_uuid: str
    fingerprint: str
    request: dict[str, Any]
    prompt: str
    tier: str | None
    seconds: int | None
    results_expected: int
    backend: str
    base_url: str
    engine: str
    status: JournalStatus
    acked: bool
    recoverable: bool
    created: float
    submitted: float | None
    finished: float | None
    estimated_cost: float | None
    cost: float | None
    error_code: str | None
    error_message: str | None
    session: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> TaskRow:
        """A ``tasks`` row; the request JSON parsed."""
        return cls(
            task_uuid=row["task_uuid"], fingerprint=row["fingerprint"],
            request=json.loads(row["request"]), prompt=row["prompt"], tier=row["tier"],
            seconds=row["seconds"], results_expected=row["results_expected"],
            backend=row["backend"], base_url=row["base_url"], engine=row["engine"],
            status=row["status"], acked=bool(row["acked"]), recoverable=bool(row["recoverable"]),
            created=row["created"], submitted=row["submitted"], finished=row["finished"],
            estimated_cost=row["estimated_cost"], cost=row["cost"], error_code=row["error_code"],
            error_message=row["error_message"], session=row["session"],
        )  # fmt: skip


@dataclass(frozen=True)
class HistoryItem:
    """One stored video with the task that made it."""

    task_uuid: str
    prompt: str
    request: dict[str, Any]
    status: str = "done"
    seed: int | None = None
    cost: float | None = None  # charged USD for this video, if the API said
    estimated_cost: float | None = None  # list price USD for this video
    created: float | None = None  # epoch seconds the video was finished
    duration: float | None = None  # seconds of video
    path: Path | None = None
    sha256: str | None = None
    bytes: int | None = None
    sidecar: Path | None = None
    engine: str = ""
    result: dict[str, Any] = field(default_factory=dict)  # the rest of the result's metadata

    @classmethod
    def of_task(cls, task: TaskRow, results: Sequence[Result]) -> list[HistoryItem]:
        """The items of one finished task: one per result, or one without a video."""
        request = dict(task.request)
        expected = max(1, int(task.results_expected or 1))
        estimate = (
            task.estimated_cost / expected
            if task.estimated_cost is not None
            else estimated_cost_of(request)
        )
        base: dict[str, Any] = {
            "task_uuid": task.task_uuid,
            "prompt": task.prompt or str(request.get("positivePrompt", "")),
            "request": request,
            "status": task.status,
            "estimated_cost": estimate,
            "created": task.finished or task.created,
            "engine": task.engine or "",
        }
        if not results:  # its files were deleted: still listed, without a video
            return [cls(**base, seed=request.get("seed"), cost=task.cost, duration=task.seconds)]
        # One charged cost for several results is split evenly: the API bills per video.
        task_cost = task.cost / len(results) if task.cost is not None else None
        return [
            cls(
                **base,
                seed=r.seed if r.seed is not None else request.get("seed"),
                cost=r.cost if r.cost is not None else task_cost,
                duration=r.duration or task.seconds,
                path=r.path,
                sha256=r.sha256,
                bytes=r.bytes,
                sidecar=r.sidecar,
                result=_metadata(r),
            )
            for r in results
        ]

    @property
    def shown_cost(self) -> tuple[float | None, bool]:
        """(USD, is_estimate): the charged cost, else the list price."""
        if self.cost is not None:
            return self.cost, False
        return self.estimated_cost, True

    @property
    def file_ok(self) -> bool:
        return self.path is not None and self.path.is_file()

    @property
    def created_at(self) -> datetime | None:
        """When the video was made, in local time."""
        if self.created is None:
            return None
        return datetime.fromtimestamp(self.created, tz=UTC).astimezone()


def _metadata(result: Result) -> dict[str, Any]:
    names = ("video_uuid", "url", "format", "width", "height", "key")
    return {n: getattr(result, n) for n in names if getattr(result, n) not in (None, "")}


def estimated_cost_of(request: Mapping[str, Any]) -> float | None:
    """List price of one video of a stored request JSON (None for an unknown size)."""
    if facts.priced_tier(request) is None:
        return None
    return facts.estimated_cost(request, results=1)
