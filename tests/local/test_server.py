"""The local engine's HTTP layer: auth, request bodies, connections, media files.

Real loopback HTTP, no mocks; most tests use ``render_mode="tiny"`` (content is irrelevant
to the protocol) and short delays.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
import uuid

import httpx
import pytest

from tests.conftest import EngineApi

# ----- auth -----------------------------------------------------------------------------------


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


# ----- the key before the body (finding 13) --------------------------------------------------


def _raw(handle, head: bytes, body: bytes = b"", *, timeout: float = 5.0) -> bytes:
    """Send a raw request over loopback; the whole answer until the server closes or pauses."""
    host, port = handle.root_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(head + body)
        chunks = []
        try:
            while data := sock.recv(65536):
                chunks.append(data)
                if b"\r\n\r\n" in b"".join(chunks) and b'"errors"' in b"".join(chunks):
                    break
        except TimeoutError:
            pass
    return b"".join(chunks)


def test_a_wrong_bearer_key_is_refused_before_the_body_is_read(engine):
    handle = engine()
    head = (
        b"POST /v1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong-key-0123\r\n"
        b"Content-Length: 50000000\r\n\r\n"
    )
    started = time.monotonic()
    answer = _raw(handle, head, b"[")  # 50 MB announced, one byte sent: never waited for
    assert answer.startswith(b"HTTP/1.1 401")
    assert b"invalidApiKey" in answer
    assert time.monotonic() - started < 2.0


def test_a_deeply_nested_body_without_a_key_is_401_not_a_dead_connection(engine):
    handle = engine()
    body = b"[" * 100_000 + b"]" * 100_000
    response = httpx.post(handle.base_url, content=body, trust_env=False)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "invalidApiKey"


@pytest.mark.parametrize("depth", [33, 100_000])
def test_a_deeply_nested_body_with_the_key_is_a_clear_400(tiny, depth):
    body = b"[" * depth + b"]" * depth
    response = tiny.client.post(tiny.handle.base_url, content=body)
    assert response.status_code == 400
    (err,) = response.json()["errors"]
    assert err["code"] == "invalidRequestBody" and "nested deeper than 32" in err["message"]
    assert tiny.post([{"taskType": "ping"}]).status_code == 200  # the engine lives on


def test_the_authentication_task_is_found_without_decoding_the_rest(engine):
    handle = engine()
    auth = json.dumps({"taskType": "authentication", "apiKey": handle.api_key}).encode()
    deep = b"[" * 50_000 + b"]" * 50_000
    response = httpx.post(
        handle.base_url, content=b"[" + auth + b"," + deep + b"]", trust_env=False
    )
    assert response.status_code == 400  # past the key: then the depth bound speaks
    assert "nested deeper" in response.json()["errors"][0]["message"]


# ----- bodies, connections, hooks -------------------------------------------------------------


def test_a_body_that_is_not_an_array_is_rejected(tiny):
    response = tiny.client.post(tiny.handle.base_url, content=b'{"taskType": "ping"}')
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalidRequestBody"


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


# ----- media files ----------------------------------------------------------------------------


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
