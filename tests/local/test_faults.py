"""Each fault knob makes the engine misbehave exactly as configured (real loopback HTTP)."""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest

from tests.conftest import EngineApi, video_task
from wan_notebook.client._answers import parse_body
from wan_notebook.local.faults import FaultConfig, FaultConfigError, FaultPolicy


@pytest.fixture
def client(engine, api) -> EngineApi:
    return api(engine(render_mode="tiny"))


def ping(client: EngineApi) -> httpx.Response:
    return client.post([{"taskType": "ping"}])


def test_429_carries_retry_after_in_whole_seconds(client):
    client.handle.set_faults(next={"429": 1}, retry_after=1.5)
    response = ping(client)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "2"
    assert response.json()["errors"][0]["code"] == "rateLimitExceeded"
    assert ping(client).status_code == 200


def test_next_503_burst_hits_exactly_the_next_requests(client):
    client.handle.set_faults(next={"503": 3})
    assert [ping(client).status_code for _ in range(5)] == [503, 503, 503, 200, 200]
    assert client.handle.stats()["faults"] == {"503": 3}


def test_a_500_rate_of_one_fails_every_request(client):
    client.handle.set_faults(rates={"500": 1.0})
    response = ping(client)
    assert response.status_code == 500
    assert response.json()["errors"][0]["code"] == "internalServerError"


def test_a_dropped_connection_is_a_transport_error_and_the_task_is_not_taken(client):
    client.handle.set_faults(next={"drop": 1})
    task = video_task()
    with pytest.raises(httpx.TransportError):
        client.post([task])
    assert client.poll(task["taskUUID"]).json()["errors"][0]["code"] == "taskNotFound"


def test_drop_after_processing_makes_a_resend_meet_conflict_task_uuid(client):
    client.handle.set_faults(next={"drop_after": 1})
    task = video_task()
    with pytest.raises(httpx.TransportError):
        client.post([task])
    resend = client.post([task])
    assert resend.json()["errors"][0]["code"] == "conflictTaskUUID"
    assert client.wait(task["taskUUID"])[0]["status"] == "success"


def test_a_slow_response_takes_the_configured_time(client):
    client.handle.set_faults(next={"slow": 1}, slow_seconds=0.5)
    started = time.monotonic()
    assert ping(client).status_code == 200
    assert time.monotonic() - started >= 0.5


@pytest.mark.parametrize("kind", ["json", "shape"])
def test_a_malformed_body_is_not_a_usable_answer(client, kind):
    client.handle.set_faults(next={"malformed": 1}, malformed=kind)
    response = ping(client)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        parse_body(json.loads(response.content))


def test_a_failed_task_ends_in_an_inference_error_item(client):
    client.handle.set_faults(next={"task_fail": 1})
    task_uuid = client.submit(numberResults=2)
    body = client.poll(task_uuid).json()
    items = client.wait(task_uuid)
    assert [i["status"] for i in items] == ["error", "success"]
    failed = items[0]
    assert failed["code"] == "inferenceError" and failed["taskUUID"] == task_uuid
    assert failed in client.poll(task_uuid).json()["errors"]
    assert client.poll(task_uuid).status_code == 200
    assert "data" in body


def test_the_data_error_shape_nests_the_error_in_a_data_item(client):
    client.handle.set_faults(next={"task_fail": 1}, error_shape="data")
    task_uuid = client.submit()
    client.wait(task_uuid)
    (item,) = client.poll(task_uuid).json()["data"]
    assert item["status"] == "error" and item["error"]["code"] == "inferenceError"
    assert parse_body({"data": [item]}).errors[0].code == "inferenceError"


def test_a_truncated_download_ends_before_its_content_length(client):
    (item,) = client.wait(client.submit())
    client.handle.set_faults(next={"truncate": 1})
    host, port = client.handle.root_url.removeprefix("http://").split(":")
    path = "/" + item["videoURL"].split("/", 3)[3]
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    length = int(
        next(
            line.split(b":")[1]
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
    )
    assert 0 < len(body) < length
    client.handle.set_faults(next={"truncate": 1})
    with pytest.raises(httpx.TransportError):  # what an httpx client sees
        client.client.get(item["videoURL"])
    assert len(client.client.get(item["videoURL"]).content) == length


def test_a_402_fault_refuses_the_request_for_credit(client):
    client.handle.set_faults(next={"402": 1})
    response = client.post([video_task()])
    assert response.status_code == 402
    assert response.json()["errors"][0]["code"] == "insufficientCredits"


def test_batched_get_response_can_be_refused_so_clients_fall_back(client):
    a, b = client.submit(), client.submit()
    client.handle.set_faults(reject_batched_get_response=True)
    batched = client.poll(a, b)
    assert batched.status_code == 400
    assert batched.json()["errors"][0]["code"] == "unsupportedBatch"
    assert client.poll(a).status_code == 200


def test_apply_to_limits_post_faults_to_those_task_types(client):
    client.handle.set_faults(rates={"503": 1.0}, apply_to=["getResponse"])
    task_uuid = client.submit()
    assert client.poll(task_uuid).status_code == 503


def test_the_same_seed_gives_the_same_fault_sequence(client):
    def run() -> list[int]:
        client.handle.set_faults(seed=7, rates={"503": 0.5})
        return [ping(client).status_code for _ in range(20)]

    first = run()
    assert 503 in first and 200 in first
    assert run() == first


def test_faults_can_be_read_back_and_cleared(client):
    client.handle.set_faults(rates={"429": 0.25})
    assert client.client.get(f"{client.handle.root_url}/_engine/faults").json()["rates"] == {
        "429": 0.25
    }
    client.handle.set_faults()
    assert all(ping(client).status_code == 200 for _ in range(5))


def test_a_bad_fault_config_is_refused(client):
    response = client.client.post(
        f"{client.handle.root_url}/_engine/faults", json={"rates": {"418": 1}}
    )
    assert response.status_code == 400
    assert "unknown fault kind" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "raw",
    [
        {"nope": 1},
        {"rates": {"503": 2}},
        {"next": {"503": -1}},
        {"malformed": "xml"},
        {"error_shape": "x"},
    ],
)
def test_fault_config_validation(raw):
    with pytest.raises(FaultConfigError):
        FaultConfig.from_json(raw)


def test_next_counters_win_over_rates_and_run_out():
    policy = FaultPolicy(FaultConfig.from_json({"next": {"drop": 2}, "rates": {"500": 1.0}}))
    assert [policy.for_post({"ping"}) for _ in range(3)] == ["drop", "drop", "500"]
    assert policy.remaining() == {}


def test_faults_given_at_start_apply_from_the_first_request(engine, api):
    client = api(engine(process=True, faults={"next": {"503": 1}}))
    assert ping(client).status_code == 503
    assert ping(client).status_code == 200
