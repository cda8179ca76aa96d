"""Store.in_flight_elsewhere: the open tasks of another live kernel, and only those."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from wan_notebook.store import SESSION_ID, Store
from wan_notebook.store._leases import HOST

FP = "f" * 64


def _journal(store: Store, task_uuid: str, *, session: str, fingerprint: str = FP) -> None:
    store.journal(task_uuid, fingerprint=fingerprint, request={"positivePrompt": "x"},
                  backend="local", base_url="http://127.0.0.1", engine="local",
                  estimated_cost=0.1)  # fmt: skip
    with sqlite3.connect(store.path) as db:  # as if another kernel had written it
        db.execute("UPDATE tasks SET session=? WHERE task_uuid=?", (session, task_uuid))


def _lease(store: Store, session: str, pid: int, *, host: str = HOST, age: float = 0.0) -> None:
    with sqlite3.connect(store.path) as db:
        db.execute("INSERT OR REPLACE INTO leases VALUES (?,?,?,?)",
                   (session, pid, host, time.time() - age))  # fmt: skip


def _dead_pid() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_an_open_task_of_a_live_kernel_is_in_flight_elsewhere(tmp_path: Path) -> None:
    store = Store(tmp_path)
    _journal(store, "t-other", session="other")
    _lease(store, "other", os.getpid())  # alive
    row = store.in_flight_elsewhere(FP, "local", stale_s=10)
    assert row is not None and row.task_uuid == "t-other"
    assert store.in_flight_elsewhere("0" * 64, "local", stale_s=10) is None  # other request
    assert store.in_flight_elsewhere(FP, "runware", stale_s=10) is None  # other backend
    store.finish("t-other", "done")
    assert store.in_flight_elsewhere(FP, "local", stale_s=10) is None  # finished: the cache


def test_this_kernels_own_tasks_and_those_of_gone_kernels_are_not(tmp_path: Path) -> None:
    store = Store(tmp_path)
    _journal(store, "t-mine", session=SESSION_ID)
    _journal(store, "t-dead", session="dead")
    _lease(store, "dead", _dead_pid())
    _journal(store, "t-silent", session="remote")
    _lease(store, "remote", 1, host="another-machine", age=60)  # heartbeat too old
    assert store.in_flight_elsewhere(FP, "local", stale_s=10) is None
    _lease(store, "remote", 1, host="another-machine", age=1)  # it beats again
    row = store.in_flight_elsewhere(FP, "local", stale_s=10)
    assert row is not None and row.task_uuid == "t-silent"


def test_a_claimed_task_belongs_to_its_claimer(tmp_path: Path) -> None:
    store = Store(tmp_path)
    _journal(store, "t-taken", session="dead")
    _lease(store, "dead", _dead_pid())
    assert store.claim("t-taken", stale_s=10)  # this kernel takes it over
    assert store.in_flight_elsewhere(FP, "local", stale_s=10) is None  # so it is ours now
