"""Where jobs run and how sync code waits: the kernel's loop, or one private loop thread."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import textwrap
import threading

import pytest

from tests.wan_checks import wait_until
from wan_notebook.jobs import _loop as runtime


def _python(code: str, timeout: float = 60.0) -> str:
    """Run code in a fresh interpreter (nest_asyncio2 patches process-wide: keep it there)."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


async def test_jobs_run_on_the_running_loop_when_there_is_one() -> None:
    assert runtime.job_loop() is asyncio.get_running_loop()


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


def test_run_sync_inside_a_running_loop_reenters_it_with_nest_asyncio2() -> None:
    # What job.wait() does in a notebook cell: the cell runs on the kernel's loop, and the
    # job it waits for is a task on that same loop, which must keep running meanwhile.
    out = _python(
        """
        import asyncio
        from wan_notebook.jobs import _loop as runtime

        async def cell():
            loop = asyncio.get_running_loop()
            before = hasattr(type(loop), "_nest_patched")
            done = loop.create_future()
            async def job():
                await asyncio.sleep(0.05)
                done.set_result("video")
            task = loop.create_task(job())
            async def wait():
                return await done
            value = runtime.run_sync(wait(), 5)
            print(before, value, hasattr(type(loop), "_nest_patched"), task.done())

        asyncio.run(cell())
        """
    )
    assert out == "False video True True"


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
