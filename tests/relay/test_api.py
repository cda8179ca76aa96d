"""The relay's ``POST /v1`` over real loopback HTTP: budgets, tokens, pauses, in-flight
limits, the class cache, and what reaches the upstream (counted by the engine's stats)."""

from __future__ import annotations

import asyncio
import base64

import pytest

from tests.conftest import video_task
from tests.samples import png_bytes
from wan_notebook.client import Accepted, AsyncRunwareClient
from wan_notebook.errors import AuthenticationError, InsufficientCreditError, RateLimitError
from wan_notebook.settings import Settings


def upstream_submits(engine_handle) -> int:
    return engine_handle.stats()["tasks"].get("videoInference", 0)


def submit_with_client(url: str, token: str, task: dict) -> object:
    """What the package's own transport makes of the relay's answer to one submit."""
    fast = Settings(max_attempts=2, backoff_base=0.01, backoff_max=0.02)

    async def go() -> object:
        client = AsyncRunwareClient(url, token, settings=fast)
        try:
            return (await client.submit([task]))[task["taskUUID"]]
        finally:
            await client.aclose()

    return asyncio.run(go())


def test_a_student_within_budget_gets_a_video_the_relay_serves(engine, classroom):
    upstream = engine(delay=0.2, render_mode="tiny")
    room = classroom(upstream, {"ann": 1.0})
    task = video_task(includeCost=True, seed=5)
    answer = room.post("ann", [task])
    assert answer.status_code == 200
    assert answer.json() == {"data": [{"taskType": "videoInference", "taskUUID": task["taskUUID"]}]}
    (item,) = room.wait("ann", task["taskUUID"])
    assert item["status"] == "success" and item["seed"] == 5 and item["cost"] == 0.5
    assert item["videoURL"].startswith(room.relay.root_url + "/media/")
    video = room.http.get(item["videoURL"])
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    assert len(video.content) > 1000
    assert room.spent("ann") == 0.5
    assert upstream_submits(upstream) == 1


def test_the_task_that_would_pass_the_budget_is_refused_before_it_goes_upstream(engine, classroom):
    upstream = engine(delay=0.0, render_mode="tiny")
    room = classroom(upstream, {"ann": 1.0})
    first = video_task(duration=10)  # $1.00: exactly the budget
    assert room.post("ann", [first]).status_code == 200
    room.wait("ann", first["taskUUID"])
    over = video_task(positivePrompt="one more")
    answer = room.post("ann", [over])
    assert answer.status_code == 402
    (err,) = answer.json()["errors"]
    assert err["message"] == "your class budget of $1.00 is spent; ask your teacher"
    outcome = submit_with_client(room.url, room.tokens["ann"], video_task(positivePrompt="again"))
    assert isinstance(outcome, InsufficientCreditError)
    assert "your class budget of $1.00 is spent; ask your teacher" in str(outcome)
    assert upstream_submits(upstream) == 1
    assert room.spent("ann") == 1.0


def test_the_estimate_is_reserved_while_a_task_runs(engine, classroom):
    upstream = engine(delay=5.0, render_mode="tiny")
    room = classroom(upstream, {"ann": 1.0})
    assert room.post("ann", [video_task()]).status_code == 200  # $0.50, still running
    assert room.spent("ann") == 0.5
    answer = room.post("ann", [video_task(positivePrompt="x", duration=10)])  # $1.00
    assert answer.status_code == 402
    assert upstream_submits(upstream) <= 1


def test_an_unknown_token_is_an_authentication_error(engine, classroom):
    room = classroom(engine(render_mode="tiny"))
    answer = room.post("not-a-student-token", [video_task()])
    assert answer.status_code == 401
    assert answer.json()["errors"][0]["code"] == "invalidApiKey"
    assert room.post(None, [video_task()]).status_code == 401
    outcome = submit_with_client(room.url, "wan-class-unknown-token", video_task())
    assert isinstance(outcome, AuthenticationError)


def test_the_payload_authentication_task_works_like_the_header(engine, classroom):
    room = classroom(engine(render_mode="tiny"))
    auth = {"taskType": "authentication", "apiKey": room.tokens["ann"]}
    answer = room.http.post(room.url, json=[auth, {"taskType": "ping", "ping": True}])
    assert answer.status_code == 200
    kinds = [i["taskType"] for i in answer.json()["data"]]
    assert kinds == ["authentication", "ping"]


def test_a_paused_student_and_a_paused_class_are_refused(engine, classroom):
    upstream = engine(delay=0.3, render_mode="tiny")
    room = classroom(upstream, {"ann": 5.0, "bob": 5.0})
    running = video_task()
    assert room.post("ann", [running]).status_code == 200
    pause = room.teacher("POST", "/teacher/pause", data={"student": "ann", "paused": "1"})
    assert pause.status_code == 303
    answer = room.post("ann", [video_task(positivePrompt="paused")])
    assert answer.status_code == 403
    assert answer.json()["errors"][0]["code"] == "studentPaused"
    assert room.wait("ann", running["taskUUID"])[0]["status"] == "success"  # polls still work
    assert room.post("bob", [video_task(positivePrompt="bob")]).status_code == 200
    room.teacher("POST", "/teacher/pause", data={"student": "*", "paused": "1"})
    assert room.post("bob", [video_task(positivePrompt="bob 2")]).status_code == 403
    room.teacher("POST", "/teacher/pause", data={"student": "*", "paused": "0"})
    room.teacher("POST", "/teacher/pause", data={"student": "ann", "paused": "0"})
    assert room.post("ann", [video_task(positivePrompt="resumed")]).status_code == 200
    assert upstream_submits(upstream) == 3


def test_past_max_in_flight_a_student_gets_429_with_retry_after(engine, classroom):
    upstream = engine(delay=30.0, render_mode="tiny")
    room = classroom(upstream, {"ann": 50.0}, max_in_flight=2, retry_after=0.5)
    for n in range(2):
        assert room.post("ann", [video_task(positivePrompt=f"clip {n}")]).status_code == 200
    answer = room.post("ann", [video_task(positivePrompt="one too many")])
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "1"
    assert answer.json()["errors"][0]["code"] == "rateLimitExceeded"
    outcome = submit_with_client(room.url, room.tokens["ann"], video_task(positivePrompt="y"))
    assert isinstance(outcome, RateLimitError)  # after waiting as asked, and trying again
    assert room.state()["students"][0]["in_flight"] == 2
    assert upstream_submits(upstream) == 2


def test_a_resent_task_is_taken_once_and_billed_once(engine, classroom):
    upstream = engine(delay=0.2, render_mode="tiny")
    room = classroom(upstream, {"ann": 5.0}, max_in_flight=1)
    task = video_task()
    assert room.post("ann", [task]).status_code == 200
    again = room.post("ann", [task])  # a client retry after a lost answer
    assert again.json()["errors"][0]["code"] == "conflictTaskUUID"
    outcome = submit_with_client(room.url, room.tokens["ann"], task)
    assert isinstance(outcome, Accepted) and outcome.conflict
    room.wait("ann", task["taskUUID"])
    assert room.spent("ann") == 0.5 and upstream_submits(upstream) == 1


def test_two_students_with_the_same_request_cause_one_upstream_task(engine, classroom):
    upstream = engine(delay=0.5, render_mode="tiny")
    room = classroom(upstream, {"ann": 5.0, "bob": 5.0})
    ann, bob = video_task(seed=7), video_task(seed=7)  # same request, different taskUUIDs
    assert room.post("ann", [ann]).status_code == 200
    assert room.post("bob", [bob]).status_code == 200
    (a,) = room.wait("ann", ann["taskUUID"])
    (b,) = room.wait("bob", bob["taskUUID"])
    assert a["videoUUID"] == b["videoUUID"] and b["taskUUID"] == bob["taskUUID"]
    assert (a["cost"], b["cost"]) == (0.5, 0)
    late = video_task(seed=7)  # after it finished: still shared, still free
    assert room.post("bob", [late]).status_code == 200
    assert room.wait("bob", late["taskUUID"])[0]["videoUUID"] == a["videoUUID"]
    assert upstream_submits(upstream) == 1
    state = room.state()
    assert {s["name"]: s["spent"] for s in state["students"]} == {"ann": 0.5, "bob": 0.0}
    assert state["billed"] == 0.5


def test_include_cost_and_delivery_method_do_not_split_the_cache(engine, classroom):
    upstream = engine(render_mode="tiny")
    room = classroom(upstream, {"ann": 5.0, "bob": 5.0})
    room.post("ann", [video_task(seed=1, includeCost=True)])
    task = video_task(seed=1, includeCost=False, deliveryMethod="async")
    room.post("bob", [task])
    (item,) = room.wait("bob", task["taskUUID"])
    assert "cost" not in item
    assert upstream_submits(upstream) == 1


def test_invalid_requests_are_refused_by_the_relay_itself(engine, classroom):
    upstream = engine(render_mode="tiny")
    room = classroom(upstream)
    answer = room.post("ann", [video_task(width=1000, height=720)])
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["parameter"] == "width"
    hook = room.post("ann", [video_task(webhookURL="https://example.com/hook")])
    assert hook.status_code == 400
    assert hook.json()["errors"][0]["parameter"] == "webhookURL"
    assert upstream_submits(upstream) == 0


def test_a_failed_generation_reaches_the_student_and_costs_nothing(engine, classroom):
    upstream = engine(render_mode="tiny", faults={"next": {"task_fail": 1}})
    room = classroom(upstream)
    task = video_task()
    room.post("ann", [task])
    (item,) = room.wait("ann", task["taskUUID"])
    assert item["status"] == "error" and item["taskUUID"] == task["taskUUID"]
    assert room.spent("ann") == 0


def test_every_result_of_number_results_is_relayed_and_billed(engine, classroom):
    upstream = engine(render_mode="tiny")
    room = classroom(upstream)
    task = video_task(numberResults=2, seed=3)
    room.post("ann", [task])
    items = room.wait("ann", task["taskUUID"])
    assert sorted(i["seed"] for i in items) == [3, 4]
    assert room.spent("ann") == 1.0


def test_uploads_are_forwarded_with_the_teachers_key(engine, classroom):
    room = classroom(engine(render_mode="tiny"))
    data = "data:image/png;base64," + base64.b64encode(png_bytes(640, 480)).decode()
    task = {"taskType": "imageUpload", "taskUUID": video_task()["taskUUID"], "image": data}
    answer = room.post("ann", [task])
    assert answer.status_code == 200, answer.text
    (item,) = answer.json()["data"]
    assert item["taskUUID"] == task["taskUUID"] and item["imageUUID"]
    assert "imageURL" not in item  # the engine's own address is not the students' business


def test_a_body_over_the_limit_gets_413(engine, classroom):
    room = classroom(engine(render_mode="tiny"), max_body=4096)
    answer = room.post("ann", [video_task(positivePrompt="x" * 1400)] * 4)
    assert answer.status_code == 413


@pytest.mark.parametrize("body", [b"not json", b'{"taskType": "ping"}'])
def test_a_body_that_is_not_a_task_array_gets_400(engine, classroom, body):
    room = classroom(engine(render_mode="tiny"))
    headers = {"Authorization": f"Bearer {room.tokens['ann']}"}
    assert room.http.post(room.url, content=body, headers=headers).status_code == 400
