"""The transport: batched submit and poll, both error shapes, retries, uploads."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.fake_runware import FakeRunware
from wan_notebook import settings
from wan_notebook.client._answers import ApiErrorItem, Processing, VideoResult
from wan_notebook.client._client import USER_AGENT, Accepted, AsyncRunwareClient
from wan_notebook.errors import (
    AuthenticationError,
    InsufficientCreditError,
    InvalidRequestError,
    NetworkError,
    RateLimitError,
    ServerError,
)
from wan_notebook.store import Store

if TYPE_CHECKING:
    from tests.wan_fixtures import Wan


KEY = "test-key-not-secret-1234567890"


def _task(**extra: Any) -> dict[str, Any]:
    return {
        "taskType": "videoInference",
        "taskUUID": str(uuid.uuid4()),
        "model": "alibaba:wan@2.6",
        "positivePrompt": "a fox",
        "width": 1280,
        "height": 720,
        **extra,
    }


def _client(fake: FakeRunware | httpx.MockTransport) -> AsyncRunwareClient:
    transport = fake.transport() if isinstance(fake, FakeRunware) else fake
    return AsyncRunwareClient("http://fake.test/v1", KEY, transport=transport)


# ----- submit ----------------------------------------------------------------------------------


async def test_submit_sends_tasks_in_batches_of_batch_size(wan: Wan) -> None:
    wan.use(batch_size=2)
    fake = FakeRunware()
    tasks = [_task() for _ in range(5)]
    outcomes = await _client(fake).submit(tasks)
    assert [len(p) for p in fake.posts] == [2, 2, 1]
    assert all(outcomes[t["taskUUID"]] == Accepted(t["taskUUID"]) for t in tasks)


async def test_submit_sends_bearer_auth_and_user_agent(wan: Wan) -> None:
    fake = FakeRunware()
    await _client(fake).submit([_task()])
    assert fake.headers[0]["Authorization"] == f"Bearer {KEY}"
    assert fake.headers[0]["User-Agent"] == USER_AGENT


async def test_a_resent_submit_keeps_its_task_uuid_and_conflict_counts_as_accepted(
    wan: Wan,
) -> None:
    fake = FakeRunware()

    def process_then_drop(request: httpx.Request, tasks: list[dict[str, Any]]) -> None:
        fake.before.remove(process_then_drop)
        fake.handle(request)  # the server takes the task...
        fake.posts.pop()
        raise httpx.ReadError("connection dropped")  # ...and the answer is lost

    fake.before.append(process_then_drop)
    task = _task()
    outcome = (await _client(fake).submit([task]))[task["taskUUID"]]
    assert outcome == Accepted(task["taskUUID"], conflict=True)
    assert [p[0]["taskUUID"] for p in fake.posts] == [task["taskUUID"]] * 2
    assert len(fake.tasks) == 1


async def test_submit_rejects_only_the_invalid_task_of_a_batch(wan: Wan) -> None:
    good, bad = _task(), _task(duration=7)

    def answer(request: httpx.Request, tasks: list[dict[str, Any]]) -> httpx.Response:
        return httpx.Response(200, json={
            "data": [{"taskType": "videoInference", "taskUUID": good["taskUUID"]}],
            "errors": [{"code": "unsupportedDuration", "message": "5, 10 or 15",
                        "parameter": "duration", "allowedValues": [5, 10, 15],
                        "taskUUID": bad["taskUUID"]}],
        })  # fmt: skip

    fake = FakeRunware(before=[answer])
    outcomes = await _client(fake).submit([good, bad])
    assert outcomes[good["taskUUID"]] == Accepted(good["taskUUID"])
    error = outcomes[bad["taskUUID"]]
    assert isinstance(error, InvalidRequestError)
    assert error.parameters == ["duration"]


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [(401, "invalidApiKey", AuthenticationError), (402, "insufficientCredits",
                                                   InsufficientCreditError)],
)  # fmt: skip
async def test_request_level_errors_apply_to_every_task(
    wan: Wan, status: int, code: str, expected: type[Exception]
) -> None:
    def refuse(request: httpx.Request, tasks: list[dict[str, Any]]) -> httpx.Response:
        return httpx.Response(status, json={"errors": [{"code": code, "message": "no"}]})

    fake = FakeRunware(before=[refuse])
    tasks = [_task(), _task()]
    outcomes = await _client(fake).submit(tasks)
    assert all(isinstance(outcomes[t["taskUUID"]], expected) for t in tasks)
    assert len(fake.posts) == 1  # never retried


async def test_an_answer_naming_no_task_is_retried_as_malformed(wan: Wan) -> None:
    fake = FakeRunware()
    shapes = iter([httpx.Response(200, json={"unexpected": True}),
                   httpx.Response(200, content=b"{not json")])  # fmt: skip
    fake.before.append(lambda request, tasks: next(shapes, None))
    task = _task()
    assert (await _client(fake).submit([task]))[task["taskUUID"]] == Accepted(task["taskUUID"])
    assert len(fake.posts) == 3


async def test_malformed_answers_end_in_network_error(wan: Wan) -> None:
    wan.use(max_attempts=3)
    fake = FakeRunware(before=[lambda request, tasks: httpx.Response(200, content=b"<html>")])
    task = _task()
    outcome = (await _client(fake).submit([task]))[task["taskUUID"]]
    assert isinstance(outcome, NetworkError)
    assert "after 3 attempts" in outcome.message
    assert len(fake.posts) == 3


@pytest.mark.parametrize(("status", "expected"), [(429, RateLimitError), (503, ServerError)])
async def test_retryable_statuses_end_in_typed_errors(
    wan: Wan, status: int, expected: type[Exception]
) -> None:
    wan.use(max_attempts=2)
    busy = httpx.Response(status, headers={"Retry-After": "0"}, json={"errors": []})
    fake = FakeRunware(before=[lambda request, tasks: busy])
    task = _task()
    assert isinstance((await _client(fake).submit([task]))[task["taskUUID"]], expected)
    assert len(fake.posts) == 2


async def test_transport_errors_are_retried(wan: Wan) -> None:
    fake = FakeRunware()
    faults = iter([httpx.ConnectError("refused"), httpx.ReadTimeout("slow")])

    def flaky(request: httpx.Request, tasks: list[dict[str, Any]]) -> None:
        fault = next(faults, None)
        if fault is not None:
            raise fault

    fake.before.append(flaky)
    task = _task()
    assert (await _client(fake).submit([task]))[task["taskUUID"]] == Accepted(task["taskUUID"])


# ----- poll ------------------------------------------------------------------------------------


async def test_poll_sends_one_request_for_all_tasks_and_groups_items(wan: Wan) -> None:
    fake = FakeRunware(polls_until_done=1)
    client = _client(fake)
    tasks = [_task(), _task(numberResults=2), _task()]
    await client.submit(tasks)
    fake.posts.clear()
    first = await client.poll([t["taskUUID"] for t in tasks])
    assert len(fake.posts) == 1 and len(fake.posts[0]) == 3
    assert all(isinstance(i, Processing) for items in first.values() for i in items)
    second = await client.poll([t["taskUUID"] for t in tasks])
    assert len(second[tasks[1]["taskUUID"]]) == 2
    assert all(isinstance(i, VideoResult) for items in second.values() for i in items)


@pytest.mark.parametrize("shape", ["errors", "data"])
async def test_poll_reads_both_shapes_of_a_failed_generation(wan: Wan, shape: str) -> None:
    fake = FakeRunware(polls_until_done=0, error_shape=shape, fail_generations={1})
    client = _client(fake)
    task = _task(numberResults=2)
    await client.submit([task])
    items = (await client.poll([task["taskUUID"]]))[task["taskUUID"]]
    errors = [i for i in items if isinstance(i, ApiErrorItem)]
    assert len(errors) == 1 and errors[0].code == "inferenceError"
    assert sum(isinstance(i, VideoResult) for i in items) == 1


async def test_poll_falls_back_to_one_task_per_request_and_remembers(wan: Wan) -> None:
    fake = FakeRunware(polls_until_done=5)

    def refuse_batches(
        request: httpx.Request, tasks: list[dict[str, Any]]
    ) -> httpx.Response | None:
        if sum(t["taskType"] == "getResponse" for t in tasks) > 1:
            refusal = {"code": "unsupportedBatch", "message": "one getResponse per request"}
            return httpx.Response(400, json={"errors": [refusal]})
        return None

    fake.before.append(refuse_batches)
    client = _client(fake)
    tasks = [_task() for _ in range(3)]
    await client.submit(tasks)
    fake.posts.clear()
    uuids = [t["taskUUID"] for t in tasks]
    first = await client.poll(uuids)
    assert all(len(first[u]) == 1 for u in uuids)
    assert [len(p) for p in fake.posts] == [3, 1, 1, 1]
    assert client.batched_polls is False
    fake.posts.clear()
    await client.poll(uuids)
    assert [len(p) for p in fake.posts] == [1, 1, 1]  # no more batched attempts


async def test_poll_reports_unknown_tasks_per_task(wan: Wan) -> None:
    fake = FakeRunware()
    client = _client(fake)
    known = _task()
    await client.submit([known])
    unknown = str(uuid.uuid4())
    items = await client.poll([known["taskUUID"], unknown])
    assert isinstance(items[unknown][0], ApiErrorItem)
    assert items[unknown][0].code == "taskNotFound"
    assert isinstance(items[known["taskUUID"]][0], Processing)


# ----- uploads ---------------------------------------------------------------------------------


async def test_image_upload_returns_the_image_uuid_and_is_cached_by_content(
    wan: Wan, tmp_path: Path
) -> None:
    from tests.samples import png_bytes

    image = tmp_path / "first.png"
    image.write_bytes(png_bytes())
    fake = FakeRunware()
    client = _client(fake)
    store = Store.open(wan.media_dir)
    first = await client.upload(image, "image", cache=store)
    again = await client.upload(image.read_bytes(), "image", cache=store)
    assert first == again
    assert fake.uploads == 1
    sent = fake.posts[0][0]
    assert sent["taskType"] == "imageUpload"
    assert sent["image"].startswith("data:image/png;base64,")


async def test_video_and_audio_uploads_use_media_storage(wan: Wan) -> None:
    from tests.samples import wav_bytes

    fake = FakeRunware()
    media_uuid = await _client(fake).upload(wav_bytes(3.5), "audio")
    sent = fake.posts[0][0]
    assert sent["taskType"] == "mediaStorage" and sent["operation"] == "upload"
    assert sent["media"].startswith("data:audio/wav;base64,")
    assert uuid.UUID(media_uuid)


async def test_upload_of_the_wrong_type_says_which_argument(wan: Wan) -> None:
    client = _client(FakeRunware())
    with pytest.raises(TypeError, match="source must be a path or bytes"):
        await client.upload(123, "image")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="kind must be a str"):
        await client.upload(b"x", None)  # type: ignore[arg-type]


# ----- loops -----------------------------------------------------------------------------------


def test_each_event_loop_gets_its_own_http_client() -> None:
    client = AsyncRunwareClient("http://fake.test/v1", KEY, transport=FakeRunware().transport())

    async def which() -> httpx.AsyncClient:
        http = client._http()
        assert client._http() is http  # reused within a loop
        return http

    first = asyncio.run(which())
    second = asyncio.run(which())
    assert first is not second


def test_client_repr_shows_no_key() -> None:
    client = AsyncRunwareClient("http://fake.test/v1", KEY)
    assert KEY not in repr(client)
    assert KEY not in json.dumps(settings.get_settings().public(), default=str)


async def test_an_error_naming_no_task_beside_a_200_leaves_the_submit_unconfirmed(
    wan: Wan,
) -> None:
    loose = {"errors": [{"code": "internalError", "message": "something, somewhere"}]}
    fake = FakeRunware(before=[lambda request, tasks: httpx.Response(200, json=loose)])
    task = _task()
    outcome = (await _client(fake).submit([task]))[task["taskUUID"]]
    assert outcome == Accepted(task["taskUUID"], confirmed=False)  # not failed: ask the API
    refused = FakeRunware(before=[lambda request, tasks: httpx.Response(400, json=loose)])
    assert not isinstance((await _client(refused).submit([task]))[task["taskUUID"]], Accepted)
