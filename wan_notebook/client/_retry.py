"""When and how long to retry an HTTP call: the one retry policy of the client.

Retried: HTTP 408, 429 and 5xx, transport faults (refused, reset, timed out, dropped) and
malformed answers. Waits grow exponentially with full jitter (a random wait between 0 and
``backoff_base * 2**n``, capped at ``backoff_max``), so clients that failed together do not
come back together; a ``Retry-After`` header (seconds or an HTTP date) is honoured instead.
After ``max_attempts`` tries the last fault becomes a typed error: ``RateLimitError`` (429),
``ServerError`` (408, 5xx) or ``NetworkError`` (transport, malformed).

Callers raise ``Retryable`` for a fault worth another try; anything else passes through at
once (a 400 is not going to improve).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Awaitable, Callable
from email.utils import parsedate_to_datetime
from typing import TypeVar

import httpx
import tenacity

from ..errors import Retryable
from ..settings import Settings, get_settings

log = logging.getLogger("wan_notebook.client._retry")

T = TypeVar("T")
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# A server asking for more than this is treated as asking for this: a notebook user would
# rather see an error than a cell silently waiting for many minutes.
RETRY_AFTER_LIMIT = 120.0


def is_retry_status(status: int) -> bool:
    return status in RETRY_STATUSES or 500 <= status < 600


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # an HTTP date is always GMT; be lenient about the suffix
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return max(0.0, min(seconds, RETRY_AFTER_LIMIT))


def status_fault(response: httpx.Response, what: str = "") -> Retryable:
    """A status worth another try, with the wait the server asked for."""
    status = response.status_code
    return Retryable(
        "status",
        f"{what}HTTP {status}",
        status=status,
        retry_after=parse_retry_after(response.headers.get("Retry-After")),
    )


def network_fault(exc: httpx.TransportError, what: str = "") -> Retryable:
    """A transport fault (refused, reset, timed out, dropped), described in one line."""
    name = type(exc).__name__
    text = str(exc) or name
    return Retryable("network", f"{what}{name}: {text}" if text != name else f"{what}{text}")


class _BackoffWait(tenacity.wait.wait_base):
    """Full-jitter exponential backoff, unless the server said how long to wait."""

    def __init__(self, base: float, cap: float) -> None:
        self._base = base
        self._cap = cap

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        outcome = retry_state.outcome
        exc = outcome.exception() if outcome is not None else None
        if isinstance(exc, Retryable) and exc.retry_after is not None:
            return exc.retry_after
        ceiling = min(self._cap, self._base * 2 ** (retry_state.attempt_number - 1))
        return random.uniform(0.0, ceiling)


def _log_retry(what: str) -> Callable[[tenacity.RetryCallState], None]:
    def before_sleep(state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome is not None else None
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        log.info("%s: %s; retry %d in %.2fs", what, exc, state.attempt_number, wait)

    return before_sleep


async def call(
    attempt: Callable[[], Awaitable[T]],
    *,
    what: str,
    settings: Settings | None = None,
    max_attempts: int | None = None,
) -> T:
    """Run ``attempt`` until it returns, retrying ``Retryable`` faults by the policy."""
    s = settings or get_settings()
    attempts = max(1, max_attempts if max_attempts is not None else s.max_attempts)
    # The first try runs bare: setting tenacity up costs about as much CPU as a small
    # download (bench/bench_requests.py), and nearly every call succeeds at once. A first
    # fault is handed to tenacity as its first attempt, so waits, logs and counts are the same.
    first: Retryable | None = None
    try:
        return await attempt()
    except Retryable as exc:
        first = exc
    retrying = tenacity.AsyncRetrying(
        stop=tenacity.stop_after_attempt(attempts),
        wait=_BackoffWait(s.backoff_base, s.backoff_max),
        retry=tenacity.retry_if_exception_type(Retryable),
        before_sleep=_log_retry(what),
        reraise=True,
    )

    async def once() -> T:
        # tenacity awaits only coroutine functions; ``attempt`` may be a lambda.
        nonlocal first
        if first is not None:  # the bare first try's fault: tenacity's attempt 1
            fault, first = first, None
            raise fault
        return await attempt()

    try:
        return await retrying(once)
    except Retryable as exc:
        raise exc.final_error(what, attempts) from exc
