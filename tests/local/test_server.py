"""The local engine speaks Runware's protocol: real loopback HTTP, no mocks.

Most tests use ``render_mode="tiny"`` (content is irrelevant to the protocol) and short
delays; ``test_local_media.py`` checks real full-size files.
"""

from __future__ import annotations

import base64
import http.client
import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import EngineApi, Receiver, video_task
from tests.samples import png_bytes, wav_bytes
from wan_notebook.local.probe import probe
from wan_notebook.request import catalog


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


@pytest.fixture
def tiny(engine, api) -> EngineApi:
    return api(engine(render_mode="tiny"))


# ----- auth -------------------------------------------------------------------------------------


def test_health_needs_no_key_and_says_it_is_a_local_preview(engine):
    handle = engine()
    body = httpx.get(f"{handle.root_url}/_engine/health", trust_env=False).json()
    assert body["ok"] is True
    assert body["engine"] == "wan-notebook local engine"
    assert "not Wan 2.6" in body["note"]


def test_bearer_header_authenticates(tiny):
    response = tiny.post([{"taskType": "ping", "ping": True}])
    assert response.status_code == 200
    assert response.json() == {"data": [{"taskType": "ping", "pong": True}]}


def test_authentication_task_authenticates_and_answers_a_session(engine):
    handle = engine()
    tasks = [{"taskType": "authentication", "apiKey": handle.api_key}, {"taskType": "ping"}]
    response = httpx.post(handle.base_url, json=tasks, trust_env=False)
    assert response.status_code == 200
    auth, pong = response.json()["data"]
    assert auth["taskType"] == "authentication"
    assert uuid.UUID(auth["connectionSessionUUID"])
    assert pong == {"taskType": "ping", "pong": True}


@pytest.mark.parametrize(
    ("headers", "tasks"),
    [
        ({}, [{"taskType": "ping"}]),
        ({"Authorization": "Bearer wrong-key-123"}, [{"taskType": "ping"}]),
        ({}, [{"taskType": "authentication", "apiKey": "wrong-key-123"}, {"taskType": "ping"}]),
    ],
    ids=["missing", "wrong-header", "wrong-auth-task"],
)
def test_missing_or_wrong_key_is_401_invalid_api_key(engine, headers, tasks):
    handle = engine()
    response = httpx.post(handle.base_url, json=tasks, headers=headers, trust_env=False)
    assert response.status_code == 401
    (err,) = response.json()["errors"]
    assert err["code"] == "invalidApiKey"
    assert err["parameter"] == "apiKey"
    assert err["taskType"] == "authentication"
    assert err["documentation"].startswith("https://runware.ai/docs")
    assert "wrong-key-123" not in response.text
    assert handle.api_key not in response.text


def test_engine_endpoints_need_the_key(engine):
    handle = engine()
    assert httpx.get(f"{handle.root_url}/_engine/stats", trust_env=False).status_code == 401
    assert (
        httpx.post(f"{handle.root_url}/_engine/faults", json={}, trust_env=False).status_code == 401
    )


# ----- submit and poll --------------------------------------------------------------------------


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


def test_a_body_that_is_not_an_array_is_rejected(tiny):
    response = tiny.client.post(tiny.handle.base_url, content=b'{"taskType": "ping"}')
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalidRequestBody"


def test_include_cost_is_the_list_price_of_each_generation(tiny):
    items = tiny.wait(
        tiny.submit(width=1920, height=1080, duration=10, numberResults=2, includeCost=True)
    )
    assert [i["cost"] for i in items] == [1.5, 1.5]


def test_a_chunked_request_body_is_read(tiny):
    def chunks():
        yield b'[{"taskType": '
        yield b'"ping"}]'

    response = tiny.client.post(tiny.handle.base_url, content=chunks())
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert response.json()["data"][0]["pong"] is True


def test_keep_alive_serves_several_requests_on_one_connection(engine):
    handle = engine()
    host, port = handle.root_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    headers = {"Authorization": f"Bearer {handle.api_key}", "Content-Type": "application/json"}
    for _ in range(3):
        conn.request("POST", "/v1", body=json.dumps([{"taskType": "ping"}]), headers=headers)
        response = conn.getresponse()
        assert response.status == 200 and json.loads(response.read())["data"][0]["pong"] is True
    sock = conn.sock
    assert sock is not None, "the connection stayed open"
    conn.close()


def test_stop_closes_idle_keep_alive_connections(engine):
    handle = engine()
    host, port = handle.root_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", "/_engine/health")
    assert conn.getresponse().read()
    handle.stop()
    with pytest.raises((http.client.HTTPException, OSError)):
        conn.request("GET", "/_engine/health")
        conn.getresponse()
    conn.close()


def test_stats_count_requests_tasks_and_downloads_and_reset(engine, api):
    handle = engine(render_mode="tiny")
    client = api(handle)
    (item,) = client.wait(client.submit())
    client.client.get(item["videoURL"])
    stats = handle.stats()
    assert stats["http_requests"] >= 2
    assert stats["tasks"]["videoInference"] == 1 and stats["tasks"]["getResponse"] >= 1
    assert stats["downloads"] == 1
    handle.reset_stats()
    assert handle.stats()["http_requests"] == 0


# ----- media files --------------------------------------------------------------------------------


@pytest.fixture
def video_url(tiny) -> tuple[EngineApi, str, int]:
    (item,) = tiny.wait(tiny.submit())
    head = tiny.client.head(item["videoURL"])
    return tiny, item["videoURL"], int(head.headers["content-length"])


def test_a_video_downloads_with_type_length_and_ranges(video_url):
    client, url, size = video_url
    full = client.client.get(url)
    assert full.status_code == 200 and full.headers["content-type"] == "video/mp4"
    assert full.headers["accept-ranges"] == "bytes" and len(full.content) == size
    part = client.client.get(url, headers={"Range": "bytes=10-109"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 10-109/{size}"
    assert part.content == full.content[10:110]
    tail = client.client.get(url, headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.content == full.content[-50:]
    rest = client.client.get(url, headers={"Range": f"bytes={size - 5}-"})
    assert rest.content == full.content[-5:]


def test_an_unsatisfiable_range_is_416(video_url):
    client, url, size = video_url
    response = client.client.get(url, headers={"Range": f"bytes={size}-"})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{size}"


def test_head_gives_headers_without_a_body(video_url):
    client, url, size = video_url
    response = client.client.head(url)
    assert response.status_code == 200 and response.content == b""
    assert int(response.headers["content-length"]) == size
    assert client.handle.stats()["downloads"] == 0


def test_unknown_media_is_404(tiny):
    response = tiny.client.get(f"{tiny.handle.root_url}/media/{uuid.uuid4()}.mp4")
    assert response.status_code == 404


def test_ttl_deletes_the_file_after_ttl_seconds(engine, api):
    client = api(engine(render_mode="tiny", ttl_scale=0.01))  # ttl 150 -> 1.5 s
    (item,) = client.wait(client.submit(ttl=150))
    assert client.client.head(item["videoURL"]).status_code == 200
    time.sleep(1.7)
    assert client.client.get(item["videoURL"]).status_code == 404


def test_results_without_ttl_stay(engine, api):
    client = api(engine(render_mode="tiny", ttl_scale=0.01))
    (item,) = client.wait(client.submit())
    time.sleep(0.8)
    assert client.client.head(item["videoURL"]).status_code == 200


# ----- uploads and inputs -------------------------------------------------------------------------


def test_image_upload_gives_a_uuid_that_works_as_a_frame_image(engine, api, tmp_path):
    client = api(engine())
    upload = {"taskType": "imageUpload", "taskUUID": str(uuid.uuid4())}
    upload["image"] = data_uri(png_bytes(720, 1280), "image/png")
    (item,) = client.post([upload]).json()["data"]
    assert item["taskType"] == "imageUpload" and item["taskUUID"] == upload["taskUUID"]
    assert client.client.get(item["imageURL"]).content == png_bytes(720, 1280)
    # resolution + frame image: the aspect follows the image (9:16 here)
    task = video_task(resolution="720p", inputs={"frameImages": [item["imageUUID"]]})
    task["positivePrompt"] = "x"
    assert client.post([task]).status_code == 200
    (done,) = client.wait(task["taskUUID"])
    info = probe(client.download(done["videoURL"], tmp_path / "out.mp4"))
    assert (info["width"], info["height"]) == (720, 1280)


def test_media_storage_uploads_video_and_audio_and_deletes(tiny):
    wav = wav_bytes(3.5)
    task = {"taskType": "mediaStorage", "taskUUID": str(uuid.uuid4()), "operation": "upload"}
    (item,) = tiny.post([{**task, "media": base64.b64encode(wav).decode()}]).json()["data"]
    assert item["operation"] == "upload" and uuid.UUID(item["mediaUUID"])
    assert tiny.client.get(item["mediaURL"]).content == wav
    delete = {
        **task,
        "taskUUID": str(uuid.uuid4()),
        "operation": "delete",
        "media": item["mediaUUID"],
    }
    assert tiny.post([delete]).json()["data"][0]["mediaUUID"] == item["mediaUUID"]
    assert tiny.client.get(item["mediaURL"]).status_code == 404
    again = tiny.post([{**delete, "taskUUID": str(uuid.uuid4())}]).json()["errors"][0]
    assert again["code"] == "mediaNotFound"


def test_an_upload_of_the_wrong_type_is_rejected(tiny):
    task = {
        "taskType": "imageUpload",
        "taskUUID": str(uuid.uuid4()),
        "image": data_uri(wav_bytes(), "image/png"),
    }
    response = tiny.post([task])
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalidMediaInput"


def test_an_uploaded_audio_uuid_works_as_inputs_audio(engine, api, tmp_path):
    client = api(engine())
    upload = {"taskType": "mediaStorage", "taskUUID": str(uuid.uuid4()), "operation": "upload"}
    upload["media"] = data_uri(wav_bytes(4.0), "audio/wav")
    media_uuid = client.post([upload]).json()["data"][0]["mediaUUID"]
    task_uuid = client.submit(inputs={"audio": media_uuid}, outputFormat="WEBM")
    (done,) = client.wait(task_uuid)
    info = probe(client.download(done["videoURL"], tmp_path / "a.webm"))
    assert info["audio_codec"] == "opus"


def test_inputs_given_as_urls_are_fetched(tiny, receiver: Receiver):
    client = tiny
    receiver.files["/first.png"] = (png_bytes(1280, 720, (10, 200, 30)), "image/png")
    task_uuid = client.submit(
        inputs={"frameImages": [f"{receiver.url}/first.png"]}, resolution="720p"
    )
    (done,) = client.wait(task_uuid)
    assert done["status"] == "success"
    assert any(r.path == "/first.png" for r in receiver.requests)


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{url}/missing.png", "downloadFailed"),
        ("http://127.0.0.1:9/refused.png", "downloadFailed"),
        (str(uuid.uuid4()), "invalidMediaInput"),
        (data_uri(wav_bytes(), "image/png"), "invalidMediaInput"),
        (data_uri(png_bytes(100, 100), "image/png"), "invalidMediaInput"),
    ],
    ids=["http-404", "refused", "unknown-uuid", "not-an-image", "too-small"],
)
def test_an_unusable_input_fails_the_task_with_a_clear_code(tiny, receiver, frame, code):
    task_uuid = tiny.submit(
        inputs={"frameImages": [frame.format(url=receiver.url)]}, resolution="720p"
    )
    (item,) = tiny.wait(task_uuid)
    assert item["status"] == "error" and item["code"] == code
    assert "inputs.frameImages[0]" in item["message"]


# ----- webhooks, uploadEndpoint, credit -----------------------------------------------------------


def test_each_finished_generation_is_posted_to_the_webhook(tiny, receiver):
    task_uuid = tiny.submit(numberResults=2, webhookURL=f"{receiver.url}/hook?token=abc")
    tiny.wait(task_uuid)
    calls = receiver.wait_for(2)
    assert [c.method for c in calls] == ["POST", "POST"]
    assert all(c.path == "/hook?token=abc" for c in calls)
    items = [json.loads(c.body)["data"][0] for c in calls]
    assert sorted(i["resultIndex"] for i in items) == [0, 1]
    assert all(i["status"] == "success" and i["taskUUID"] == task_uuid for i in items)
    assert tiny.handle.stats()["webhooks_sent"] == 2


def test_a_failing_webhook_receiver_is_retried(tiny, receiver):
    receiver.fail_first = 2
    tiny.wait(tiny.submit(webhookURL=f"{receiver.url}/hook"))
    assert len(receiver.wait_for(3)) == 3
    deadline = time.monotonic() + 5
    while tiny.handle.stats()["webhooks_sent"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
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


# ----- a data URI input end to end ----------------------------------------------------------------


def test_a_data_uri_frame_image_sets_the_aspect_of_a_resolution_preset(engine, api, tmp_path: Path):
    client = api(engine())
    task_uuid = client.submit(
        resolution="720p",
        inputs={"frameImages": [{"image": data_uri(png_bytes(800, 800), "image/png")}]},
    )
    (done,) = client.wait(task_uuid)
    info = probe(client.download(done["videoURL"], tmp_path / "sq.mp4"))
    assert (info["width"], info["height"]) == (960, 960)
