"""The local engine speaks Runware's protocol: tasks, polls, results, deliveries, credit.

Real loopback HTTP, no mocks; most tests use ``render_mode="tiny"`` (content is irrelevant
to the protocol) and short delays; ``test_media.py`` checks real full-size files.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from tests.conftest import video_task
from tests.wan_checks import wait_until
from wan_notebook.request import catalog

# ----- submit and poll ------------------------------------------------------------------------


def test_submit_acks_then_poll_goes_from_processing_to_success(engine, api):
    client = api(engine(delay=0.6, render_mode="tiny"))
    task_uuid = client.submit(seed=42)
    seen: list[dict[str, Any]] = []
    while not seen or seen[-1]["status"] != "success":
        (item,) = client.poll(task_uuid).json()["data"]
        seen.append(item)
        time.sleep(0.05)
    processing = [i for i in seen if i["status"] == "processing"]
    assert processing, "a task reads processing for at least the delay"
    progress = [i["progress"] for i in processing]
    assert progress == sorted(progress) and all(0 <= p <= 100 for p in progress)
    done = seen[-1]
    assert done["taskType"] == "videoInference" and done["taskUUID"] == task_uuid
    assert done["seed"] == 42 and done["resultIndex"] == 0
    assert done["videoURL"].endswith(f"/media/{done['videoUUID']}.mp4")
    assert "cost" not in done
    again = client.poll(task_uuid).json()["data"]
    assert again == [done], "getResponse is cumulative: finished items are repeated"


def test_no_progress_knob_omits_the_progress_field(engine, api):
    client = api(engine(delay=5, render_mode="tiny", progress=False))
    task_uuid = client.submit()
    (item,) = client.poll(task_uuid).json()["data"]
    assert item["status"] == "processing" and "progress" not in item


def test_tiny_mode_says_so_in_every_result(tiny):
    (item,) = tiny.wait(tiny.submit())
    assert item["localRenderMode"] == "tiny"


def test_small_mode_renders_each_clip_at_a_quarter_size_with_its_plan_and_says_so(
    engine, api, tmp_path
):
    from wan_notebook.local.probe import probe

    client = api(engine(render_mode="small", faults={"flicker": 0.3}))
    (item,) = client.wait(client.submit(seed=3, outputFormat="WEBM"))
    assert item["localRenderMode"] == "small" and item["localEngine"]["flicker"] == 0.3
    info = probe(client.download(item["videoURL"], tmp_path / "small.webm"))
    assert (info["width"], info["height"], info["fps"], info["frames"]) == (320, 180, 30.0, 150)


def test_several_tasks_and_several_polls_in_one_request(tiny):
    tasks = [video_task(seed=1), video_task(seed=2, duration=10), {"taskType": "ping"}]
    response = tiny.post(tasks)
    assert [i.get("taskUUID") for i in response.json()["data"]] == [
        tasks[0]["taskUUID"],
        tasks[1]["taskUUID"],
        None,
    ]
    for task in tasks[:2]:
        tiny.wait(task["taskUUID"])
    body = tiny.poll(tasks[0]["taskUUID"], tasks[1]["taskUUID"]).json()
    assert [(i["taskUUID"], i["status"], i["seed"]) for i in body["data"]] == [
        (tasks[0]["taskUUID"], "success", 1),
        (tasks[1]["taskUUID"], "success", 2),
    ]


def test_number_results_gives_that_many_distinct_results_with_successive_seeds(tiny):
    items = tiny.wait(tiny.submit(numberResults=3, seed=100))
    assert [i["resultIndex"] for i in items] == [0, 1, 2]
    assert [i["seed"] for i in items] == [100, 101, 102]
    assert len({i["videoUUID"] for i in items}) == 3
    assert len({i["videoURL"] for i in items}) == 3


def test_without_a_seed_each_result_gets_its_own_random_seed(tiny):
    items = tiny.wait(tiny.submit(numberResults=2))
    seeds = [i["seed"] for i in items]
    assert len(set(seeds)) == 2
    assert all(0 <= s <= catalog.SEED_MAX for s in seeds)


def test_a_reused_task_uuid_conflicts_and_is_not_queued_twice(engine, api):
    handle = engine(render_mode="tiny")
    client = api(handle)
    task = video_task()
    assert client.post([task]).status_code == 200
    response = client.post([task])
    assert response.status_code == 400
    (err,) = response.json()["errors"]
    assert err["code"] == "conflictTaskUUID" and err["taskUUID"] == task["taskUUID"]
    assert len(client.wait(task["taskUUID"])) == 1
    stats = handle.stats()
    assert stats["submits_by_uuid"][task["taskUUID"]] == 2
    assert stats["tasks_stored"] == 1 and stats["generations_rendered"] == 1


def test_validation_errors_come_back_in_the_api_format(tiny):
    task = video_task(width=1000, height=720, duration=7)
    response = tiny.post([task])
    assert response.status_code == 400
    errors = {e["parameter"]: e for e in response.json()["errors"]}
    size = errors["width"]
    assert size["code"] == "unsupportedDimensions"
    assert size["taskType"] == "videoInference" and size["taskUUID"] == task["taskUUID"]
    assert "1280x720" in size["allowedValues"] and len(size["allowedValues"]) == 10
    assert size["documentation"].endswith("#request-width")
    assert errors["duration"]["code"] == "unsupportedDuration"
    assert errors["duration"]["allowedValues"] == [5, 10, 15]
    assert "1000x720" in size["message"]


def test_a_valid_and_an_invalid_task_together_answer_200_with_data_and_errors(tiny):
    good, bad = video_task(), video_task(positivePrompt="")
    body = tiny.post([good, bad]).json()
    assert [i["taskUUID"] for i in body["data"]] == [good["taskUUID"]]
    assert [e["taskUUID"] for e in body["errors"]] == [bad["taskUUID"]]


def test_polling_an_unknown_task_is_task_not_found(tiny):
    response = tiny.poll(str(uuid.uuid4()))
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "taskNotFound"


# ----- getTaskDetails (Runware's "Task details") ---------------------------------------------


def _details(tiny, *task_uuids: str) -> dict[str, Any]:
    response = tiny.post([{"taskType": "getTaskDetails", "taskUUID": u} for u in task_uuids])
    return response.json()


def test_task_details_answer_the_task_as_sent_and_its_generations(tiny):
    task_uuid = tiny.submit(seed=11, numberResults=2)
    tiny.wait(task_uuid)
    (item,) = _details(tiny, task_uuid)["data"]
    assert item["taskType"] == "getTaskDetails" and item["taskUUID"] == task_uuid
    (sent,) = item["request"]
    assert sent["taskUUID"] == task_uuid and sent["seed"] == 11 and sent["numberResults"] == 2
    results = item["response"]["data"]
    assert [r["status"] for r in results] == ["success", "success"]
    assert all(r["taskUUID"] == task_uuid for r in results)


def test_task_details_of_a_refused_task_answer_its_errors(tiny):
    task = video_task(duration=7)
    assert tiny.post([task]).status_code == 400
    (item,) = _details(tiny, task["taskUUID"])["data"]
    assert item["request"] == [task]
    assert item["response"]["errors"][0]["code"] == "unsupportedDuration"


def test_task_details_of_an_unknown_task_is_an_error_naming_it(tiny):
    known, unknown = tiny.submit(), str(uuid.uuid4())
    body = _details(tiny, known, unknown)
    assert [i["taskUUID"] for i in body["data"]] == [known]
    (err,) = body["errors"]
    assert err["code"] == "taskNotFound" and err["taskUUID"] == unknown
    assert err["taskType"] == "getTaskDetails"


def test_a_resend_that_conflicts_keeps_the_original_details(tiny):
    task_uuid = tiny.submit(seed=3)
    resent = video_task(taskUUID=task_uuid, seed=4)
    assert tiny.post([resent]).json()["errors"][0]["code"] == "conflictTaskUUID"
    (item,) = _details(tiny, task_uuid)["data"]
    assert item["request"][0]["seed"] == 3 and "errors" not in item["response"]


def test_include_cost_is_the_list_price_of_each_generation(tiny):
    items = tiny.wait(
        tiny.submit(width=1920, height=1080, duration=10, numberResults=2, includeCost=True)
    )
    assert [i["cost"] for i in items] == [1.5, 1.5]


# ----- webhooks, uploadEndpoint, credit -------------------------------------------------------


def test_each_finished_generation_is_posted_to_the_webhook(tiny, receiver):
    task_uuid = tiny.submit(numberResults=2, webhookURL=f"{receiver.url}/hook?token=abc")
    tiny.wait(task_uuid)
    calls = receiver.wait_for(2)
    assert [c.method for c in calls] == ["POST", "POST"]
    assert all(c.path == "/hook?token=abc" for c in calls)
    items = [json.loads(c.body)["data"][0] for c in calls]
    assert sorted(i["resultIndex"] for i in items) == [0, 1]
    assert all(i["status"] == "success" and i["taskUUID"] == task_uuid for i in items)
    _wait_for_webhooks_sent(tiny, 2)
    assert tiny.handle.stats()["webhooks_sent"] == 2


def _wait_for_webhooks_sent(tiny, count: int) -> None:
    # The engine counts a webhook when the receiver's answer is back, which is just after the
    # receiver has recorded it: wait for the count rather than read it at once.
    def sent() -> bool:
        return bool(tiny.handle.stats()["webhooks_sent"] >= count)

    wait_until(sent, timeout=5, what=f"{count} webhooks counted")


def test_a_failing_webhook_receiver_is_retried(tiny, receiver):
    receiver.fail_first = 2
    tiny.wait(tiny.submit(webhookURL=f"{receiver.url}/hook"))
    assert len(receiver.wait_for(3)) == 3
    _wait_for_webhooks_sent(tiny, 1)
    assert tiny.handle.stats()["webhooks_sent"] == 1


def test_upload_endpoint_receives_the_raw_file_by_put(tiny, receiver):
    (item,) = tiny.wait(
        tiny.submit(uploadEndpoint=f"{receiver.url}/bucket/out.mp4?sig=1", outputFormat="MOV")
    )
    (put,) = receiver.wait_for(1)
    assert put.method == "PUT" and put.path == "/bucket/out.mp4?sig=1"
    assert put.headers["Content-Type"] == "video/quicktime"
    assert put.body == tiny.client.get(item["videoURL"]).content


def test_credit_pays_for_tasks_until_it_runs_out_with_402(engine, api):
    handle = engine(render_mode="tiny", credit=1.0)
    client = api(handle)
    client.submit(duration=5)  # $0.50
    client.submit(duration=5)  # $0.50 -> balance 0
    response = client.post([video_task(duration=5)])
    assert response.status_code == 402
    (err,) = response.json()["errors"]
    assert err["code"] == "insufficientCredits"
    assert handle.stats()["credit"] == 0.0


def test_credit_is_checked_against_the_whole_task(engine, api):
    client = api(engine(render_mode="tiny", credit=1.0))
    response = client.post([video_task(numberResults=3)])  # 3 x $0.50
    assert response.status_code == 402
    assert client.post([video_task(numberResults=2)]).status_code == 200
