"""The engine's connections share a bounded pool: slow and idle clients cost no threads
(finding 13). Real loopback sockets against an engine in this process."""

from __future__ import annotations

import json
import socket
import threading
import time

import httpx
import pytest

from wan_notebook.local._http import EngineServer

WORKERS = 8


def _connect(handle, count: int, send: bytes) -> list[socket.socket]:
    host, port = handle.root_url.removeprefix("http://").split(":")
    socks = []
    for _ in range(count):
        sock = socket.create_connection((host, int(port)), timeout=5)
        if send:
            sock.sendall(send)
        socks.append(sock)
    return socks


def _closed_by_server(sock: socket.socket) -> bool:
    sock.settimeout(0.0)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def test_300_slow_clients_take_no_thread_each_and_others_are_still_served(engine, monkeypatch):
    monkeypatch.setattr(EngineServer, "head_timeout", 1.5)
    handle = engine(render_mode="tiny", http_workers=WORKERS)
    before = threading.active_count()
    slow = _connect(handle, 150, b"POST /v1 HTTP/1.1\r\nHost: x\r\n")  # a head never finished
    idle = _connect(handle, 150, b"")  # connected, silent
    try:
        time.sleep(0.3)
        assert threading.active_count() <= before + WORKERS + 1
        started = time.monotonic()
        health = httpx.get(f"{handle.root_url}/_engine/health", trust_env=False, timeout=5)
        assert health.status_code == 200
        assert time.monotonic() - started < 1.0  # not queued behind the slow ones
        time.sleep(2.0)  # past head_timeout: the unfinished heads are dropped
        assert all(_closed_by_server(s) for s in slow)
        assert not any(_closed_by_server(s) for s in idle)  # idle keep-alive is allowed
        assert threading.active_count() <= before + WORKERS + 1
    finally:
        for sock in slow + idle:
            sock.close()


def test_many_keep_alive_clients_share_few_threads(engine):
    handle = engine(render_mode="tiny", http_workers=4)
    before = threading.active_count()
    clients = [
        httpx.Client(
            headers={"Authorization": f"Bearer {handle.api_key}"}, trust_env=False, timeout=10
        )
        for _ in range(40)
    ]
    try:
        for _ in range(3):
            for client in clients:
                answer = client.post(handle.base_url, json=[{"taskType": "ping"}])
                assert answer.json()["data"][0]["pong"] is True
        assert threading.active_count() <= before + 4 + 1
    finally:
        for client in clients:
            client.close()


def test_pipelined_requests_on_one_connection_are_all_answered(engine):
    handle = engine()
    body = json.dumps([{"taskType": "ping"}]).encode()
    one = (
        b"POST /v1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {handle.api_key}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    (sock,) = _connect(handle, 1, one * 3)
    received = b""
    deadline = time.monotonic() + 5
    while received.count(b'"pong":true') < 3 and time.monotonic() < deadline:
        received += sock.recv(65536)
    sock.close()
    assert received.count(b"HTTP/1.1 200") == 3


@pytest.mark.parametrize("bad", [0, -1, "8"])
def test_http_workers_must_be_a_positive_int(engine, bad):
    with pytest.raises((ValueError, TypeError), match="http_workers"):
        engine(http_workers=bad)
