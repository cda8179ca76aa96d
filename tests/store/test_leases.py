"""Leases in the journal: who owns a task, when its owner is gone, and one winner per claim."""

from __future__ import annotations

import os
import time
import uuid
from typing import TYPE_CHECKING

from wan_notebook.store import SESSION_ID, Store, _leases

if TYPE_CHECKING:
    from pathlib import Path


def _task(store: Store, session: str) -> str:
    task_uuid = str(uuid.uuid4())
    store.journal(
        task_uuid, fingerprint="f", request={"positivePrompt": "a fox"}, backend="local",
        base_url="http://x.test", engine="e", estimated_cost=0.5,
    )  # fmt: skip
    with store._tx() as db:
        db.execute("UPDATE tasks SET session=? WHERE task_uuid=?", (session, task_uuid))
    return task_uuid


def _lease(store: Store, session: str, *, pid: int, host: str, age: float) -> None:
    with store._tx() as db:
        db.execute("INSERT OR REPLACE INTO leases VALUES (?,?,?,?)",
                   (session, pid, host, time.time() - age))  # fmt: skip


def test_a_task_of_a_live_kernel_on_this_host_is_not_claimed(tmp_path: Path) -> None:
    store = Store(tmp_path)
    task = _task(store, "other")
    _lease(store, "other", pid=os.getppid(), host=_leases.HOST, age=3600)  # old beat, live pid
    assert not store.claim(task, stale_s=10)


def test_a_task_of_a_dead_pid_on_this_host_is_claimed_once(tmp_path: Path) -> None:
    store = Store(tmp_path)
    task = _task(store, "other")
    _lease(store, "other", pid=2**22 + 12345, host=_leases.HOST, age=0)
    assert store.claim(task, stale_s=10)
    with store._tx() as db:
        assert _leases.owner_of(db, task) == SESSION_ID
        # A second kernel that also saw "other" as the owner loses the race.
        assert not _leases.claim(db, task, "third", expected="other")


def test_another_machine_owns_its_tasks_until_its_heartbeat_is_stale(tmp_path: Path) -> None:
    store = Store(tmp_path)
    task = _task(store, "remote")
    _lease(store, "remote", pid=1, host="another-machine", age=2)
    assert not store.claim(task, stale_s=10)
    _lease(store, "remote", pid=1, host="another-machine", age=60)
    assert store.claim(task, stale_s=10)


def test_an_ended_task_is_claimed_even_from_a_live_owner(tmp_path: Path) -> None:
    store = Store(tmp_path)
    task = _task(store, "other")
    _lease(store, "other", pid=1, host="another-machine", age=0)
    assert store.claim(task, stale_s=10, ended=True)
