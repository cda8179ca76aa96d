"""The local engine's HTTP layer: Runware's ``POST /v1`` plus media files and test hooks.

Standard library only (``http.server`` handlers, HTTP/1.1 keep-alive); connections share a
bounded pool of ``http_workers`` threads, idle ones cost none (``_connections``). Routes:

- ``POST /v1``: a JSON array of tasks; auth by ``Authorization: Bearer <key>`` or a first
  ``{"taskType": "authentication", "apiKey": ...}`` task. Fault injection strikes here.
- ``GET|HEAD /media/<uuid><ext>``: results and uploads, with single byte ranges.
- ``GET /_engine/health`` (no auth), ``GET /_engine/stats``, ``POST /_engine/stats/reset``,
  ``GET|POST /_engine/faults`` (Bearer key): for tests and benchmarks.

The key is compared in constant time and never logged or echoed. This module starts
engines in this process (``start_server``, ``serve_in_thread``); the routes are in
``_http`` and the HTTP/1.1 plumbing in ``_wire``.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from .._secrets import register_secret
from ._config import EngineConfig
from ._http import EngineServer
from .engine import Engine
from .faults import FaultConfig
from .launcher import EngineHandle, new_key

__all__ = ["EngineServer", "serve_in_thread", "start_server"]


def start_server(
    config: EngineConfig,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    public_url: str | None = None,
    verbose: bool = False,
) -> EngineServer:
    """Build an engine and its server and start serving on a daemon thread."""
    engine = Engine(config)
    try:
        server = EngineServer(
            engine,
            host,
            port,
            public_url=public_url,
            verbose=verbose,
            workers=config.http_workers,
        )
    except OSError:
        engine.close()
        raise
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="wan-engine-io",
        daemon=True,
    )
    thread.start()
    return server


def serve_in_thread(
    *, api_key: str | None = None, host: str = "127.0.0.1", port: int = 0, **knobs: Any
) -> EngineHandle:
    """An engine in this process (fast to start; tests use it). Knobs: ``EngineConfig`` fields."""
    key = api_key or new_key()
    register_secret(key)
    faults = knobs.pop("faults", None)
    if isinstance(faults, dict):
        knobs["faults"] = FaultConfig.from_json(faults)
    elif faults is not None:
        knobs["faults"] = faults
    server = start_server(EngineConfig(api_key=key, **knobs), host=host, port=port)
    return EngineHandle(
        base_url=f"{server.root_url}/v1", api_key=key, pid=os.getpid(), stopper=server.close
    )
