"""Refused polls (findings 3, 4): a poll answered as a whole fails no task the API accepted;
the poller backs off, and after a bounded time hands the tasks back as recoverable."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from tests.fake_runware import FakeRunware
from tests.wan_checks import journal_problems
from wan_notebook import VideoRequest
from wan_notebook.client import PollRefused
from wan_notebook.jobs import generate, recover, seed_sweep

if TYPE_CHECKING:
    from tests.wan_fixtures import Wan


PROMPT = "a lighthouse in a storm, waves crashing"


def test_402_answers_to_polls_fail_no_accepted_task(wan: Wan, engine) -> None:
    eng = engine(delay=0.3, render_mode="tiny")
    wan.use(eng, max_attempts=1)
    eng.set_faults({"apply_to": ["getResponse"], "next": {"402": 3}})
    group = seed_sweep(VideoRequest.build(PROMPT, size="1280x720"), [1, 2])
    group.wait(60, raise_errors=False)
    assert group.errors == [] and group.counts == {"done": 2}
    stats = eng.stats()
    assert stats["tasks"]["videoInference"] == 2
    assert all(n == 1 for n in stats["submits_by_uuid"].values())
    assert journal_problems(wan.media_dir) == []


def test_polls_refused_for_good_leave_the_tasks_recoverable_and_recover_fetches_them(
    wan: Wan, engine, caplog: Any
) -> None:
    eng = engine(delay=0.2, render_mode="tiny")
    wan.use(eng, max_attempts=1)
    eng.set_faults({"apply_to": ["getResponse"], "rates": {"402": 1.0}})
    group = seed_sweep(VideoRequest.build(PROMPT, size="1280x720"), [1, 2])
    group.wait(60, raise_errors=False)
    assert group.counts == {"failed": 2}
    assert all(isinstance(e, PollRefused) for e in group.errors)
    message = group.errors[0].message
    assert message.startswith("polls are being refused: HTTP 402")
    assert "your 2 accepted tasks are safe, recover() later" in message
    # Said plainly once when the refusals began and once when the poller gave up.
    refused = [r for r in caplog.records if "polls are being refused" in r.getMessage()]
    assert len(refused) == 2, [r.getMessage() for r in refused]
    for job in group:
        row = wan.store.task(job.task_uuid)
        assert row is not None and row.status == "failed" and row.recoverable
    eng.set_faults({})
    again = recover()
    again.wait(60)
    assert again.counts == {"done": 2}
    stats = eng.stats()
    assert stats["tasks"]["videoInference"] == 2  # fetched, never paid twice
    assert all(n == 1 for n in stats["submits_by_uuid"].values())
    assert journal_problems(wan.media_dir) == []


def test_a_poll_error_naming_no_task_fails_no_task(wan: Wan) -> None:
    fake = FakeRunware(polls_until_done=1)
    state = {"left": 2}

    def anonymous_error(request: httpx.Request, tasks: list[dict[str, Any]]) -> Any:
        if tasks[0]["taskType"] != "getResponse" or state["left"] == 0:
            return None
        state["left"] -= 1
        body = {"data": [], "errors": [{"code": "internalError", "message": "try later"}]}
        return httpx.Response(200, json=body)

    fake.before.append(anonymous_error)
    wan.use_fake(fake, max_attempts=1)
    job = generate(PROMPT, size="1280x720", seed=1)
    job.wait(30)
    assert job.status == "done" and state["left"] == 0
    sends = [t for post in fake.posts for t in post if t["taskType"] == "videoInference"]
    assert len(sends) == 1
