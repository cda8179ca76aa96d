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

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from wan_notebook.local.launcher import EngineHandle  # noqa: E402
from wan_notebook.relay import RelayConfig, Roster, RunningRelay, serve_in_thread  # noqa: E402

TEACHER = "teacher-token-0123456789"


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

    def make(upstream: EngineHandle, students: dict[str, float] | None = None, **knobs: Any) -> Classroom:
        config = relay_config(upstream, tmp_path, **knobs)
        tokens = enrol(config.roster, students or {"ann": 5.0})
        room = Classroom(serve_in_thread(config), config, tokens)
        rooms.append(room)
        return room

    yield make
    for room in rooms:
        room.relay.stop()
        room.http.close()
