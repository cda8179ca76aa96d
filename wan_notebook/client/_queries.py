"""Scoped queries (``getResponse``, ``getTaskDetails``): batched, refused as a whole or not.

``query`` sends one task of ``kind`` per taskUUID, ``batch_size`` to a POST, and reads each
answer with a ``Reader`` from ``_outcomes``. A server that refuses several tasks of a kind
in one request is remembered (``unbatched``) and asked one task per request from then on.
Every failure that concerns the request rather than a task becomes ``PollRefused``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Final, TypeVar

from ..errors import Retryable, WanError
from ._outcomes import Answer, PollRefused

log = logging.getLogger("wan_notebook.client._queries")

T = TypeVar("T")
V = TypeVar("V")
# Reads one query answer for the tasks asked about; None = the server refused a batch.
Reader = Callable[..., "dict[str, V] | None"]
Post = Callable[
    [Sequence[Mapping[str, Any]], str, Callable[[Answer], Any], "int | None"], Awaitable[Any]
]
_SINGLE_CONCURRENCY: Final = 8


def chunks(items: Sequence[T], size: int) -> list[Sequence[T]]:
    size = max(1, size)
    return [items[i : i + size] for i in range(0, len(items), size)]


async def query(
    post: Post,
    kind: str,
    reader: Reader[V],
    task_uuids: Sequence[str],
    *,
    attempts: int | None,
    batch_size: int,
    unbatched: set[str],
) -> dict[str, V]:
    """Each task's answer as ``reader`` reads it; raises ``PollRefused`` (see ``_outcomes``)."""
    uuids = list(dict.fromkeys(task_uuids))
    what = "poll" if kind == "getResponse" else "task details"
    out: dict[str, V] = {}
    try:
        if kind in unbatched:
            return await _each(post, kind, reader, uuids, what, attempts)
        for chunk in chunks(uuids, batch_size):
            if len(chunk) == 1:
                out.update(await _each(post, kind, reader, chunk, what, attempts))
                continue
            grouped = await post(
                [{"taskType": kind, "taskUUID": u} for u in chunk],
                f"{what} of {len(chunk)} tasks",
                functools.partial(reader, chunk, batched=True),
                attempts,
            )
            if grouped is None:  # the server refused the batch
                unbatched.add(kind)
                log.info("server refuses batched %s; asking one task per request", kind)
                out.update(await _each(post, kind, reader, chunk, what, attempts))
            else:
                out.update(grouped)
    except PollRefused:
        raise
    except WanError as exc:  # 401/402 at once, 429/5xx/malformed after the retries
        raise refused(exc) from exc
    return out


async def _each(
    post: Post, kind: str, reader: Reader[V], uuids: Sequence[str], what: str, attempts: int | None
) -> dict[str, V]:
    gate = asyncio.Semaphore(_SINGLE_CONCURRENCY)

    async def one(task_uuid: str) -> dict[str, V]:
        async with gate:
            grouped: dict[str, V] | None = await post(
                [{"taskType": kind, "taskUUID": task_uuid}],
                what,
                functools.partial(reader, [task_uuid], batched=False),
                attempts,
            )
        return grouped or {}

    out: dict[str, V] = {}
    # Every request ends before the first error is raised: none is left running.
    for part in await asyncio.gather(*(one(u) for u in uuids), return_exceptions=True):
        if isinstance(part, BaseException):
            raise part
        out.update(part)
    return out


def refused(error: WanError) -> PollRefused:
    """A query's failure as a refusal, with the status and wait of its last retried fault."""
    refusal = PollRefused.from_error(error)
    cause = error.__cause__
    if isinstance(cause, Retryable):
        refusal.retry_after = cause.retry_after
        refusal.status = refusal.status or cause.status
    return refusal
