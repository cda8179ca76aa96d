"""What the ledger hands out: upstream tasks, student tasks and a student's standing, as
frozen records, and how they are read from its rows."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from .._status import JournalStatus


@dataclass(frozen=True)
class UpstreamTask:
    """One task of the upstream, as the relay sent it and as far as it has come."""

    uuid: str
    task: dict[str, Any]
    results: int
    estimate: float  # USD reserved for it (list price)
    status: JournalStatus
    items: list[dict[str, Any]] | None
    cost: float | None
    created: float


@dataclass(frozen=True)
class StudentTask:
    """One student's task with the state of the upstream task that serves it."""

    id: int
    student: str
    task_uuid: str
    payer: bool
    estimate: float
    cost: float | None
    include_cost: bool
    prompt: str
    seed: int | None
    created: float
    upstream: UpstreamTask


@dataclass(frozen=True)
class NewUpstream:
    """An upstream task about to be journaled: the relay's taskUUID and the task it sends."""

    uuid: str
    fingerprint: str
    task: dict[str, Any]
    results: int


@dataclass(frozen=True)
class Standing:
    """One student's money and work, for admission and for the teacher's page."""

    spent: float = 0.0  # settled costs + estimates of open tasks
    tasks: int = 0
    in_flight: int = 0
    last: float | None = None  # when the last task was made (epoch seconds)


def upstream_of(row: sqlite3.Row, prefix: str = "") -> UpstreamTask:
    items = row[prefix + "items"]
    return UpstreamTask(
        uuid=row[prefix + "uuid"],
        task=json.loads(row[prefix + "task"]),
        results=row[prefix + "results"],
        estimate=row[prefix + "estimate"],
        status=row[prefix + "status"],
        items=json.loads(items) if items else None,
        cost=row[prefix + "cost"],
        created=row[prefix + "created"],
    )


def student_task_of(row: sqlite3.Row) -> StudentTask:
    return StudentTask(
        id=row["id"],
        student=row["student"],
        task_uuid=row["task_uuid"],
        payer=bool(row["payer"]),
        estimate=row["estimate"],
        cost=row["cost"],
        include_cost=bool(row["include_cost"]),
        prompt=row["prompt"],
        seed=row["seed"],
        created=row["created"],
        upstream=upstream_of(row, "u_"),
    )
