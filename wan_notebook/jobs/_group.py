"""JobGroup: several jobs (a seed sweep, a batch) read, waited on and cancelled together.

Waiting blocks on the loop its jobs run on (``_loop``: the private one), under one deadline,
from any thread; an interrupted wait leaves the jobs running.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from typing import Any, overload

from ..errors import JobTimeoutError, WanError
from ..store import Result
from . import _loop as runtime
from ._job import Job, wait_limit
from ._state import total_cost

__all__ = ["JobGroup"]


class JobGroup(Sequence[Job]):
    """Several jobs (a seed sweep, a batch): wait, await, cancel and read them together."""

    def __init__(self, jobs: Iterable[Job]) -> None:
        self.jobs: list[Job] = _checked(jobs)

    @overload
    def __getitem__(self, index: int) -> Job: ...
    @overload
    def __getitem__(self, index: slice) -> JobGroup: ...
    def __getitem__(self, index: int | slice) -> Job | JobGroup:
        if isinstance(index, slice):
            return JobGroup(self.jobs[index])
        return self.jobs[index]

    def __len__(self) -> int:
        return len(self.jobs)

    def __iter__(self) -> Iterator[Job]:
        return iter(self.jobs)

    @property
    def done(self) -> bool:
        return all(job.done for job in self.jobs)

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for job in self.jobs:
            out[job.status] = out.get(job.status, 0) + 1
        return out

    @property
    def results(self) -> list[Result]:
        return [result for job in self.jobs for result in job.results]

    @property
    def errors(self) -> list[WanError]:
        return [job.error for job in self.jobs if job.error is not None]

    @property
    def total_cost(self) -> float | None:
        return total_cost(job.cost for job in self.jobs)

    @property
    def estimated_cost(self) -> float:
        return round(sum(job.estimated_cost for job in self.jobs if not job.cached), 6)

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {status}" for status, n in sorted(self.counts.items()))
        cost = f"; ${self.total_cost:.2f}" if self.total_cost is not None else ""
        return f"<JobGroup {len(self.jobs)} jobs: {counts or 'empty'}{cost}>"

    def on_change(self, callback: Callable[[JobGroup], None]) -> Callable[[JobGroup], None]:
        """Call ``callback(group)`` after any job of the group changes."""
        if not callable(callback):
            raise TypeError(f"on_change needs a callable, not {type(callback).__name__}")
        for job in self.jobs:
            job.on_change(lambda _job: callback(self))
        return callback

    def cancel(self) -> None:
        for job in self.jobs:
            job.cancel()

    def wait(self, timeout: float | None = None, *, raise_errors: bool = True) -> JobGroup:
        """Wait for every job to end; then raise the first error (unless told not to).
        Finished jobs keep their results either way."""
        limit = wait_limit(timeout)
        deadline = time.monotonic() + limit
        for loop, jobs in self._by_loop().items():
            remaining = max(0.0, deadline - time.monotonic())
            try:
                runtime.run_sync(_settle_all(jobs), remaining, loop=loop)
            except TimeoutError:
                left = sum(1 for job in self.jobs if not job.done)
                raise JobTimeoutError(
                    f"{left} of {len(self.jobs)} jobs not finished after {limit:g} s;"
                    " they keep running"
                ) from None
            except KeyboardInterrupt:
                left = sum(1 for job in self.jobs if not job.done)
                raise KeyboardInterrupt(
                    f"stopped waiting; {left} of {len(self.jobs)} jobs keep running:"
                    " .cancel() stops them"
                ) from None
        return self._outcome(raise_errors)

    def __await__(self) -> Generator[Any, None, JobGroup]:
        return self._wait_async().__await__()

    async def _wait_async(self, raise_errors: bool = True) -> JobGroup:
        await asyncio.gather(*(job._settled_anywhere() for job in self.jobs if not job.done))
        return self._outcome(raise_errors)

    def _by_loop(self) -> dict[asyncio.AbstractEventLoop, list[Job]]:
        out: dict[asyncio.AbstractEventLoop, list[Job]] = {}
        for job in self.jobs:
            if job._loop is not None and not job.done:
                out.setdefault(job._loop, []).append(job)
        return out

    def _outcome(self, raise_errors: bool) -> JobGroup:
        if raise_errors and self.errors:
            raise self.errors[0]
        return self


def _checked(jobs: object) -> list[Job]:
    if not isinstance(jobs, Iterable) or isinstance(jobs, str | bytes):
        raise TypeError(f"JobGroup takes an iterable of Jobs, not {type(jobs).__name__}")
    items = list(jobs)
    for item in items:
        if not isinstance(item, Job):
            raise TypeError(f"JobGroup takes Jobs, not {type(item).__name__}")
    return items


async def _settle_all(jobs: Sequence[Job]) -> None:
    await asyncio.gather(*(job._settled() for job in jobs))
