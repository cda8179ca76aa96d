"""The classroom relay: one Runware key for a class, a budget per student, a page for the teacher.

The teacher runs ``wan-notebook relay`` next to JupyterHub or on a laptop. Students point an
unchanged client at it (``WAN_BASE_URL=http://HOST:PORT/v1``, ``RUNWARE_API_KEY=<their
token>``; the official SDK too): it speaks Runware's REST protocol at ``/v1``, forwards to
Runware (or to a local engine it starts) with the teacher's key, and

- enforces each student's budget: a task reserves its estimated cost, the actual cost
  settles it, and a task that would pass the budget is refused (402) before it goes upstream;
- shares identical requests across the class: one upstream task, charged to the first student;
- keeps everything in a SQLite ledger that survives a restart, even ``kill -9``: open tasks
  are picked up again and nothing is billed twice;
- serves the teacher's page at ``/``: spend per student, pauses, budgets, the class's videos.

Request path::

    student POST /v1 -> _api (auth, pause, in-flight) -> _admission (rules, cache, budget)
        -> _ledger (journaled) -> _worker -> _upstream (AsyncRunwareClient) -> Runware/engine
    student getResponse -> _api -> _ledger (kept current by _worker) -> _answers

Modules: ``_config`` (knobs), ``_roster`` (CSV, hashed tokens), ``_ledger`` (SQLite),
``_admission``, ``_api`` (``POST /v1``), ``_answers`` (Runware shapes), ``_worker``,
``_upstream``, ``_page`` (HTML) and ``_teacher`` (its routes), ``_app`` (Starlette),
``_server`` (uvicorn), ``_cli`` (the command). Needs the ``[relay]`` extra.
"""

from __future__ import annotations

from ._config import RelayConfig
from ._roster import Roster, Student, hash_token, new_token

__all__ = [
    "RelayConfig",
    "Roster",
    "RunningRelay",
    "Student",
    "build_app",
    "hash_token",
    "new_token",
    "serve",
    "serve_in_thread",
]


def __getattr__(name: str) -> object:
    # The server parts import Starlette and uvicorn: only when asked for.
    if name == "build_app":
        from ._app import build_app

        return build_app
    if name in ("RunningRelay", "serve", "serve_in_thread"):
        from . import _server

        return getattr(_server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
