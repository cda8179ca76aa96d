"""The poller: shared submit POSTs, one getResponse POST per tick, and tasks the API loses.

Acceptance tests run against the real local engine over loopback (``engine`` fixture);
the shapes the engine does not make use the in-memory ``FakeRunware``.
"""

from __future__ import annotations

import asyncio
import math
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.fake_runware import FakeRunware
from tests.wan_checks import http_requests, journal_problems, wait_until
from wan_notebook import VideoRequest
from wan_notebook.errors import TaskFailedError
from wan_notebook.jobs import JobGroup, generate, generate_many, seed_sweep
from wan_notebook.jobs import _loop as runtime
from wan_notebook.jobs._poller import Poller

if TYPE_CHECKING:
    from tests.wan_fixtures import Wan


PROMPT = "a lighthouse in a storm, waves crashing"


def _poller() -> Poller:
    return Poller.for_loop(runtime.private_loop())


def test_each_event_loop_has_one_poller() -> None:
    first, second = asyncio.new_event_loop(), asyncio.new_event_loop()
    try:
        assert Poller.for_loop(first) is Poller.for_loop(first)
        assert Poller.for_loop(first) is not Poller.for_loop(second)
        assert Poller.for_loop(first).live == 0
    finally:
        first.close()
        second.close()


# ----- batching ---------------------------------------------------------------------------------


def test_a_seed_sweep_is_submitted_in_one_post(wan: Wan, engine) -> None:
    eng = engine(delay=0.3, render_mode="tiny")
    wan.use(eng)
    group = seed_sweep(VideoRequest.build(PROMPT, size="1280x720"), range(20, 28))
    assert isinstance(group, JobGroup) and len(group) == 8
    group.wait(60)
    stats = eng.stats()
    assert stats["tasks"]["videoInference"] == 8
    assert [j.results[0].seed for j in group] == list(range(20, 28))
    assert group.total_cost == pytest.approx(4.0)
    assert len(group.results) == 8
    polls = stats["tasks"]["getResponse"]
    assert http_requests(stats) < 1 + polls / 4  # many getResponse tasks per POST


def test_32_jobs_in_flight_take_far_fewer_requests_than_polling_per_task(wan: Wan, engine) -> None:
    delay = 1.0
    eng = engine(delay=delay, render_mode="tiny")
    wan.use(eng, poll_first=0.25, poll_min=0.25, poll_max=1.0)
    ticks = _poller().ticks
    group = generate_many([VideoRequest.build(PROMPT, size="1280x720", seed=s) for s in range(32)])
    group.wait(120)
    stats = eng.stats()
    ticks = _poller().ticks - ticks
    requests = http_requests(stats)
    # One POST for the 32 submissions, then one POST per tick for all live tasks.
    assert requests <= 1 + ticks + 2, (requests, ticks)
    # A naive client polls each task every second on its own: at least one submit and
    # ceil(delay / 1 s) polls per task, 32 times over.
    naive_floor = 32 * (1 + math.ceil(delay / 1.0))
    assert requests * 5 <= naive_floor, (requests, naive_floor)
    assert stats["tasks"]["getResponse"] >= 32


# ----- tasks the API does not know (in-memory fake) --------------------------------------------


def test_an_unanswered_submit_is_checked_then_resent_with_the_same_task_uuid(wan: Wan) -> None:
    fake = FakeRunware()
    state = {"first": True}

    def answer_only_the_first(request: httpx.Request, tasks: list[dict[str, Any]]) -> Any:
        if tasks[0]["taskType"] != "videoInference" or not state["first"]:
            return None
        state["first"] = False
        fake._one(tasks[0])  # the server takes one task and forgets to answer for the other
        return httpx.Response(200, json={"data": [{"taskType": "videoInference",
                                                   "taskUUID": tasks[0]["taskUUID"]}]})  # fmt: skip

    fake.before.append(answer_only_the_first)
    wan.use_fake(fake)
    group = seed_sweep(VideoRequest.build(PROMPT, size="1280x720"), [1, 2])
    group.wait(30)
    second = group[1].task_uuid
    sends = [t for post in fake.posts for t in post if t["taskType"] == "videoInference"]
    assert [t["taskUUID"] for t in sends].count(second) == 2
    assert group.counts == {"done": 2}
    assert journal_problems(wan.media_dir) == []


def test_an_acknowledged_task_the_api_forgets_fails_without_resubmitting(wan: Wan) -> None:
    fake = FakeRunware(polls_until_done=100)
    wan.use_fake(fake)
    job = generate(PROMPT, size="1280x720", seed=1)
    wait_until(lambda: job.status == "processing", 10, "processing")
    fake.tasks.clear()  # e.g. results expired on the server
    with pytest.raises(TaskFailedError, match="no longer knows"):
        job.wait(30)
    sends = [t for post in fake.posts for t in post if t["taskType"] == "videoInference"]
    assert len(sends) == 1
    row = wan.store.task(job.task_uuid)
    assert row is not None and row.status == "failed" and not row.recoverable


# ----- answers that break the rules (in-memory fake) ------------------------------------------


def test_results_beyond_number_results_are_ignored_with_a_warning(wan: Wan, caplog: Any) -> None:
    fake = FakeRunware(polls_until_done=0)

    def twelve(request: httpx.Request, tasks: list[dict[str, Any]]) -> Any:
        if tasks[0]["taskType"] == "getResponse":
            for task in tasks:
                fake.tasks[task["taskUUID"]]["numberResults"] = 12  # the server's own idea
        return None

    fake.before.append(twelve)
    wan.use_fake(fake)
    job = generate(PROMPT, size="1280x720", seed=1)
    job.wait(30)
    assert len(job.results) == 1 and job.cost == pytest.approx(0.5)
    assert len(fake.gets) == 1  # one download, not twelve
    assert len(wan.store.results_for(job.task_uuid)) == 1
    assert any("11 result(s) more than the 1 asked for" in r.getMessage() for r in caplog.records)
    assert journal_problems(wan.media_dir) == []
