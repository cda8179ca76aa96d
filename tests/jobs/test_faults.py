"""Faults: every one the engine can inject ends in a result or the right error, with a clean
journal; and shapes the engine does not make (in-memory ``FakeRunware``)."""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.fake_runware import FakeRunware
from tests.wan_checks import check_files, journal_problems
from wan_notebook import VideoRequest
from wan_notebook.client import PollRefused
from wan_notebook.errors import (
    AuthenticationError,
    InsufficientCreditError,
    NetworkError,
    RateLimitError,
    ServerError,
    TaskFailedError,
    WanError,
)
from wan_notebook.jobs import generate, seed_sweep, session_spend

if TYPE_CHECKING:
    from tests.wan_fixtures import Wan


PROMPT = "a lighthouse in a storm, waves crashing"

# ----- every fault the engine can inject ----------------------------------------------------------

FAULTS: list[tuple[str, dict[str, Any], dict[str, Any], type[WanError] | None]] = [
    ("429 with Retry-After", {"next": {"429": 2}, "retry_after": 1}, {}, None),
    ("429 until retries run out", {"next": {"429": 9}, "retry_after": 0}, {"max_attempts": 3},
     RateLimitError),
    ("a burst of 500", {"next": {"500": 3}}, {}, None),
    ("a burst of 503", {"next": {"503": 4}}, {}, None),
    ("503 until retries run out", {"next": {"503": 9}}, {"max_attempts": 3}, ServerError),
    ("dropped connections", {"next": {"drop": 2}}, {}, None),
    ("processed, then dropped", {"next": {"drop_after": 1}}, {}, None),
    ("a slow answer", {"next": {"slow": 1}, "slow_seconds": 0.3}, {}, None),
    ("slower than the timeout", {"next": {"slow": 1}, "slow_seconds": 1.5},
     {"request_timeout": 0.4}, None),
    ("malformed JSON", {"next": {"malformed": 2}}, {}, None),
    ("JSON of the wrong shape", {"next": {"malformed": 2}, "malformed": "shape"}, {}, None),
    ("malformed until retries run out", {"next": {"malformed": 9}}, {"max_attempts": 3},
     NetworkError),
    ("a failed generation", {"next": {"task_fail": 1}}, {}, TaskFailedError),
    ("a failed generation, data shape", {"next": {"task_fail": 1}, "error_shape": "data"}, {},
     TaskFailedError),
    ("truncated downloads", {"next": {"truncate": 2}}, {}, None),
    ("truncated until retries run out", {"rates": {"truncate": 1.0}}, {"max_attempts": 2},
     NetworkError),
    ("402 insufficient credit", {"next": {"402": 1}}, {}, InsufficientCreditError),
    ("faults on polls only", {"apply_to": ["getResponse"],
                              "next": {"503": 2, "drop": 1, "malformed": 1, "429": 1}}, {}, None),
    ("polls failing for good", {"apply_to": ["getResponse"], "rates": {"503": 1.0}},
     {"max_attempts": 2}, PollRefused),
    ("batched getResponse refused", {"reject_batched_get_response": True}, {}, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("faults", "changes", "expected"),
    [pytest.param(f, c, e, id=name) for name, f, c, e in FAULTS],
)
def test_each_fault_ends_in_a_result_or_the_right_error_and_a_clean_journal(
    wan: Wan,
    engine,
    faults: dict[str, Any],
    changes: dict[str, Any],
    expected: type[WanError] | None,
) -> None:
    eng = engine(delay=0.2, render_mode="tiny")
    wan.use(eng, **changes)
    # Two jobs at once, so batched submits and polls meet the faults too.
    eng.set_faults({"seed": 1, **faults})
    started = time.monotonic()
    group = seed_sweep(VideoRequest.build(PROMPT, size="1280x720"), [1, 2])
    group.wait(60, raise_errors=False)
    elapsed = time.monotonic() - started
    stats = eng.stats()
    if expected is None:
        assert group.errors == [] and group.counts == {"done": 2}
        for job in group:
            check_files(job)
        assert all(n == 1 for n in stats["submits_by_uuid"].values()) or faults.get("next", {}).get(
            "drop_after"
        ) or changes.get("request_timeout")  # fmt: skip
    else:
        assert group.errors, "expected a failure"
        assert all(isinstance(e, expected) for e in group.errors), group.errors
    if "429" in faults.get("next", {}) and faults.get("retry_after"):
        assert elapsed >= 2 * faults["retry_after"] - 0.1  # Retry-After was honoured
    if faults.get("next", {}).get("drop_after"):
        assert max(stats["submits_by_uuid"].values()) == 2  # resent once, same taskUUID
        assert stats["generations_rendered"] == 2  # but run (and billed) once each
        assert any("already accepted" in d for j in group for _, _, d in j.events)
    if faults.get("reject_batched_get_response"):
        assert wan.session.context().client.batched_polls is False
    assert journal_problems(wan.media_dir) == []


def test_insufficient_credit_on_the_engine_fails_without_billing(wan: Wan, engine) -> None:
    eng = engine(render_mode="tiny", credit=0.6)
    wan.use(eng)
    group = seed_sweep(VideoRequest.build(PROMPT, size="1280x720"), [1, 2])
    group.wait(30, raise_errors=False)
    assert sorted(j.status for j in group) == ["done", "failed"]
    failed = next(j for j in group if j.status == "failed")
    assert isinstance(failed.error, InsufficientCreditError)
    assert session_spend() == pytest.approx(0.5)  # the refused task was released
    assert journal_problems(wan.media_dir) == []


def test_a_wrong_key_is_an_authentication_error(wan: Wan, engine) -> None:
    eng = engine(render_mode="tiny")
    wan.use(eng, api_key="wan-local-wrong-key-000000000000")
    job = generate(PROMPT, size="1280x720", seed=1)
    with pytest.raises(AuthenticationError):
        job.wait(30)
    assert journal_problems(wan.media_dir) == []


# ----- shapes the engine does not make (in-memory fake) ------------------------------------------


def test_a_failed_generation_in_the_data_shape_is_read(wan: Wan) -> None:
    fake = FakeRunware(error_shape="data", fail_generations={0})
    wan.use_fake(fake)
    with pytest.raises(TaskFailedError, match="it broke"):
        generate(PROMPT, size="1280x720", seed=1).wait(30)


def test_a_result_without_a_url_is_a_recoverable_failure(wan: Wan) -> None:
    fake = FakeRunware(polls_until_done=0)

    def no_url(request: httpx.Request, tasks: list[dict[str, Any]]) -> Any:
        if tasks[0]["taskType"] != "getResponse":
            return None
        data = [{"taskType": "videoInference", "taskUUID": t["taskUUID"], "status": "success",
                 "videoUUID": str(uuid.uuid4())} for t in tasks]  # fmt: skip
        return httpx.Response(200, json={"data": data})

    fake.before.append(no_url)
    wan.use_fake(fake)
    job = generate(PROMPT, size="1280x720", seed=1)
    with pytest.raises(NetworkError, match="no videoURL"):
        job.wait(30)
    row = wan.store.task(job.task_uuid)
    assert row is not None and row.status == "failed" and row.recoverable
