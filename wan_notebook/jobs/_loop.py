"""Where jobs run, and how other threads wait for them (design decision 2, revised).

Every job runs on ONE private event loop in a daemon thread, started on first use,
whatever loop the caller has. A notebook cell that computes (``time.sleep(10)``, a
training step) blocks the kernel's thread and its loop, never this one: submissions,
polls and downloads go on meanwhile, and the widgets update from this thread (ipykernel
sends comm messages through its IOPub thread).

Other threads reach the loop only through thread-safe doors: ``call_soon`` and ``spawn``
schedule work on it, ``run_sync`` blocks the calling thread on a concurrent future (a cell's
``job.wait()``, a button callback's ``job.cancel()``), and ``wait_on`` awaits from another
running loop (``await job`` in a cell) through ``asyncio.wrap_future``, never blocking that
loop. No loop is ever re-entered, so ``nest_asyncio2`` is gone: its patch is process-wide
(the loop class, so ipykernel 7's subshell loops too) and is suspected in issue 10's
finding 10 (buttons dead for minutes, a cancelled job finishing).
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from ..client import lasting_loop

log = logging.getLogger("wan_notebook.jobs._loop")

T = TypeVar("T")

_lock = threading.Lock()
_private: asyncio.AbstractEventLoop | None = None
_private_thread: threading.Thread | None = None
_shutdown_hooks: list[Callable[[], Awaitable[None]]] = []
# asyncio keeps only weak references to tasks: hold them until they finish.
_tasks: set[asyncio.Task[Any]] = set()


def running_loop() -> asyncio.AbstractEventLoop | None:
    """The loop running in this thread, if any."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def job_loop() -> asyncio.AbstractEventLoop:
    """The loop new jobs run on: always the private one (a busy cell cannot stop it)."""
    return private_loop()


def private_loop() -> asyncio.AbstractEventLoop:
    """The daemon-thread loop every job runs on (started once, on first use)."""
    global _private, _private_thread
    with _lock:
        if _private is not None and not _private.is_closed():
            return _private
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            loop.run_forever()

        thread = threading.Thread(target=run, name="wan-notebook-loop", daemon=True)
        thread.start()
        ready.wait()
        _private, _private_thread = loop, thread
        # Its clients are closed by the shutdown hook before it stops: the faster transport
        # (aiohttp) is safe on it.
        lasting_loop(loop)
        return loop


def running_private_loop() -> asyncio.AbstractEventLoop | None:
    """The private loop if it runs, without starting one."""
    loop = _private
    return loop if loop is not None and loop.is_running() else None


def is_private(loop: asyncio.AbstractEventLoop) -> bool:
    return loop is _private


def in_loop_thread(loop: asyncio.AbstractEventLoop) -> bool:
    return running_loop() is loop


def spawn(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T]) -> None:
    """Run ``coro`` as a task on ``loop`` from any thread; its errors are logged, not lost."""
    if in_loop_thread(loop):
        _track(loop.create_task(coro))
    else:
        loop.call_soon_threadsafe(lambda: _track(loop.create_task(coro)))


def _track(task: asyncio.Task[Any]) -> None:
    _tasks.add(task)
    task.add_done_callback(_finished)


def _finished(task: asyncio.Task[Any]) -> None:
    _tasks.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("background task failed", exc_info=task.exception())


def call_soon(loop: asyncio.AbstractEventLoop, fn: Callable[[], None]) -> None:
    """Call ``fn`` on the loop's thread: now when already there, else soon."""
    if in_loop_thread(loop):
        fn()
    else:
        loop.call_soon_threadsafe(fn)


def run_sync(
    awaitable: Awaitable[T],
    timeout: float | None = None,
    *,
    loop: asyncio.AbstractEventLoop | None = None,
) -> T:
    """Block this thread until ``awaitable`` is done on ``loop`` (default: the private
    loop) and return its result.

    Raises ``TimeoutError`` after ``timeout`` seconds, and lets ``KeyboardInterrupt``
    through; either way the awaitable is cancelled (wrap it in ``asyncio.shield`` to keep
    the work going). Called on ``loop``'s own thread it would wait forever: RuntimeError.
    """
    target = loop or private_loop()
    if target.is_closed():
        _close_unawaited(awaitable)
        raise RuntimeError("the event loop these jobs ran on is closed")
    if running_loop() is target:
        _close_unawaited(awaitable)
        raise RuntimeError(
            "cannot block the jobs' own event loop thread (an on_change callback?): use await"
        )
    if not target.is_running():
        _close_unawaited(awaitable)
        raise RuntimeError("the event loop these jobs run on is not running")
    # Blocking this thread is fine: the work happens on the target loop's own thread.
    future = asyncio.run_coroutine_threadsafe(_as_coroutine(awaitable), target)
    try:
        return future.result(timeout)
    except concurrent.futures.TimeoutError:
        future.cancel()
        raise TimeoutError(f"not finished after {timeout} s") from None
    except KeyboardInterrupt:
        future.cancel()  # the waiting, not the work: callers shield what must go on
        raise


async def wait_on(loop: asyncio.AbstractEventLoop | None, coro: Coroutine[Any, Any, T]) -> T:
    """Await ``coro`` run on ``loop`` from whatever loop runs here, without blocking it."""
    if loop is None or running_loop() is loop:
        return await coro
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, loop))


async def _as_coroutine(awaitable: Awaitable[T]) -> T:
    return await awaitable


def _close_unawaited(awaitable: Awaitable[Any]) -> None:
    if asyncio.iscoroutine(awaitable):
        awaitable.close()


def add_shutdown_hook(hook: Callable[[], Awaitable[None]]) -> None:
    """An async clean-up to run on the private loop at interpreter exit (close clients...)."""
    with _lock:
        _shutdown_hooks.append(hook)


def shutdown(timeout: float = 5.0) -> None:
    """Stop the private loop: cancel its tasks (their ``finally`` blocks remove temp files),
    run the shutdown hooks, then stop the thread. Journaled jobs stay recoverable."""
    global _private, _private_thread
    with _lock:
        loop, thread, hooks = _private, _private_thread, list(_shutdown_hooks)
        _private = _private_thread = None
    if loop is None or loop.is_closed() or not loop.is_running():
        return

    async def wind_down() -> None:
        me = asyncio.current_task()
        pending = [t for t in asyncio.all_tasks() if t is not me]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for hook in hooks:
            with contextlib.suppress(Exception):
                await hook()

    with contextlib.suppress(Exception):
        asyncio.run_coroutine_threadsafe(wind_down(), loop).result(timeout)
    loop.call_soon_threadsafe(loop.stop)
    if thread is not None:
        thread.join(timeout)
    if not loop.is_running():
        loop.close()


atexit.register(shutdown)
