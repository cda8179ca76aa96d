"""Jobs from request to file: the cache, spending, progress, cancel and waiting.

Acceptance tests run against the real local engine over loopback (``engine`` fixture);
a few shapes the engine does not make use the in-memory ``FakeRunware``.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import time
from typing import TYPE_CHECKING, Any

import pytest

from tests.wan_checks import check_files, http_requests, journal_problems, wait_until
from wan_notebook import VideoRequest
from wan_notebook.errors import (
    AuthenticationError,
    InvalidRequestError,
    JobCancelledError,
    JobTimeoutError,
    TaskFailedError,
    WanError,
)
from wan_notebook.jobs import Job, JobGroup, generate, seed_sweep, session_spend
from wan_notebook.jobs._progress import ESTIMATE_CAP

if TYPE_CHECKING:
    from tests.wan_fixtures import Wan


PROMPT = "a lighthouse in a storm, waves crashing"


# ----- the happy path -------------------------------------------------------------------------


def test_generate_returns_at_once_and_the_job_ends_with_a_file(wan: Wan, engine) -> None:
    eng = engine(delay=0.3, render_mode="tiny")
    wan.use(eng)
    job = generate(PROMPT, size="1280x720", seed=3)
    assert job.status == "queued" and job.results == []
    assert job.wait(30) is job
    assert job.status == "done" and job.error is None and not job.cached
    assert [s for _, s, _ in job.events] == ["queued", "submitted", "processing", "downloading",
                                             "done"]  # fmt: skip
    (result,) = job.results
    assert result.path.parent == wan.media_dir and result.path.suffix == ".mp4"
    assert result.seed == 3 and result.cost == pytest.approx(0.5) and job.cost == 0.5
    assert (result.width, result.height, result.duration, result.format) == (1280, 720, 5.0, "MP4")
    check_files(job)
    sidecar = json.loads(result.sidecar.read_text())  # type: ignore[union-attr]
    assert sidecar["request"]["taskUUID"] == job.task_uuid
    assert sidecar["result"]["sha256"] == result.sha256
    assert sidecar["engine"] == job.engine and sidecar["wan_notebook"]
    assert job.finished_at and job.started_at and job.elapsed > 0
    assert job.progress == 1.0
    assert journal_problems(wan.media_dir) == []


def test_the_prompt_can_be_positional_a_keyword_or_a_request(wan: Wan, engine) -> None:
    wan.use(engine(render_mode="tiny"))
    by_position = generate(PROMPT, size="1280x720", seed=1)
    by_keyword = generate(prompt=PROMPT, size="1280x720", seed=2)
    by_request = generate(VideoRequest.build(PROMPT, size="1280x720", seed=4))
    JobGroup([by_position, by_keyword, by_request]).wait(30)
    assert [j.results[0].seed for j in (by_position, by_keyword, by_request)] == [1, 2, 4]


async def test_a_job_can_be_awaited_on_the_running_loop(wan: Wan, engine) -> None:
    wan.use(engine(render_mode="tiny"))
    job = generate(PROMPT, size="1280x720", seed=5)
    assert job._loop is not asyncio.get_running_loop()  # it runs on the private loop
    assert await job is job
    assert job.status == "done"


def test_job_wait_inside_a_running_loop_works_like_a_notebook_cell(wan: Wan, engine) -> None:
    eng = engine(delay=0.2, render_mode="tiny")
    env = {**os.environ, "WAN_BACKEND": "runware", "WAN_BASE_URL": eng.base_url,
           "RUNWARE_API_KEY": eng.api_key, "WAN_MEDIA_DIR": str(wan.media_dir)}  # fmt: skip
    code = """
        import asyncio
        from wan_notebook import configure, generate
        configure(poll_first=0.05, poll_min=0.05)

        async def cell():  # a cell runs on the kernel's loop; jobs run on the private one
            job = generate("a fox", size="1280x720", seed=9)
            assert job._loop is not asyncio.get_running_loop()
            job.wait(30)  # synchronous, inside the running loop: blocks on a future
            print(job.status, len(job.results))

        asyncio.run(cell())
    """
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["done", "1"]


# ----- nothing sent when it should not be -------------------------------------------------------


def test_an_invalid_request_raises_before_any_network_call(wan: Wan, engine) -> None:
    eng = engine()
    wan.use(eng)
    with pytest.raises(InvalidRequestError) as caught:
        generate(PROMPT, size="1280x721", duration=7)
    assert set(caught.value.parameters) >= {"size", "duration"} or caught.value.parameters
    assert http_requests(eng.stats()) == 0
    assert wan.store.tasks() == []


def test_running_the_same_request_again_does_not_reach_the_server(wan: Wan, engine) -> None:
    eng = engine(render_mode="tiny")
    wan.use(eng)
    first = generate(PROMPT, size="1280x720", seed=11).wait(30)
    stats = eng.stats()
    again = generate(PROMPT, size="1280x720", seed=11)
    assert again.cached and again.status == "done"
    assert [r.path for r in again.results] == [r.path for r in first.results]
    assert again.wait(1) is again
    assert eng.stats()["http_requests"] == stats["http_requests"]
    assert eng.stats()["downloads"] == stats["downloads"]
    fresh = generate(PROMPT, size="1280x720", seed=11, new=True).wait(30)
    assert not fresh.cached and fresh.task_uuid != first.task_uuid
    assert eng.stats()["tasks"]["videoInference"] == stats["tasks"]["videoInference"] + 1
    assert fresh.results[0].path != first.results[0].path


def test_the_cache_misses_when_the_file_is_gone(wan: Wan, engine) -> None:
    wan.use(engine(render_mode="tiny"))
    first = generate(PROMPT, size="1280x720", seed=12).wait(30)
    first.results[0].path.unlink()
    again = generate(PROMPT, size="1280x720", seed=12)
    assert not again.cached
    again.wait(30)


# ----- several videos per task -----------------------------------------------------------------


def test_number_results_brings_every_video_once(wan: Wan, engine) -> None:
    wan.use(engine(delay=0.2, render_mode="tiny"))
    job = generate(PROMPT, size="1280x720", seed=30, n=3).wait(30)
    assert len(job.results) == 3
    assert len({r.video_uuid for r in job.results}) == 3
    assert len({r.path for r in job.results}) == 3
    assert job.cost == pytest.approx(1.5)
    check_files(job)


def test_a_partial_failure_keeps_the_successes(wan: Wan, engine) -> None:
    eng = engine(delay=0.2, render_mode="tiny", faults={"next": {"task_fail": 1}})
    wan.use(eng)
    job = generate(PROMPT, size="1280x720", seed=31, n=2)
    with pytest.raises(TaskFailedError, match="1 of 2 failed; 1 video"):
        job.wait(30)
    assert job.status == "failed" and len(job.results) == 1
    assert isinstance(job.error, TaskFailedError) and job.error.code == "inferenceError"
    check_files(job)
    assert journal_problems(wan.media_dir) == []


# ----- progress, events, callbacks --------------------------------------------------------------


def test_progress_comes_from_the_api_when_it_sends_some(wan: Wan, engine) -> None:
    wan.use(engine(delay=1.5, render_mode="tiny"))
    job = generate(PROMPT, size="1280x720", seed=40)
    wait_until(lambda: job.status == "processing" and job.progress_source == "api", 10,
               "api progress")  # fmt: skip
    assert job.progress is not None and 0.0 <= job.progress <= 1.0
    job.wait(30)


def test_progress_is_estimated_when_the_api_sends_none(wan: Wan, engine) -> None:
    wan.use(engine(delay=1.5, render_mode="tiny", progress=False))
    job = generate(PROMPT, size="1280x720", seed=41)
    wait_until(lambda: job.status == "processing", 10, "processing")
    assert job.progress_source == "estimate"
    assert job.progress is not None and 0.0 <= job.progress <= ESTIMATE_CAP
    job.wait(30)
    # Finished jobs teach the estimate: similar jobs are now expected to take about as long.
    learned = wan.store.typical_seconds(
        "720p", 5, backend=wan.session.context().backend.cache_scope
    )
    assert learned is not None and 1.0 < learned < 10.0


def test_on_change_sees_every_state_and_callback_errors_are_swallowed(wan: Wan, engine) -> None:
    wan.use(engine(delay=0.2, render_mode="tiny"))
    seen: list[str] = []
    job = generate(PROMPT, size="1280x720", seed=42)
    job.on_change(lambda j: seen.append(j.status))

    @job.on_change
    def broken(j: Job) -> None:
        raise RuntimeError("a widget bug")

    job.wait(30)
    assert seen[-1] == "done"
    assert {"downloading", "done"} <= set(seen)


def test_a_group_reports_changes_of_any_of_its_jobs(wan: Wan, engine) -> None:
    wan.use(engine(delay=0.2, render_mode="tiny"))
    group = seed_sweep(VideoRequest.build(PROMPT, size="1280x720"), [1, 2])
    calls: list[JobGroup] = []
    group.on_change(calls.append)
    group.wait(30)
    assert calls and all(c is group for c in calls)
    assert group.counts == {"done": 2} and group.done and "2 done" in repr(group)


# ----- waiting and cancelling ---------------------------------------------------------------------


def test_wait_timeout_raises_and_the_job_keeps_running(wan: Wan, engine) -> None:
    wan.use(engine(delay=1.0, render_mode="tiny"))
    job = generate(PROMPT, size="1280x720", seed=50)
    with pytest.raises(JobTimeoutError, match="keeps running"):
        job.wait(0.1)
    assert job.wait(30).status == "done"


def test_cancel_stops_polling_and_records_that_the_api_may_still_bill(wan: Wan, engine) -> None:
    eng = engine(delay=5.0, render_mode="tiny")
    wan.use(eng)
    job = generate(PROMPT, size="1280x720", seed=51)
    wait_until(lambda: job.status == "processing", 10, "processing")
    job.cancel()
    assert job.status == "cancelled" and "may still" in job.detail and "bill" in job.detail
    with pytest.raises(JobCancelledError):
        job.wait(1)
    row = wan.store.task(job.task_uuid)
    assert row is not None and row.status == "cancelled"
    polls = eng.stats()["tasks"].get("getResponse", 0)
    time.sleep(0.3)  # checking that nothing more happens takes a little time
    assert eng.stats()["tasks"].get("getResponse", 0) == polls
    assert journal_problems(wan.media_dir) == []


def test_a_group_can_be_cancelled(wan: Wan, engine) -> None:
    wan.use(engine(delay=5.0, render_mode="tiny"))
    group = seed_sweep(VideoRequest.build(PROMPT, size="1280x720"), [1, 2, 3])
    group.cancel()
    assert group.counts == {"cancelled": 3}
    with pytest.raises(JobCancelledError):
        group.wait(1)
    assert group.wait(1, raise_errors=False) is group


def test_job_repr_is_short(wan: Wan, engine) -> None:
    wan.use(engine(render_mode="tiny"))
    job = generate("x" * 300, size="1280x720", seed=60)
    text = repr(job)
    assert text.startswith(f"<Job {job.task_uuid[:8]} ") and len(text) < 140
    job.wait(30)


def test_job_repr_says_the_cost_once(wan: Wan, engine) -> None:
    wan.use(engine(delay=1.0, render_mode="tiny"))
    job = generate(PROMPT, size="1280x720", seed=61)
    assert repr(job).count("$") == 1 and "~$" in repr(job)  # the estimate while it runs
    job.wait(30)
    text = repr(job)
    assert job.cost is not None and text.count("$") == 1, text
    assert f", ${job.cost:.2f} " in text and "~$" not in text, text


# ----- backends and robustness ---------------------------------------------------------------


def test_without_a_key_jobs_run_on_the_embedded_local_engine(wan: Wan) -> None:
    from wan_notebook.local.launcher import stop_shared_engine

    wan.use(backend="auto", local_delay=0.2)
    try:
        job = generate(PROMPT, size="1280x720", seed=1, duration=5).wait(120)
        assert job.engine == "local preview engine"
        assert job.results[0].path.stat().st_size > 10_000  # a real rendered clip
        sidecar = json.loads(job.results[0].sidecar.read_text())  # type: ignore[union-attr]
        assert sidecar["engine"] == "local preview engine"
    finally:
        stop_shared_engine()


def test_the_runware_backend_without_a_key_fails_before_any_request(wan: Wan) -> None:
    wan.use(backend="runware", api_key=None)
    with pytest.raises(AuthenticationError, match="no API key"):
        generate(PROMPT, size="1280x720", seed=1)


def test_a_journal_that_cannot_be_written_fails_the_job_instead_of_hanging(
    wan: Wan, engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    eng = engine(render_mode="tiny")
    wan.use(eng, budget_usd=1.0)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(type(wan.store), "journal", broken)
    job = generate(PROMPT, size="1280x720", seed=1)
    with pytest.raises(WanError, match=r"internal error.*database is locked"):
        job.wait(10)
    assert http_requests(eng.stats()) == 0  # never sent without its journal row
    assert session_spend() == 0.0  # and so not counted against the budget


def test_a_refused_key_at_submit_is_not_counted_as_spent(wan: Wan, engine) -> None:
    eng = engine(render_mode="tiny")
    wan.use(eng, api_key="wan-local-wrong-key-111111111111")
    with pytest.raises(AuthenticationError):
        generate(PROMPT, size="1280x720", seed=1).wait(30)
    assert session_spend() == 0.0
    row = wan.store.tasks()[0]
    assert row.status == "failed" and not row.recoverable
