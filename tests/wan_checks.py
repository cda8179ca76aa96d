"""Checks shared by the client/jobs tests: waiting on conditions, request counts, result
files, and a clean journal."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wan_notebook._status import TERMINAL_STATUSES
from wan_notebook.store import JOURNAL_NAME, Store

if TYPE_CHECKING:
    from wan_notebook.jobs import Job


def wait_until(check: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    """Wait on a condition (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def http_requests(stats: dict[str, Any]) -> int:
    """HTTP requests an engine answered (from ``EngineHandle.stats()``)."""
    return int(stats["http_requests"])


def check_files(job: Job) -> None:
    """Each result file of ``job`` holds what its record and sidecar say."""
    for result in job.results:
        data = result.path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == result.sha256
        assert len(data) == result.bytes
        assert result.sidecar is not None and result.sidecar.exists()


def journal_problems(media_dir: Path) -> list[str]:
    """Everything that would show a lost or half-written result."""
    problems: list[str] = []
    store = Store.open(media_dir)
    for task in store.tasks():
        if task.status not in TERMINAL_STATUSES:
            problems.append(f"task {task.task_uuid} has no outcome ({task.status})")
    # .rejected/ holds files that failed the probe, for inspection: never a result.
    known: set[str] = {JOURNAL_NAME, JOURNAL_NAME + "-wal", JOURNAL_NAME + "-shm", ".rejected"}
    for task in store.tasks():
        for result in store.results_for(task.task_uuid, existing_only=False):
            known.add(result.path.name)
            if result.sidecar is not None:
                known.add(result.sidecar.name)
            if result.path.parent.name == ".rejected":
                problems.append(f"a rejected file is a result: {result.path.name}")
            if not result.path.exists():
                problems.append(f"result file missing: {result.path.name}")
            elif result.bytes is not None and result.path.stat().st_size != result.bytes:
                problems.append(f"result file has the wrong size: {result.path.name}")
    for path in media_dir.iterdir():
        if path.name not in known:
            problems.append(f"stray file: {path.name}")
    return problems
