"""Start the local engine as a child process and talk to it: ``start_engine``, ``ensure_engine``.

The child is ``python -m wan_notebook.local serve --port 0 --exit-on-stdin-eof``. Its key is
random per run and travels only in the environment (``WAN_ENGINE_KEY``), never on a command
line (other users can read those) and never in output. The child prints one JSON line
``{"url": ..., "pid": ...}`` when it is listening. It exits on SIGTERM and when its stdin
pipe closes, which happens when this process ends for any reason, ``kill -9`` included: no
orphaned servers.

This module stays light (no PyAV, no numpy) so that importing it costs nothing.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import secrets
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final

import httpx

from .._secrets import register_secret
from ..errors import EngineStartError
from ._checks import require

KEY_ENV: Final = "WAN_ENGINE_KEY"
READY_TIMEOUT: Final = 30.0
_STDERR_TAIL: Final = 4000


def new_key() -> str:
    key = "wan-local-" + secrets.token_urlsafe(24)
    register_secret(key)
    return key


@dataclass
class EngineHandle:
    """A running engine: where it is, its key (never shown), and test/bench helpers."""

    base_url: str  # the API URL, http://127.0.0.1:PORT/v1
    api_key: str = field(repr=False)
    pid: int
    stopper: Callable[[], None] = field(repr=False)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _stopped: bool = field(default=False, repr=False)

    @property
    def root_url(self) -> str:
        return self.base_url.removesuffix("/v1")

    def alive(self) -> bool:
        if self._stopped:
            return False
        return self.process is None or self.process.poll() is None

    def stop(self) -> None:
        """Stop the engine (idempotent)."""
        if not self._stopped:
            self._stopped = True
            self.stopper()

    def __enter__(self) -> EngineHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ----- helpers over HTTP (Bearer key) ----------------------------------------------------

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.api_key}"}
        # trust_env off: a proxy from the environment must never see loopback calls.
        with httpx.Client(timeout=10.0, trust_env=False) as client:
            response = client.request(method, self.root_url + path, json=body, headers=headers)
        response.raise_for_status()
        return response.json()

    def health(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/_engine/health")
        return result

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/_engine/stats")
        return result

    def reset_stats(self) -> None:
        self._call("POST", "/_engine/stats/reset", {})

    def set_faults(self, config: Mapping[str, Any] | None = None, **knobs: Any) -> dict[str, Any]:
        """Replace the fault config: ``set_faults(next={"503": 3})``; no arguments = no faults."""
        result: dict[str, Any] = self._call("POST", "/_engine/faults", {**(config or {}), **knobs})
        return result


def cli_args(knobs: Mapping[str, Any]) -> list[str]:
    """``serve`` flags for engine knobs (the names of ``EngineConfig`` fields)."""
    args: list[str] = []
    for name, value in knobs.items():
        if value is None:
            continue
        if name == "progress":
            args += [] if value else ["--no-progress"]
        elif name == "faults":
            args += [
                "--faults",
                json.dumps(value if isinstance(value, Mapping) else value.to_json()),
            ]
        elif name in (
            "delay",
            "workers",
            "credit",
            "render_mode",
            "media_dir",
            "ttl_scale",
            "fetch_timeout",
            "host",
            "port",
            "public_url",
        ):
            shown = Path(value).expanduser().resolve() if name == "media_dir" else value
            args += [f"--{name.replace('_', '-')}", str(shown)]
        else:
            raise TypeError(f"unknown engine knob {name!r}")
    return args


def start_engine(*, timeout: float = READY_TIMEOUT, **knobs: Any) -> EngineHandle:
    """Start an engine child process on a random loopback port and wait until it serves.

    Knobs: delay, workers, credit, faults (dict), render_mode, media_dir, progress, ttl_scale,
    fetch_timeout, host, port.
    """
    key = new_key()
    knobs.setdefault("port", 0)
    command = [
        sys.executable,
        "-m",
        "wan_notebook.local",
        "serve",
        "--exit-on-stdin-eof",
        *cli_args(knobs),
    ]
    env = {**os.environ, KEY_ENV: key, "PYTHONUNBUFFERED": "1"}
    # A file, not a pipe, so a chatty child can never block; closed once the child is up.
    stderr = tempfile.TemporaryFile()  # noqa: SIM115
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        env=env,
        start_new_session=True,  # a Ctrl-C / kernel interrupt is for the parent, not the engine
    )
    assert process.stdout is not None
    lines: queue.Queue[bytes] = queue.Queue()
    threading.Thread(target=_drain, args=(process.stdout, lines), daemon=True).start()
    try:
        line = lines.get(timeout=timeout)
        ready = json.loads(line)
        url = str(ready["url"])
    except (queue.Empty, ValueError, KeyError, TypeError) as exc:
        _kill(process)
        tail = _tail(stderr)
        stderr.close()
        why = "timed out" if isinstance(exc, queue.Empty) else "exited or printed no ready line"
        raise EngineStartError(
            f"the local engine did not start ({why} after {timeout:g} s).\n{tail}"
        ) from exc
    stderr.close()  # the child keeps its own descriptor; we only needed the start-up tail
    return EngineHandle(
        base_url=url,
        api_key=key,
        pid=process.pid,
        stopper=lambda: _stop_process(process),
        process=process,
    )


def _drain(stream: IO[bytes], lines: queue.Queue[bytes]) -> None:
    with stream:
        for line in iter(stream.readline, b""):
            lines.put(line)
    lines.put(b"")  # EOF: the child exited before (or after) the ready line


def _tail(stderr: IO[bytes]) -> str:
    stderr.seek(0, os.SEEK_END)
    size = stderr.tell()
    stderr.seek(max(0, size - _STDERR_TAIL))
    text = stderr.read().decode("utf-8", "replace").strip()
    return (
        f"engine stderr (last lines):\n{text}" if text else "(the engine wrote nothing to stderr)"
    )


def _stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.stdin is not None:
        with contextlib.suppress(OSError):
            process.stdin.close()  # EOF: the child shuts down cleanly
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        _kill(process)


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=3)


# ----- one shared engine per process ---------------------------------------------------------

_shared: EngineHandle | None = None
_shared_lock = threading.Lock()
_atexit_registered = False


def ensure_engine(*, delay: float | None = None, **knobs: Any) -> EngineHandle:
    """The process's shared engine for the default backend, started on first use.

    ``delay`` (seconds a clip reads "processing"; None: the engine's default) and the other
    knobs (see ``start_engine``) apply when an engine starts; a dead engine is replaced.
    The client's backend passes the settings' ``local_delay``. Stopped at exit.
    """
    global _shared, _atexit_registered
    require(delay, (int, float, type(None)), "delay", "a number of seconds or None")
    with _shared_lock:
        if _shared is not None and _shared.alive():
            return _shared
        if delay is not None:
            knobs["delay"] = delay
        _shared = start_engine(**knobs)
        if not _atexit_registered:
            atexit.register(stop_shared_engine)
            _atexit_registered = True
        return _shared


def stop_shared_engine() -> None:
    global _shared
    with _shared_lock:
        if _shared is not None:
            _shared.stop()
            _shared = None
