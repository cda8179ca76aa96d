"""The heartbeat a kernel writes into each journal it has running jobs in (``store._leases``).

While any job of an event loop runs, that loop beats every ``HEARTBEAT_S`` into the
journals of its jobs, so that ``recover()`` in another kernel leaves their tasks alone.
``stale_s`` is how old a heartbeat from another machine may be before its tasks count as
abandoned: a few of the longest poll intervals.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import Counter
from typing import ClassVar, Final

from ..settings import Settings
from ..store import Store

__all__ = ["Heartbeat", "stale_s"]

log = logging.getLogger("wan_notebook.jobs")

HEARTBEAT_S: Final = 1.0


def stale_s(settings: Settings) -> float:
    """Seconds after which another machine's silent kernel has let its tasks go."""
    return max(10.0, 6 * settings.poll_max)


class Heartbeat:
    """The heartbeat of one event loop (``Heartbeat.for_loop``)."""

    _by_loop: ClassVar[weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Heartbeat]] = (
        weakref.WeakKeyDictionary()
    )

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._holds: Counter[Store] = Counter()
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def for_loop(cls, loop: asyncio.AbstractEventLoop) -> Heartbeat:
        beat = cls._by_loop.get(loop)
        if beat is None:
            beat = cls._by_loop[loop] = Heartbeat(loop)
        return beat

    def hold(self, store: Store) -> None:
        """A job runs on this loop with ``store`` (on the loop thread)."""
        self._holds[store] += 1
        if self._task is None or self._task.done():
            self._task = self._loop.create_task(self._run(), name="wan-notebook-heartbeat")

    def release(self, store: Store) -> None:
        self._holds[store] -= 1
        if self._holds[store] <= 0:
            del self._holds[store]

    async def _run(self) -> None:
        while self._holds:
            for store in list(self._holds):
                try:
                    store.heartbeat()
                except Exception:  # a journal error must not stop the jobs
                    log.warning("could not write the heartbeat to %s", store.path, exc_info=True)
            await asyncio.sleep(HEARTBEAT_S)
