"""Two kernels sharing one media folder (finding 1 across kernels): a request equal to a
task another live kernel has in flight waits for that task; nothing is sent twice.

Each kernel is a real child process; the engine runs in the test process, so it outlives
a killed kernel and counts every task it was sent.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING, Any

from tests.wan_checks import journal_problems

if TYPE_CHECKING:
    from tests.wan_fixtures import Wan
    from wan_notebook.local.launcher import EngineHandle

KERNEL = """
    import hashlib, json, sys
    from wan_notebook import configure
    from wan_notebook.jobs import generate

    configure(poll_first=0.05, poll_min=0.05, poll_max=0.2)
    if sys.argv[1] == "second":
        sys.stdin.readline()  # imported and ready: the test says when to start
    job = generate("a fox on a frozen lake", size="1280x720", seed=42)
    print(json.dumps({"started": type(job).__name__, "status": job.status}), flush=True)
    if sys.argv[1] == "first":
        while job.status not in ("submitted", "processing"):
            pass
        print("IN FLIGHT", flush=True)
    job.wait(60)
    path = job.results[0].path
    print(json.dumps({"task": job.task_uuid, "status": job.status, "cached": job.cached,
                      "detail": job.detail, "path": str(path),
                      "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}), flush=True)
"""


def _kernel(eng: EngineHandle, wan: Wan, role: str) -> subprocess.Popen[str]:
    env = {**os.environ, "WAN_BACKEND": "runware", "WAN_BASE_URL": eng.base_url,
           "RUNWARE_API_KEY": eng.api_key, "WAN_MEDIA_DIR": str(wan.media_dir)}  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(KERNEL), role], env=env, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _line(kernel: subprocess.Popen[str]) -> str:
    assert kernel.stdout is not None
    line = kernel.stdout.readline().strip()
    assert line, kernel.stderr.read() if kernel.stderr else ""
    return line


def _go(kernel: subprocess.Popen[str]) -> None:
    assert kernel.stdin is not None
    kernel.stdin.write("go\n")
    kernel.stdin.flush()


def _last(kernel: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = kernel.communicate(timeout=90)
    assert kernel.returncode == 0, err
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def test_a_second_kernel_waits_for_the_task_the_first_has_in_flight(wan: Wan, engine) -> None:
    # The second kernel must ask while the first's task is in flight: 3 s leaves room for a
    # loaded machine (1.5 s was too short at load 14).
    eng = engine(delay=3.0, render_mode="tiny")
    second = _kernel(eng, wan, "second")  # started first: its imports take a while
    first = _kernel(eng, wan, "first")
    try:
        assert json.loads(_line(first))["started"] == "Job"
        assert _line(first) == "IN FLIGHT"
        _go(second)
        started = json.loads(_line(second))
        assert started == {"started": "ForeignJob", "status": "submitted"}
        a, b = _last(first), _last(second)
    finally:
        for kernel in (first, second):
            if kernel.poll() is None:
                kernel.kill()
    assert a["status"] == b["status"] == "done"
    assert b["task"] == a["task"] and b["sha256"] == a["sha256"] and b["path"] == a["path"]
    assert "another kernel" in b["detail"]
    stats = eng.stats()
    assert stats["tasks"]["videoInference"] == 1  # the second kernel sent nothing
    assert stats["submits_by_uuid"] == {a["task"]: 1}
    assert stats["downloads"] == 1  # and fetched nothing: it reads the first one's file
    assert journal_problems(wan.media_dir) == []


def test_the_waiting_kernel_takes_the_task_over_when_its_owner_is_killed(wan: Wan, engine) -> None:
    eng = engine(delay=2.0, render_mode="tiny")
    second = _kernel(eng, wan, "second")  # started first: its imports take a while
    first = _kernel(eng, wan, "first")
    try:
        json.loads(_line(first))
        assert _line(first) == "IN FLIGHT"
        _go(second)
        assert json.loads(_line(second))["started"] == "ForeignJob"
        os.kill(first.pid, signal.SIGKILL)  # kill -9: no clean-up, its lease just stops
        first.wait(10)
        b = _last(second)
    finally:
        for kernel in (first, second):
            if kernel.poll() is None:
                kernel.kill()
    assert b["status"] == "done"
    (row,) = wan.store.tasks()
    assert b["task"] == row.task_uuid and row.status == "done"
    stats = eng.stats()
    assert stats["tasks"]["videoInference"] == 1  # taken over, not sent again
    assert stats["submits_by_uuid"] == {row.task_uuid: 1}
    assert journal_problems(wan.media_dir) == []
