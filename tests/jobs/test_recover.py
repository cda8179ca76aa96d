"""recover(): tasks a crashed kernel left behind are fetched, never paid twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING, Any

import pytest

from tests.wan_checks import journal_problems, wait_until
from wan_notebook import VideoRequest
from wan_notebook.errors import NetworkError
from wan_notebook.jobs import arecover, generate, recover

if TYPE_CHECKING:
    from tests.wan_fixtures import Wan
    from wan_notebook.local.launcher import EngineHandle


PROMPT = "a lighthouse in a storm, waves crashing"

CRASHING_KERNEL = """
    import sys, time
    from wan_notebook import VideoRequest, configure
    from wan_notebook.jobs import seed_sweep

    configure(poll_first=0.05, poll_min=0.05, poll_max=0.2)
    group = seed_sweep(VideoRequest.build("a fox on a frozen lake", size="1280x720"), range(6))
    while not all(job.status in ("submitted", "processing") for job in group):
        time.sleep(0.01)
    print("IN FLIGHT", flush=True)
    time.sleep(300)  # killed long before this ends
"""

RECOVERING_KERNEL = """
    import json
    from wan_notebook import configure, recover

    configure(poll_first=0.05, poll_min=0.05, poll_max=0.2)
    group = recover()
    group.wait(60)
    print(json.dumps([[j.task_uuid, j.status, [str(r.path) for r in j.results]] for j in group]))
"""


def _env(eng: EngineHandle, wan: Wan) -> dict[str, str]:
    # The engine lives in the test process, so it survives the killed kernel.
    return {**os.environ, "WAN_BACKEND": "runware", "WAN_BASE_URL": eng.base_url,
            "RUNWARE_API_KEY": eng.api_key, "WAN_MEDIA_DIR": str(wan.media_dir)}  # fmt: skip


def test_kill_9_with_jobs_in_flight_then_recover_in_a_new_process_fetches_every_result(
    wan: Wan, engine
) -> None:
    eng = engine(delay=2.0, render_mode="tiny")
    kernel = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(CRASHING_KERNEL)],
        env=_env(eng, wan), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert kernel.stdout is not None
        assert kernel.stdout.readline().strip() == "IN FLIGHT", kernel.stderr
        os.kill(kernel.pid, signal.SIGKILL)
        kernel.wait(10)
    finally:
        if kernel.poll() is None:
            kernel.kill()
    open_tasks = wan.store.unfinished()
    assert len(open_tasks) == 6 and all(t.status in ("submitted", "processing") for t in open_tasks)
    assert not any(p.suffix == ".mp4" for p in wan.media_dir.iterdir())

    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(RECOVERING_KERNEL)],
        env=_env(eng, wan), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    recovered = json.loads(done.stdout)
    assert sorted(uuid for uuid, _, _ in recovered) == sorted(t.task_uuid for t in open_tasks)
    assert all(status == "done" and len(paths) == 1 for _, status, paths in recovered)
    stats = eng.stats()
    assert set(stats["submits_by_uuid"].values()) == {1}  # nothing was sent (or paid) twice
    assert stats["generations_rendered"] == 6
    assert journal_problems(wan.media_dir) == []


def _journal_only(wan: Wan, request: VideoRequest) -> dict[str, Any]:
    """What a kernel that died between journaling and sending leaves behind."""
    task = {**request.to_api(), "includeCost": True}
    ctx = wan.session.context()
    wan.store.journal(
        request.task_uuid, fingerprint=request.fingerprint(), request=task,
        backend=ctx.backend.cache_scope, base_url=ctx.backend.base_url, engine=ctx.backend.label,
        estimated_cost=request.estimated_cost, tier=request.tier, seconds=request.seconds,
    )  # fmt: skip
    return task


def test_a_task_journaled_but_never_sent_is_sent_with_its_own_task_uuid(wan: Wan, engine) -> None:
    eng = engine(delay=0.2, render_mode="tiny")
    wan.use(eng)
    request = VideoRequest.build(PROMPT, size="1280x720", seed=7)
    _journal_only(wan, request)
    group = recover()
    assert [job.task_uuid for job in group] == [request.task_uuid]
    group.wait(30)
    assert group[0].status == "done" and group[0].results[0].seed == 7
    assert eng.stats()["submits_by_uuid"] == {request.task_uuid: 1}
    assert journal_problems(wan.media_dir) == []


def test_a_task_sent_but_not_marked_sent_is_fetched_not_sent_again(wan: Wan, engine, api) -> None:
    eng = engine(delay=0.2, render_mode="tiny")
    wan.use(eng)
    request = VideoRequest.build(PROMPT, size="1280x720", seed=8)
    task = _journal_only(wan, request)
    assert api(eng).post([task]).status_code == 200  # it got out just before the crash
    recover().wait(30)
    assert eng.stats()["submits_by_uuid"] == {request.task_uuid: 1}
    assert wan.store.task(request.task_uuid).status == "done"  # type: ignore[union-attr]


def test_a_download_that_failed_is_fetched_by_a_later_recover(wan: Wan, engine) -> None:
    eng = engine(delay=0.2, render_mode="tiny", faults={"rates": {"truncate": 1.0}})
    wan.use(eng, max_attempts=2)
    job = generate(PROMPT, size="1280x720", seed=9)
    with pytest.raises(NetworkError):
        job.wait(30)
    row = wan.store.task(job.task_uuid)
    assert row is not None and row.status == "failed" and row.recoverable
    assert journal_problems(wan.media_dir) == []  # no half-written file either
    eng.set_faults()
    (again,) = recover().wait(30)
    assert again.task_uuid == job.task_uuid and again.status == "done"
    assert again.results[0].path.exists()
    assert eng.stats()["tasks"]["videoInference"] == 1


async def test_arecover_waits_for_the_recovered_jobs(wan: Wan, engine) -> None:
    eng = engine(delay=0.2, render_mode="tiny")
    wan.use(eng)
    request = VideoRequest.build(PROMPT, size="1280x720", seed=10)
    _journal_only(wan, request)
    group = await arecover()
    assert group.counts == {"done": 1}


def test_recover_leaves_tasks_of_other_backends_and_running_jobs_alone(wan: Wan, engine) -> None:
    eng = engine(delay=3.0, render_mode="tiny")
    wan.use(eng)
    running = generate(PROMPT, size="1280x720", seed=11)
    wait_until(lambda: running.status == "processing", 10, "processing")
    wan.store.journal(
        "0b5c29c6-5d4e-4e0b-9e8e-7a4b7c8f3a11", fingerprint="x", request={"positivePrompt": "y"},
        backend="https://api.runware.ai/v1", base_url="https://api.runware.ai/v1",
        engine="Runware", estimated_cost=0.5,
    )  # fmt: skip
    assert len(recover()) == 0
    running.cancel()


def test_cancelled_tasks_are_recovered_only_when_asked(wan: Wan, engine) -> None:
    eng = engine(delay=0.5, render_mode="tiny")
    wan.use(eng)
    job = generate(PROMPT, size="1280x720", seed=12)
    wait_until(lambda: job.status == "processing", 10, "processing")
    job.cancel()
    assert len(recover()) == 0
    (again,) = recover(include_cancelled=True).wait(30)
    assert again.status == "done" and again.results  # what the API billed anyway is kept
