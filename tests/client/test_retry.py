"""The retry policy: what is retried, how long it waits, what it raises in the end."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import tenacity

from wan_notebook.client import _retry as retry
from wan_notebook.errors import InvalidRequestError, NetworkError, RateLimitError, ServerError
from wan_notebook.settings import Settings

FAST = Settings(max_attempts=4, backoff_base=0.001, backoff_max=0.002)


def test_retry_after_reads_delta_seconds() -> None:
    assert retry.parse_retry_after("3") == 3.0
    assert retry.parse_retry_after(" 0.5 ") == 0.5


def test_retry_after_reads_an_http_date() -> None:
    now = time.time()
    when = datetime.fromtimestamp(now, UTC) + timedelta(seconds=20)
    seconds = retry.parse_retry_after(format_datetime(when, usegmt=True), now=now)
    assert seconds is not None and 19 <= seconds <= 20


@pytest.mark.parametrize("value", [None, "", "soon", "nan"])
def test_retry_after_ignores_what_it_cannot_read(value: str | None) -> None:
    assert retry.parse_retry_after(value) is None


def test_retry_after_is_never_negative_nor_endless() -> None:
    assert retry.parse_retry_after("-5") == 0.0
    assert retry.parse_retry_after("86400") == retry.RETRY_AFTER_LIMIT


def _state(attempt: int, exc: BaseException) -> tenacity.RetryCallState:
    state = tenacity.RetryCallState(retry_object=tenacity.Retrying(), fn=None, args=(), kwargs={})
    state.attempt_number = attempt
    state.set_exception((type(exc), exc, None))
    return state


def test_backoff_is_full_jitter_below_a_growing_cap() -> None:
    wait = retry._BackoffWait(base=0.5, cap=4.0)
    fault = retry.Retryable("network", "reset")
    for attempt, ceiling in ((1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (9, 4.0)):
        waits = [wait(_state(attempt, fault)) for _ in range(200)]
        assert all(0.0 <= w <= ceiling for w in waits)
        assert max(waits) > ceiling / 2  # jitter spreads over the whole range


def test_backoff_honours_retry_after_over_jitter() -> None:
    wait = retry._BackoffWait(base=0.5, cap=4.0)
    fault = retry.Retryable("status", "HTTP 429", status=429, retry_after=7.0)
    assert wait(_state(1, fault)) == 7.0


async def test_call_retries_until_it_succeeds() -> None:
    calls = []

    async def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise retry.Retryable("status", "HTTP 503", status=503)
        return "ok"

    assert await retry.call(flaky, what="POST", settings=FAST) == "ok"
    assert len(calls) == 3


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (retry.Retryable("status", "HTTP 429", status=429), RateLimitError),
        (retry.Retryable("status", "HTTP 503", status=503), ServerError),
        (retry.Retryable("status", "HTTP 408", status=408), ServerError),
        (retry.Retryable("network", "connection reset"), NetworkError),
        (retry.Retryable("malformed", "not JSON"), NetworkError),
    ],
)
async def test_call_raises_a_typed_error_after_the_last_attempt(
    fault: retry.Retryable, expected: type[Exception]
) -> None:
    calls = []

    async def failing() -> None:
        calls.append(1)
        raise fault

    with pytest.raises(expected, match="after 4 attempts"):
        await retry.call(failing, what="POST", settings=FAST)
    assert len(calls) == FAST.max_attempts


async def test_call_does_not_retry_other_errors() -> None:
    calls = []

    async def invalid() -> None:
        calls.append(1)
        raise InvalidRequestError([])

    with pytest.raises(InvalidRequestError):
        await retry.call(invalid, what="POST", settings=FAST)
    assert len(calls) == 1


async def test_call_waits_as_long_as_retry_after_asks() -> None:
    calls: list[float] = []

    async def busy() -> str:
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise retry.Retryable("status", "HTTP 429", status=429, retry_after=0.3)
        return "ok"

    assert await retry.call(busy, what="POST", settings=FAST) == "ok"
    assert calls[1] - calls[0] >= 0.29


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 599])
def test_retry_statuses_are_408_429_and_5xx(status: int) -> None:
    assert retry.is_retry_status(status)


@pytest.mark.parametrize("status", [200, 400, 401, 402, 403, 404, 409])
def test_other_statuses_are_not_retried(status: int) -> None:
    assert not retry.is_retry_status(status)


async def test_a_call_that_succeeds_at_once_runs_once() -> None:
    calls = []

    async def fine() -> str:
        calls.append(1)
        return "ok"

    assert await retry.call(fine, what="POST", settings=FAST) == "ok"
    assert len(calls) == 1


async def test_a_single_attempt_fault_is_the_typed_error_at_once() -> None:
    calls = []

    async def failing() -> None:
        calls.append(1)
        raise retry.Retryable("status", "HTTP 503", status=503)

    with pytest.raises(ServerError, match="after 1 attempt"):
        await retry.call(failing, what="POST", settings=FAST, max_attempts=1)
    assert len(calls) == 1


async def test_the_first_fault_is_logged_and_waited_for_like_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[float] = []

    async def flaky() -> str:
        calls.append(time.monotonic())
        if len(calls) < 3:
            raise retry.Retryable("status", "HTTP 429", status=429, retry_after=0.1)
        return "ok"

    with caplog.at_level("INFO", logger="wan_notebook.client._retry"):
        assert await retry.call(flaky, what="POST", settings=FAST) == "ok"
    assert [r.getMessage()[:24] for r in caplog.records] == [
        "POST: HTTP 429; retry 1 ",
        "POST: HTTP 429; retry 2 ",
    ]
    assert calls[1] - calls[0] >= 0.09 and calls[2] - calls[1] >= 0.09
