"""The engine as a child process: start, stop, no orphans, the serve command's rules."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import EngineApi
from wan_notebook.local import cli, launcher
from wan_notebook.local.launcher import EngineStartError, start_engine
from wan_notebook.local.probe import probe


def gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_start_engine_serves_and_stop_ends_the_process():
    handle = start_engine(delay=0)
    try:
        assert handle.base_url.startswith("http://127.0.0.1:") and handle.base_url.endswith("/v1")
        assert handle.health()["ok"] is True
        assert handle.alive()
        assert handle.api_key not in repr(handle) and "api_key" not in repr(handle)
        response = httpx.post(
            handle.base_url,
            json=[{"taskType": "ping"}],
            headers={"Authorization": f"Bearer {handle.api_key}"},
            trust_env=False,
        )
        assert response.json()["data"][0]["pong"] is True
    finally:
        handle.stop()
    assert not handle.alive()
    assert handle.process is not None and handle.process.returncode == 0
    handle.stop()  # idempotent


def test_a_child_engine_in_small_render_mode_renders_a_quarter_of_the_size(tmp_path: Path):
    handle = start_engine(delay=0, render_mode="small")
    api = EngineApi(handle)
    try:
        (item,) = api.wait(api.submit(width=1280, height=720, duration=5, seed=3))
        info = probe(api.download(item["videoURL"], tmp_path / "small.mp4"))
    finally:
        api.close()
        handle.stop()
    assert item["localRenderMode"] == "small"
    assert (info["width"], info["height"]) == (320, 180)
    assert info["duration"] == pytest.approx(5, abs=0.1)


def test_sigterm_stops_the_engine_cleanly():
    handle = start_engine()
    os.kill(handle.pid, signal.SIGTERM)
    assert handle.process is not None
    assert handle.process.wait(timeout=10) == 0
    handle.stop()


def test_the_engine_exits_when_its_parent_is_killed(tmp_path: Path):
    script = textwrap.dedent(
        """
        import sys, time
        from wan_notebook.local.launcher import start_engine
        handle = start_engine()
        print(handle.pid, flush=True)
        time.sleep(120)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        engine_pid = int(parent.stdout.readline())
        assert not gone(engine_pid, 0.2), "the engine is running"
        parent.kill()  # SIGKILL: no atexit, no cleanup in the parent
        parent.wait()
        assert gone(engine_pid, 10), "the engine outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()


def test_a_failed_start_says_why_with_the_engine_stderr():
    with pytest.raises(EngineStartError) as info:
        start_engine(render_mode="huge")
    assert "invalid choice" in str(info.value)


def test_the_key_travels_in_the_environment_and_is_never_printed(tmp_path: Path):
    ready = tmp_path / "ready.json"
    env = {**os.environ, launcher.KEY_ENV: "env-key-abcdef-123456"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wan_notebook.local",
            "serve",
            "--exit-on-stdin-eof",
            "--ready-file",
            str(ready),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None
    line = json.loads(proc.stdout.readline())
    assert json.loads(ready.read_text()) == line
    health = httpx.get(line["url"].removesuffix("/v1") + "/_engine/health", trust_env=False).json()
    assert health["ok"]
    stats = httpx.get(
        line["url"].removesuffix("/v1") + "/_engine/stats",
        headers={"Authorization": "Bearer env-key-abcdef-123456"},
        trust_env=False,
    )
    assert stats.status_code == 200
    out, err = proc.communicate(b"", timeout=10)
    assert proc.returncode == 0
    assert b"env-key-abcdef-123456" not in out + err
    assert b"not Wan 2.6" in err


def test_a_generated_key_is_shown_once_on_stderr(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k != launcher.KEY_ENV}
    proc = subprocess.Popen(
        [sys.executable, "-m", "wan_notebook.local", "serve", "--exit-on-stdin-eof"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None
    line = json.loads(proc.stdout.readline())
    assert set(line) == {"url", "pid"}
    out, err = proc.communicate(b"", timeout=10)
    keys = [x for x in err.decode().splitlines() if x.startswith("key: ")]
    assert len(keys) == 1
    assert keys[0].removeprefix("key: ") not in out.decode()


def test_serve_refuses_a_public_host_without_public(capsys):
    assert cli.main(["serve", "--host", "0.0.0.0"])  # noqa: S104 (refused, never bound) == 2
    assert "--public" in capsys.readouterr().err


def test_the_cli_without_a_command_prints_help(capsys):
    assert cli.main([]) == 2
    assert "serve" in capsys.readouterr().err


def test_ensure_engine_shares_one_engine_per_process(monkeypatch):
    from wan_notebook import settings
    from wan_notebook.client._backend import resolve

    monkeypatch.setenv("WAN_LOCAL_DELAY", "0.25")
    monkeypatch.setenv("WAN_BACKEND", "local")
    settings.reset()
    try:
        resolve()  # the backend starts it with the settings' delay (the engine reads none)
        first = launcher.ensure_engine()
        assert launcher.ensure_engine() is first
        assert first.stats()["delay"] == 0.25
        launcher.stop_shared_engine()
        assert not first.alive()
    finally:
        launcher.stop_shared_engine()
        settings.reset()


def test_ensure_engine_names_a_delay_of_the_wrong_type():
    with pytest.raises(TypeError, match=r"^delay: expected a number"):
        launcher.ensure_engine(delay="3")  # type: ignore[arg-type]
