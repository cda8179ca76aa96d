"""The local engine: a Runware-compatible server that renders real, labelled preview videos.

It is a *local preview engine — not Wan 2.6*: clips are procedural, deterministic from prompt
and seed, and stamped "LOCAL PREVIEW". It speaks the Runware REST protocol (``POST /v1``,
``videoInference`` + ``getResponse``, uploads, webhooks, ``uploadEndpoint``, ttl, cost,
credit) so the client, the official SDK and tests run against it unchanged.

Public surface (this module imports nothing heavy):

- ``start_engine(**knobs) -> EngineHandle``: a child process on a random loopback port.
- ``ensure_engine(delay=None, **knobs)``: the one shared engine of this process (the
  default backend; ``client/_backend.py`` passes the settings' ``local_delay``).
- ``EngineHandle``: ``base_url``, ``api_key`` (never in repr), ``pid``, ``stop()``,
  ``stats()``, ``reset_stats()``, ``set_faults(...)``, ``health()``.
- ``wan_notebook.local.server.serve_in_thread(**knobs)``: the same, in this process.
- ``python -m wan_notebook.local serve`` (``cli.py``), also ``wan-notebook serve``.

Modules, by the path of a request:

- ``launcher``: the engine as a child process (``start_engine``, ``ensure_engine``); light.
- ``cli``: the ``serve`` command the child runs; ``__main__`` runs it.
- ``server``: starts an engine in this process; ``_http`` holds its routes (auth, faults,
  media files, ``/_engine`` hooks) and ``_wire`` the HTTP/1.1 plumbing (bodies, answers,
  byte ranges).
- ``engine``: dispatch and task handlers, the generation state machine, the render pool;
  beside it ``_config`` (``EngineConfig``), ``_tasks`` (a task, its generations, its
  ``RenderSpec``), ``_answers`` (the API's error and result items), ``_uploads`` (upload
  tasks), ``_tiny`` (tiny render mode), ``_scheduler`` (timed callbacks), ``_stats``.
- ``faults`` (fault injection), ``storage`` (uploads, results, inputs, ttl), ``delivery``
  (webhooks, uploadEndpoint).
- ``render/``: the video renderer (``_spec``, ``_canvas``, ``_look``, ``_label``,
  ``_first_frame``, ``_motion``, ``_picture``, ``_audio``, ``_encode``); ``probe``: what a
  media file holds.
- ``_checks``: argument type checks for the public functions.

It imports only ``request/``, ``errors``, ``_files``, ``_version`` and ``_secrets``: the
engine knows nothing of jobs, settings or the journal (``tests/test_layers.py`` checks).
Tests are in ``tests/local/``.
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
