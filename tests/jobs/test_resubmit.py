"""Resubmit only when safe (finding 11): before any automatic resend the poller asks
getTaskDetails, and resends only when the API says it does not know the task."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from tests.fake_runware import FakeRunware
from tests.wan_checks import journal_problems
from wan_notebook import VideoRequest
from wan_notebook.errors import TaskFailedError
from wan_notebook.jobs import seed_sweep

if TYPE_CHECKING:
    from tests.wan_fixtures import Wan


PROMPT = "a lighthouse in a storm, waves crashing"


def _kinds(fake: FakeRunware, task_uuid: str) -> list[str]:
    """The task types sent about ``task_uuid``, in order."""
    return [t["taskType"] for post in fake.posts for t in post if t.get("taskUUID") == task_uuid]


def _unanswered_submits(fake: FakeRunware, *, take: bool) -> None:
    """The server answers the first submit for its first task only; it takes the others
    too (``take``), or not."""
    state = {"first": True}

    def silent(request: httpx.Request, tasks: list[dict[str, Any]]) -> Any:
        if tasks[0]["taskType"] != "videoInference" or not state["first"]:
            return None
        state["first"] = False
        for task in tasks if take else tasks[:1]:
            fake._one(task)
        ack = {"taskType": "videoInference", "taskUUID": tasks[0]["taskUUID"]}
        return httpx.Response(200, json={"data": [ack]})

    fake.before.append(silent)


def test_a_task_the_api_has_but_polls_do_not_show_yet_is_followed_not_resent(wan: Wan) -> None:
    fake = FakeRunware(polls_until_done=1)
    _unanswered_submits(fake, take=True)
    lagging = {"left": 1}

    def lag(request: httpx.Request, tasks: list[dict[str, Any]]) -> Any:
        if tasks[0]["taskType"] != "getResponse" or lagging["left"] == 0:
            return None
        lagging["left"] -= 1  # the poll store lags behind the task store once
        errors = [{"code": "taskNotFound", "message": "not yet", "taskUUID": t["taskUUID"]}
                  for t in tasks]  # fmt: skip
        return httpx.Response(400, json={"errors": errors})

    fake.before.append(lag)
    wan.use_fake(fake)
    group = seed_sweep(VideoRequest.build(PROMPT, size="1280x720"), [1, 2])
    group.wait(30)
    job = group[1]  # the one the submit's answer left out
    kinds = _kinds(fake, job.task_uuid)
    assert kinds.count("videoInference") == 1  # never sent again
    assert "getTaskDetails" in kinds
    assert job.status == "done" and journal_problems(wan.media_dir) == []


def test_a_task_the_api_does_not_know_is_resent_only_after_task_details_say_so(wan: Wan) -> None:
    fake = FakeRunware()
    _unanswered_submits(fake, take=False)
    wan.use_fake(fake)
    group = seed_sweep(VideoRequest.build(PROMPT, size="1280x720"), [1, 2])
    group.wait(30)
    for job in group[1:]:  # the one the submit's answer left out
        kinds = _kinds(fake, job.task_uuid)
        assert kinds.count("videoInference") == 2
        second_send = [i for i, k in enumerate(kinds) if k == "videoInference"][1]
        assert "getTaskDetails" in kinds[:second_send]
    assert group.counts == {"done": 2}
    assert journal_problems(wan.media_dir) == []


def test_while_task_details_are_refused_nothing_is_resent(wan: Wan) -> None:
    fake = FakeRunware()
    _unanswered_submits(fake, take=False)
    refusals = {"left": 3}

    def refuse_details(request: httpx.Request, tasks: list[dict[str, Any]]) -> Any:
        if tasks[0]["taskType"] != "getTaskDetails" or refusals["left"] == 0:
            return None
        refusals["left"] -= 1
        return httpx.Response(402, json={"errors": [{"code": "insufficientCredits",
                                                     "message": "top up"}]})  # fmt: skip

    fake.before.append(refuse_details)
    wan.use_fake(fake, max_attempts=1)
    group = seed_sweep(VideoRequest.build(PROMPT, size="1280x720"), [1, 2])
    group.wait(30)
    job = group[1]
    kinds = _kinds(fake, job.task_uuid)
    assert refusals["left"] == 0
    sends = [i for i, k in enumerate(kinds) if k == "videoInference"]
    assert len(sends) == 2  # resent once, after the details finally answered "unknown"
    assert kinds[: sends[1]].count("getTaskDetails") == 4
    assert job.status == "done"


def test_a_task_the_api_refused_at_submit_is_not_resent(wan: Wan) -> None:
    fake = FakeRunware()
    state = {"first": True}

    def refuse_quietly(request: httpx.Request, tasks: list[dict[str, Any]]) -> Any:
        if tasks[0]["taskType"] != "videoInference" or not state["first"]:
            return None
        state["first"] = False
        fake._one(tasks[0])
        for task in tasks[1:]:  # known to the API, refused, and its answer lost
            fake.tasks[task["taskUUID"]] = task
            fake.refused.add(task["taskUUID"])
        ack = {"taskType": "videoInference", "taskUUID": tasks[0]["taskUUID"]}
        return httpx.Response(200, json={"data": [ack]})

    def not_pollable(request: httpx.Request, tasks: list[dict[str, Any]]) -> Any:
        if tasks[0]["taskType"] != "getResponse":
            return None
        if not any(t["taskUUID"] in fake.refused for t in tasks):
            return None
        data, errors = [], []
        for t in tasks:
            if t["taskUUID"] in fake.refused:
                errors.append({"code": "taskNotFound", "message": "no", "taskUUID": t["taskUUID"]})
            else:
                data += fake._one(t)[0]
        return httpx.Response(200, json={"data": data, "errors": errors})

    fake.before += [refuse_quietly, not_pollable]
    wan.use_fake(fake)
    group = seed_sweep(VideoRequest.build(PROMPT, size="1280x720"), [1, 2])
    group.wait(30, raise_errors=False)
    assert group[0].status == "done"
    assert isinstance(group[1].error, TaskFailedError) and "no credit" in group[1].error.message
    assert _kinds(fake, group[1].task_uuid).count("videoInference") == 1
