"""Scoped queries: a poll or task-details answer says something about a task only where it
names the task; anything else is ``PollRefused`` (issue 10, findings 3, 4 and 11).

Real loopback against the local engine (with its fault knobs) where it can show the shape;
``httpx.MockTransport`` for shapes a real server should never send.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.client.test_client import KEY, _task
from tests.conftest import video_task
from tests.fake_runware import FakeRunware
from wan_notebook.client import PollRefused, TaskDetails
from wan_notebook.client._answers import ApiErrorItem, Processing
from wan_notebook.client._client import Accepted, AsyncRunwareClient
from wan_notebook.errors import (
    AuthenticationError,
    InsufficientCreditError,
    NetworkError,
    RateLimitError,
    ServerError,
)

if TYPE_CHECKING:
    from tests.wan_fixtures import Wan


def _against(handle: Any) -> AsyncRunwareClient:
    return AsyncRunwareClient(handle.base_url, handle.api_key)


async def _submitted(client: AsyncRunwareClient, count: int = 1) -> list[str]:
    tasks = [video_task(duration=5) for _ in range(count)]
    outcomes = await client.submit(tasks)
    assert all(isinstance(o, Accepted) for o in outcomes.values())
    return [t["taskUUID"] for t in tasks]


# ----- poll-level faults over real loopback ------------------------------------------------


async def test_a_402_on_a_poll_is_refused_as_a_whole_and_the_tasks_stay_known(
    wan: Wan, engine
) -> None:  # type: ignore[no-untyped-def]
    handle = engine(delay=5.0, render_mode="tiny")
    client = _against(handle)
    uuids = await _submitted(client, 3)
    handle.set_faults({"next": {"402": 1}, "apply_to": ["getResponse"]})
    with pytest.raises(PollRefused) as caught:
        await client.poll(uuids)
    refused = caught.value
    assert refused.status == 402 and refused.code == "insufficientCredits"
    assert isinstance(refused.error, InsufficientCreditError)
    assert "polls are being refused: HTTP 402 insufficientCredits" in refused.message
    again = await client.poll(uuids)  # the next tick: every task is still there
    assert all(isinstance(again[u][0], Processing) for u in uuids)


async def test_a_401_on_a_poll_is_refused_as_a_whole(wan: Wan, engine) -> None:  # type: ignore[no-untyped-def]
    handle = engine(delay=5.0, render_mode="tiny")
    uuids = await _submitted(_against(handle))
    wrong = AsyncRunwareClient(handle.base_url, "not-the-key-0123456789")
    with pytest.raises(PollRefused) as caught:
        await wrong.poll(uuids)
    assert caught.value.status == 401
    assert isinstance(caught.value.error, AuthenticationError)


@pytest.mark.parametrize(
    ("fault", "status", "kind"), [("503", 503, ServerError), ("429", 429, RateLimitError)]
)
async def test_busy_answers_are_retried_then_refused_with_their_status(
    wan: Wan, engine, fault: str, status: int, kind: type[Exception]
) -> None:  # type: ignore[no-untyped-def]
    wan.use(max_attempts=2)
    handle = engine(delay=5.0, render_mode="tiny")
    client = _against(handle)
    uuids = await _submitted(client)
    handle.set_faults({"next": {fault: 2}, "apply_to": ["getResponse"], "retry_after": 0})
    with pytest.raises(PollRefused) as caught:
        await client.poll(uuids)
    assert caught.value.status == status and isinstance(caught.value.error, kind)
    handle.set_faults({"next": {fault: 1}, "apply_to": ["getResponse"], "retry_after": 0})
    assert isinstance((await client.poll(uuids))[uuids[0]][0], Processing)  # one retry heals


async def test_a_malformed_poll_answer_is_refused_as_a_whole(wan: Wan, engine) -> None:  # type: ignore[no-untyped-def]
    wan.use(max_attempts=2)
    handle = engine(delay=5.0, render_mode="tiny")
    client = _against(handle)
    uuids = await _submitted(client, 2)
    handle.set_faults({"next": {"malformed": 2}, "apply_to": ["getResponse"]})
    with pytest.raises(PollRefused) as caught:
        await client.poll(uuids)
    assert caught.value.status is None and isinstance(caught.value.error, NetworkError)


# ----- shapes a real server should not send ------------------------------------------------


def _answering(status: int, body: dict[str, Any]) -> FakeRunware:
    fake = FakeRunware()

    def answer(request: httpx.Request, tasks: list[dict[str, Any]]) -> httpx.Response | None:
        if tasks[0]["taskType"] in ("getResponse", "getTaskDetails"):
            return httpx.Response(status, json=body)
        return None

    fake.before.append(answer)
    return fake


def _client(fake: FakeRunware) -> AsyncRunwareClient:
    return AsyncRunwareClient("http://fake.test/v1", KEY, transport=fake.transport())


async def test_an_error_naming_no_task_is_not_pinned_on_the_one_task_polled(wan: Wan) -> None:
    fake = _answering(200, {"errors": [{"code": "internalError", "message": "try later"}]})
    client = _client(fake)
    (task_uuid,) = [t["taskUUID"] for t in [_task()]]
    with pytest.raises(PollRefused) as caught:
        await client.poll([task_uuid])
    assert caught.value.code == "internalError" and caught.value.status is None
    assert len(fake.posts) == 1  # an answer, not a fault: not retried


async def test_an_error_naming_no_task_beside_data_refuses_the_whole_answer(wan: Wan) -> None:
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    body = {
        "data": [{"taskType": "videoInference", "taskUUID": a, "status": "processing"}],
        "errors": [{"code": "weird", "message": "about nothing in particular"}],
    }
    with pytest.raises(PollRefused, match="weird"):
        await _client(_answering(200, body)).poll([a, b])


async def test_each_error_goes_only_to_the_task_it_names(wan: Wan) -> None:
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    body = {
        "data": [{"taskType": "videoInference", "taskUUID": a, "status": "processing"}],
        "errors": [{"code": "timeoutProvider", "message": "slow", "taskUUID": b,
                    "status": "error"}],
    }  # fmt: skip
    items = await _client(_answering(200, body)).poll([a, b])
    assert isinstance(items[a][0], Processing) and len(items[a]) == 1
    assert isinstance(items[b][0], ApiErrorItem) and items[b][0].code == "timeoutProvider"


async def test_a_403_naming_the_task_is_still_a_refusal_of_the_request(wan: Wan) -> None:
    task_uuid = str(uuid.uuid4())
    body = {"errors": [{"code": "forbidden", "message": "no", "taskUUID": task_uuid}]}
    with pytest.raises(PollRefused) as caught:
        await _client(_answering(403, body)).poll([task_uuid])
    assert caught.value.status == 403


# ----- getTaskDetails ----------------------------------------------------------------------


async def test_task_details_knows_sent_and_refused_tasks_and_not_others(wan: Wan, engine) -> None:  # type: ignore[no-untyped-def]
    handle = engine(render_mode="tiny")
    client = _against(handle)
    (sent,) = await _submitted(client)
    refused = video_task(duration=7)
    outcome = (await client.submit([refused]))[refused["taskUUID"]]
    assert not isinstance(outcome, Accepted)
    never = str(uuid.uuid4())
    details = await client.task_details([sent, refused["taskUUID"], never])
    known = details[sent]
    assert isinstance(known, TaskDetails) and known.rejection is None
    assert known.request[0]["taskUUID"] == sent and known.request[0]["duration"] == 5
    rejected = details[refused["taskUUID"]]
    assert isinstance(rejected, TaskDetails)
    assert rejected.rejection is not None and rejected.rejection.code == "unsupportedDuration"
    assert details[never] is None


async def test_task_details_of_many_tasks_is_one_request(wan: Wan, engine) -> None:  # type: ignore[no-untyped-def]
    handle = engine(render_mode="tiny")
    client = _against(handle)
    uuids = await _submitted(client, 4)
    handle.reset_stats()
    details = await client.task_details([*uuids, str(uuid.uuid4())])
    assert sum(d is not None for d in details.values()) == 4
    assert handle.stats()["http_requests"] == 1


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, {"errors": [{"code": "unsupportedTaskType", "message": "no", "taskUUID": "T"}]}),
        (402, {"errors": [{"code": "insufficientCredits", "message": "no"}]}),
        (200, {"data": []}),
    ],
    ids=["server-without-it", "402", "task-left-out"],
)
async def test_task_details_never_reads_unknown_into_an_unclear_answer(
    wan: Wan, status: int, body: dict[str, Any]
) -> None:
    wan.use(max_attempts=2)
    task_uuid = str(uuid.uuid4())
    raw = httpx.Response(status, json=body).content.replace(b'"T"', f'"{task_uuid}"'.encode())
    fake = FakeRunware()
    fake.before.append(lambda request, tasks: httpx.Response(status, content=raw))
    with pytest.raises(PollRefused):
        await _client(fake).task_details([task_uuid])
