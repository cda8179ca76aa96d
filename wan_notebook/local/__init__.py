"""The local engine: a Runware-compatible server that renders real, labelled preview videos.

It is a *local preview engine — not Wan 2.6*: clips are procedural, deterministic from prompt
and seed, and stamped "LOCAL PREVIEW". It speaks the Runware REST protocol (``POST /v1``,
``videoInference`` + ``getResponse``, uploads, webhooks, ``uploadEndpoint``, ttl, cost,
credit) so the client, the official SDK and tests run against it unchanged.

Public surface (this module imports nothing heavy):

- ``start_engine(**knobs) -> EngineHandle``: a child process on a random loopback port.
- ``ensure_engine()``: the one shared engine of this process (the default backend).
- ``EngineHandle``: ``base_url``, ``api_key`` (never in repr), ``pid``, ``stop()``,
  ``stats()``, ``reset_stats()``, ``set_faults(...)``, ``health()``.
- ``wan_notebook.local.server.serve_in_thread(**knobs)``: the same, in this process.
- ``wan-notebook serve`` on the command line (``cli.py``).

Modules: ``server`` (HTTP), ``engine`` (tasks, state machine, render pool, credit, stats),
``faults`` (fault injection), ``storage`` (uploads, results, ttl), ``delivery`` (webhooks,
uploadEndpoint), ``launcher`` (child process), ``render`` (the video renderer), ``cli``.

Status: everything above works and is tested in ``tests/test_local_*.py``,
``tests/test_launcher.py`` and ``tests/test_runware_sdk_compat.py``.
"""

from __future__ import annotations

from ..errors import EngineStartError
from .launcher import (
    EngineHandle,
    ensure_engine,
    start_engine,
    stop_shared_engine,
)

__all__ = [
    "EngineHandle",
    "EngineStartError",
    "ensure_engine",
    "start_engine",
    "stop_shared_engine",
]
