"""Where jobs run and how other code waits: one private loop thread, whatever the caller."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import textwrap
import threading
import time
from typing import TYPE_CHECKING

import pytest

from tests.wan_checks import check_files, wait_until
from wan_notebook.errors import JobCancelledError
from wan_notebook.jobs import _loop as runtime
from wan_notebook.jobs import generate

if TYPE_CHECKING:
    from tests.wan_fixtures import Wan

PROMPT = "a heron waiting in the reeds at dawn"


def _python(code: str, timeout: float = 60.0, env: dict[str, str] | None = None) -> str:
    """Run code in a fresh interpreter (what it imports and patches stays there)."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


async def test_jobs_run_on_the_private_loop_even_under_a_running_loop() -> None:
    # A cell's loop stops whenever the cell computes: jobs must not depend on it.
    assert runtime.job_loop() is runtime.private_loop()
    assert runtime.job_loop() is not asyncio.get_running_loop()


def test_without_a_running_loop_jobs_run_on_one_private_daemon_thread() -> None:
    loop = runtime.job_loop()
    assert loop is runtime.job_loop() is runtime.private_loop()
    assert loop.is_running() and runtime.is_private(loop)
    threads = [t for t in threading.enumerate() if t.name == "wan-notebook-loop"]
    assert len(threads) == 1 and threads[0].daemon


def test_run_sync_from_plain_code_returns_the_result() -> None:
    async def answer() -> tuple[int, bool]:
        return 42, runtime.is_private(asyncio.get_running_loop())

    assert runtime.run_sync(answer(), 5) == (42, True)


def test_run_sync_raises_what_the_awaitable_raises() -> None:
    async def broken() -> None:
        raise ValueError("nope")

    with pytest.raises(ValueError, match="nope"):
        runtime.run_sync(broken(), 5)


def test_run_sync_timeout_raises_and_cancels_the_awaitable() -> None:
    cancelled = threading.Event()

    async def forever() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    with pytest.raises(TimeoutError):
        runtime.run_sync(forever(), 0.05)
    wait_until(cancelled.is_set, 5, "the awaitable to be cancelled")


def test_run_sync_on_a_closed_loop_says_so() -> None:
    loop = asyncio.new_event_loop()
    loop.close()

    async def nothing() -> None:
        return None

    with pytest.raises(RuntimeError, match="closed"):
        runtime.run_sync(nothing(), 1, loop=loop)


def test_run_sync_inside_a_running_loop_blocks_on_the_private_loop_without_patching() -> None:
    # What job.wait() does in a notebook cell: the cell runs on the kernel's loop; the work
    # runs on the private loop, and the cell's thread just blocks on a future.
    out = _python(
        """
        import asyncio, sys
        from wan_notebook.jobs import _loop as runtime

        async def cell():
            loop = asyncio.get_running_loop()
            async def work():
                await asyncio.sleep(0.05)
                return runtime.is_private(asyncio.get_running_loop())
            value = runtime.run_sync(work(), 5)
            print(value, hasattr(type(loop), "_nest_patched"), "nest_asyncio2" in sys.modules)

        asyncio.run(cell())
        """
    )
    assert out == "True False False"


def test_run_sync_on_the_loop_thread_itself_refuses_instead_of_hanging() -> None:
    async def inner() -> None:
        return None

    async def on_loop() -> str:
        try:
            runtime.run_sync(inner(), 1)
        except RuntimeError as exc:
            return str(exc)
        return "no error"

    assert "use await" in runtime.run_sync(on_loop(), 5)


async def test_wait_on_awaits_private_loop_work_without_blocking_the_caller_loop() -> None:
    ticks = 0

    async def count() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    async def work() -> bool:
        await asyncio.sleep(0.2)
        return runtime.is_private(asyncio.get_running_loop())

    counter = asyncio.create_task(count())
    assert await runtime.wait_on(runtime.private_loop(), work()) is True
    counter.cancel()
    assert ticks >= 5, "the caller's loop must keep running while it awaits"


def test_keyboard_interrupt_in_run_sync_cancels_the_wait_not_shielded_work() -> None:
    # Ctrl-C in a cell blocked in job.wait(): the KeyboardInterrupt reaches the caller and
    # the shielded work (the job) goes on.
    out = _python(
        """
        import asyncio, os, signal, threading, time
        from wan_notebook.jobs import _loop as runtime

        loop = runtime.private_loop()
        job = asyncio.run_coroutine_threadsafe(asyncio.sleep(0.6, "video"), loop)

        async def wait():
            await asyncio.shield(asyncio.wrap_future(job))

        threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        start = time.monotonic()
        try:
            runtime.run_sync(wait(), 5)
        except KeyboardInterrupt:
            print("interrupted", round(time.monotonic() - start, 1) < 0.5)
        print(job.result(5))
        """
    )
    assert out.split() == ["interrupted", "True", "video"]


def test_importing_the_package_patches_nothing() -> None:
    out = _python(
        """
        import asyncio, sys
        import wan_notebook, wan_notebook.jobs, wan_notebook.client, wan_notebook.jobs._loop
        print(hasattr(asyncio, "_nest_patched"), "nest_asyncio2" in sys.modules)
        """
    )
    assert out == "False False"


def test_importing_the_package_stays_light() -> None:
    out = _python(
        """
        import sys
        import wan_notebook
        print(sorted(m for m in ("httpx", "sqlite3", "tenacity") if m in sys.modules))
        """
    )
    assert out == "[]"


def test_spawned_tasks_that_fail_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    async def broken() -> None:
        raise RuntimeError("lost?")

    with caplog.at_level(logging.ERROR, logger="wan_notebook.jobs._loop"):
        runtime.spawn(runtime.private_loop(), broken())
        wait_until(lambda: "background task failed" in caplog.text, 5, "the log line")


# ----- jobs advance while the caller's thread is busy (issue 10, finding 9) ------------------


async def test_a_job_finishes_while_a_cell_computes_under_a_running_loop(wan: Wan, engine) -> None:
    # A notebook cell is sync code run by the kernel's loop: while it computes, that loop
    # cannot run. The job must still be sent, polled and downloaded meanwhile.
    eng = engine(delay=0.3, render_mode="tiny")
    wan.use(eng)

    def cell() -> tuple[str, float]:
        job = generate(PROMPT, size="1280x720", seed=11)
        start = time.monotonic()
        while not job.done and time.monotonic() - start < 20:
            time.sleep(0.05)  # computing; the running loop is blocked
        return job.status, time.monotonic() - start

    assert asyncio.get_running_loop().is_running()
    status, seconds = cell()
    assert status == "done", f"the job was {status!r} after {seconds:.1f} s of a busy cell"
    job = wan.session.jobs[-1]
    assert len(job.results) == 1 and job.results[0].path.exists()
    check_files(job)
    assert eng.stats()["submits_by_uuid"] == {job.task_uuid: 1}


async def test_cancel_from_another_thread_ends_a_wait_in_a_running_loop(wan: Wan, engine) -> None:
    # A Cancel click is handled on a kernel subshell thread while the cell blocks in wait().
    wan.use(engine(delay=30, render_mode="tiny"))
    job = generate(PROMPT, size="1280x720", seed=12)
    wait_until(lambda: job.status == "processing", 10, "the job to be processing")
    clicked = threading.Timer(0.3, job.cancel)
    clicked.start()
    start = time.monotonic()
    with pytest.raises(JobCancelledError):
        job.wait(20)
    assert time.monotonic() - start < 5
    assert job.status == "cancelled"


def test_ctrl_c_in_wait_keeps_the_job_running_and_says_so(wan: Wan, engine) -> None:
    eng = engine(delay=1.5, render_mode="tiny")
    env = {**os.environ, "WAN_BACKEND": "runware", "WAN_BASE_URL": eng.base_url,
           "RUNWARE_API_KEY": eng.api_key, "WAN_MEDIA_DIR": str(wan.media_dir)}  # fmt: skip
    out = _python(
        """
        import os, signal, threading
        from wan_notebook import configure, generate
        configure(poll_first=0.05, poll_min=0.05)
        job = generate("a fox", size="1280x720", seed=13)
        threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        try:
            job.wait(30)
        except KeyboardInterrupt as exc:
            print("interrupted:", exc)
        print("then:", job.status)
        job.wait(30)
        print("finally:", job.status, len(job.results))
        """,
        env=env,
    )
    lines = out.splitlines()
    assert lines[0].startswith("interrupted: stopped waiting for job ")
    assert "it keeps running: job.cancel() stops it" in lines[0]
    assert lines[1] in ("then: queued", "then: submitted", "then: processing")  # not ended
    assert lines[2] == "finally: done 1"
