"""``kill -9`` at each point of a job, then ``recover()`` in a new process: every result
comes back, no task is paid twice, no temp file is left.

The killed kernel is a real child process; the engine runs in the test process, so it
outlives it and counts every task. To hit each window without racing a sleep, the child
blocks its own event loop thread at the exact point (a wrapper around one client method)
and says so on stdout; the test then sends SIGKILL. After submit (jobs in flight) is
``test_recover.test_kill_9_with_jobs_in_flight_then_recover_in_a_new_process_...``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING

from tests.wan_checks import journal_problems
from wan_notebook._files import TEMP_SUFFIX

if TYPE_CHECKING:
    from tests.wan_fixtures import Wan
    from wan_notebook.local.launcher import EngineHandle

JOBS = 6

KERNEL = """
    import sys, time
    from wan_notebook import VideoRequest, configure
    from wan_notebook.client import AsyncRunwareClient
    from wan_notebook.client import _download
    from wan_notebook.jobs import seed_sweep

    def stop_here(what):
        print(what, flush=True)
        time.sleep(300)  # blocks the jobs' loop thread until the test kills the process

    if sys.argv[1] == "before-submit":  # the journal rows are written; the POST is next
        async def submit(self, tasks):
            stop_here(f"BEFORE POST {len(tasks)}")
        AsyncRunwareClient.submit = submit
    else:  # the first bytes of a video are in its temp file
        add = _download._Partial.add
        def add_then_stop(self, chunk):
            add(self, chunk)
            stop_here("MID DOWNLOAD")
        _download._Partial.add = add_then_stop

    configure(poll_first=0.05, poll_min=0.05, poll_max=0.2)
    request = VideoRequest.build("a fox on a frozen lake", size="1280x720")
    seed_sweep(request, range(int(sys.argv[2])))
    time.sleep(300)
"""

RECOVERING_KERNEL = """
    import json
    from wan_notebook import configure, recover

    configure(poll_first=0.05, poll_min=0.05, poll_max=0.2)
    group = recover()
    group.wait(60)
    print(json.dumps([[j.task_uuid, j.status, len(j.results)] for j in group]))
"""


def _env(eng: EngineHandle, wan: Wan) -> dict[str, str]:
    return {**os.environ, "WAN_BACKEND": "runware", "WAN_BASE_URL": eng.base_url,
            "RUNWARE_API_KEY": eng.api_key, "WAN_MEDIA_DIR": str(wan.media_dir)}  # fmt: skip


def _kill_at(point: str, eng: EngineHandle, wan: Wan) -> str:
    """Run a kernel until it reaches ``point``, kill -9 it; returns what it printed there."""
    kernel = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(KERNEL), point, str(JOBS)], env=_env(eng, wan),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert kernel.stdout is not None
        line = kernel.stdout.readline().strip()
        assert line, kernel.stderr.read() if kernel.stderr else ""
        os.kill(kernel.pid, signal.SIGKILL)
        kernel.wait(10)
    finally:
        if kernel.poll() is None:
            kernel.kill()
    return line


def _recover_in_a_new_process(eng: EngineHandle, wan: Wan) -> list[list[object]]:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(RECOVERING_KERNEL)],
        env=_env(eng, wan), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    recovered: list[list[object]] = json.loads(done.stdout)
    return recovered


def _temp_files(wan: Wan) -> list[str]:
    return [p.name for p in wan.media_dir.rglob(f"*{TEMP_SUFFIX}")]


def _all_back_none_paid_twice(eng: EngineHandle, wan: Wan, opened: list[str]) -> None:
    recovered = _recover_in_a_new_process(eng, wan)
    assert sorted(str(uuid) for uuid, _, _ in recovered) == sorted(opened)  # 100% back
    assert all(status == "done" and count == 1 for _, status, count in recovered)
    stats = eng.stats()
    assert stats["tasks"]["videoInference"] == JOBS  # one task per job: none paid twice
    assert sorted(stats["submits_by_uuid"]) == sorted(opened)
    assert set(stats["submits_by_uuid"].values()) == {1}
    assert _temp_files(wan) == []
    assert journal_problems(wan.media_dir) == []  # no stray or half-written file either


def test_kill_9_after_journaling_before_the_post_then_recover(wan: Wan, engine) -> None:
    eng = engine(delay=0.5, render_mode="tiny")
    assert _kill_at("before-submit", eng, wan) == f"BEFORE POST {JOBS}"
    rows = wan.store.unfinished()
    assert len(rows) == JOBS and {row.status for row in rows} == {"journaled"}
    assert eng.stats()["tasks"].get("videoInference", 0) == 0  # nothing reached the API
    _all_back_none_paid_twice(eng, wan, [row.task_uuid for row in rows])


def test_kill_9_mid_download_then_recover(wan: Wan, engine) -> None:
    eng = engine(delay=0.5, render_mode="tiny")
    assert _kill_at("mid-download", eng, wan) == "MID DOWNLOAD"
    rows = wan.store.unfinished()
    assert len(rows) == JOBS and "downloading" in {row.status for row in rows}
    assert _temp_files(wan)  # the half-written file the crash left
    assert not any(p.suffix == ".mp4" for p in wan.media_dir.iterdir())
    _all_back_none_paid_twice(eng, wan, [row.task_uuid for row in rows])
