"""Fixtures for the relay: a class (roster + tokens) and relays over real loopback HTTP.

    def test_something(engine, classroom):
        upstream = engine(delay=0.3, render_mode="tiny")
        room = classroom(upstream, ann=1.0, bob=5.0)      # students and budgets (USD)
        room.post("ann", [task])                           # POST /v1 with ann's token
        room.wait("ann", task_uuid)                        # poll until terminal
        room.state()                                       # the teacher's JSON view

The relay runs in this process (uvicorn on a thread) with a URL upstream: the engine, whose
``stats()`` count what reached it.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from wan_notebook.local.launcher import EngineHandle
from wan_notebook.relay import RelayConfig, Roster, RunningRelay, serve_in_thread

TEACHER = "teacher-token-0123456789"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Classroom:
    relay: RunningRelay
    config: RelayConfig
    tokens: dict[str, str]
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30.0, trust_env=False))

    @property
    def url(self) -> str:
        return self.relay.url

    def post(self, student: str | None, tasks: Any, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens.get(student or '', student)}"}
        return self.http.post(self.url, json=tasks, headers=headers if student else {}, **kwargs)

    def poll(self, student: str, *uuids: str) -> httpx.Response:
        return self.post(student, [{"taskType": "getResponse", "taskUUID": u} for u in uuids])

    def wait(self, student: str, task_uuid: str, timeout: float = 60.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            body = self.poll(student, task_uuid).json()
            items = body.get("data", []) + body.get("errors", [])
            if items and all(i.get("status") in ("success", "error") for i in items):
                return items
            if time.monotonic() > deadline:
                raise TimeoutError(f"{task_uuid} still running: {items}")
            time.sleep(0.05)

    def teacher(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {TEACHER}"}
        return self.http.request(method, self.relay.root_url + path, headers=headers, **kwargs)

    def state(self) -> dict[str, Any]:
        response = self.teacher("GET", "/teacher/state")
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def spent(self, student: str) -> float:
        return next(s["spent"] for s in self.state()["students"] if s["name"] == student)


ClassroomFactory = Callable[..., Classroom]


def relay_config(upstream: EngineHandle, folder: Path, **knobs: Any) -> RelayConfig:
    knobs.setdefault("poll_interval", 0.05)
    return RelayConfig(
        roster=folder / "roster.csv",
        teacher_token=TEACHER,
        upstream=upstream.base_url,
        upstream_key=upstream.api_key,
        db=folder / "relay.sqlite",
        **knobs,
    )


def enrol(roster: Path, budgets: dict[str, float]) -> dict[str, str]:
    """Add students to a roster file; their tokens."""
    book = Roster(roster)
    return {name: book.add(name, budget) for name, budget in budgets.items()}


@pytest.fixture
def classroom(tmp_path: Path) -> Iterator[ClassroomFactory]:
    rooms: list[Classroom] = []

    def make(
        upstream: EngineHandle, students: dict[str, float] | None = None, **knobs: Any
    ) -> Classroom:
        config = relay_config(upstream, tmp_path, **knobs)
        tokens = enrol(config.roster, students or {"ann": 5.0})
        room = Classroom(serve_in_thread(config), config, tokens)
        rooms.append(room)
        return room

    yield make
    for room in rooms:
        room.relay.stop()
        room.http.close()


# ----- a relay as a child process (for kill -9) --------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RelayProcess:
    process: subprocess.Popen[bytes]
    url: str

    def kill(self) -> None:
        """``kill -9``: no shutdown code runs."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def start_relay_process(
    args: list[str], env: dict[str, str], timeout: float = 60.0
) -> RelayProcess:
    """``python -m wan_notebook.relay ARGS``; waits for its ready line."""
    command = [sys.executable, "-m", "wan_notebook.relay", *args]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
    )
    assert process.stdout is not None
    ready = select.select([process.stdout], [], [], timeout)[0]
    line = process.stdout.readline() if ready else b""
    if not line:
        process.kill()
        raise RuntimeError("the relay process did not start")
    return RelayProcess(process, json.loads(line)["url"])


@pytest.fixture
def relay_processes() -> Iterator[list[RelayProcess]]:
    started: list[RelayProcess] = []
    yield started
    for relay in started:
        if relay.process.poll() is None:
            relay.process.terminate()
            relay.process.wait(timeout=20)
