"""A relay killed with ``kill -9`` mid-flight and started again loses nothing and bills
nothing twice: its ledger has every task, and the worker picks up the open ones."""

from __future__ import annotations

import time

import httpx

from tests.conftest import video_task
from tests.relay.conftest import TEACHER, enrol, free_port, start_relay_process


def _wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _results(http: httpx.Client, url: str, token: str, uuids: list[str]) -> dict[str, dict]:
    """Poll until every task has its terminal item; the items by taskUUID."""
    auth = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + 60
    while True:
        polls = [{"taskType": "getResponse", "taskUUID": u} for u in uuids]
        body = http.post(url, json=polls, headers=auth).json()
        items = body.get("data", []) + body.get("errors", [])
        done = {i["taskUUID"]: i for i in items if i.get("status") in ("success", "error")}
        if len(done) == len(uuids):
            return done
        assert time.monotonic() < deadline, f"still running: {items}"
        time.sleep(0.1)


def _state(http: httpx.Client, url: str) -> dict:
    answer = http.get(url.removesuffix("/v1") + "/teacher/state",
                      headers={"Authorization": f"Bearer {TEACHER}"})  # fmt: skip
    return answer.json()


def test_kill_9_mid_flight_and_restart_loses_nothing_and_bills_once(
    engine, tmp_path, relay_processes
):
    upstream = engine(delay=1.5, render_mode="tiny")
    tokens = enrol(tmp_path / "roster.csv", {"ann": 5.0, "bob": 5.0})
    port = free_port()
    args = ["--port", str(port), "--upstream", upstream.base_url, "--roster",
            str(tmp_path / "roster.csv"), "--db", str(tmp_path / "relay.sqlite"),
            "--poll-interval", "0.05"]  # fmt: skip
    env = {"RUNWARE_API_KEY": upstream.api_key, "WAN_TEACHER_TOKEN": TEACHER}
    relay = start_relay_process(args, env)
    relay_processes.append(relay)
    http = httpx.Client(timeout=10, trust_env=False)
    ann = {"Authorization": f"Bearer {tokens['ann']}"}
    tasks = [video_task(positivePrompt=f"clip {n}", seed=n) for n in range(3)]
    for task in tasks:
        assert http.post(relay.url, json=[task], headers=ann).status_code == 200
    shared = video_task(positivePrompt="clip 0", seed=0)  # bob asks for ann's first clip
    bob = {"Authorization": f"Bearer {tokens['bob']}"}
    assert http.post(relay.url, json=[shared], headers=bob).status_code == 200
    _wait_for(lambda: upstream.stats()["tasks_stored"] == 3)  # upstream has them, running
    late = video_task(positivePrompt="sent just before the kill")
    assert http.post(relay.url, json=[late], headers=ann).status_code == 200
    polls = [{"taskType": "getResponse", "taskUUID": t["taskUUID"]} for t in tasks]
    running = http.post(relay.url, json=polls, headers=ann).json()["data"]
    assert {i["status"] for i in running} == {"processing"}  # mid-flight
    relay.kill()

    again = start_relay_process(args, env)
    relay_processes.append(again)
    got = _results(http, again.url, tokens["ann"], [t["taskUUID"] for t in [*tasks, late]])
    assert all(i["status"] == "success" for i in got.values())
    (bobs,) = _results(http, again.url, tokens["bob"], [shared["taskUUID"]]).values()
    assert bobs["videoUUID"] == got[tasks[0]["taskUUID"]]["videoUUID"]
    for item in got.values():  # the relay's copies are there and whole
        assert http.get(item["videoURL"]).status_code == 200
    assert upstream.stats()["tasks_stored"] == 4  # nothing was run twice upstream
    spent = {s["name"]: s["spent"] for s in _state(http, again.url)["students"]}
    assert spent == {"ann": 2.0, "bob": 0.0}

    again.kill()  # and once more, after everything finished: nothing changes
    third = start_relay_process(args, env)
    relay_processes.append(third)
    state = _state(http, third.url)
    assert {s["name"]: s["spent"] for s in state["students"]} == spent
    assert state["billed"] == 2.0
    http.close()


def test_with_the_local_upstream_a_restart_sends_open_tasks_again(tmp_path, relay_processes):
    tokens = enrol(tmp_path / "roster.csv", {"ann": 5.0})
    port = free_port()
    args = ["--port", str(port), "--upstream", "local", "--local-render", "tiny",
            "--local-delay", "1.0", "--roster", str(tmp_path / "roster.csv"),
            "--db", str(tmp_path / "relay.sqlite"), "--poll-interval", "0.05"]  # fmt: skip
    env = {"WAN_TEACHER_TOKEN": TEACHER}
    relay = start_relay_process(args, env)
    relay_processes.append(relay)
    http = httpx.Client(timeout=10, trust_env=False)
    task = video_task()
    answer = http.post(relay.url, json=[task], headers={"Authorization": f"Bearer {tokens['ann']}"})
    assert answer.status_code == 200
    time.sleep(0.3)  # sent to the engine, still processing
    relay.kill()  # the engine (its child) goes with it
    again = start_relay_process(args, env)
    relay_processes.append(again)
    (item,) = _results(http, again.url, tokens["ann"], [task["taskUUID"]]).values()
    assert item["status"] == "success" and item["cost"] == 0.5
    assert http.get(item["videoURL"]).status_code == 200
    assert _state(http, again.url)["students"][0]["spent"] == 0.5
    http.close()
