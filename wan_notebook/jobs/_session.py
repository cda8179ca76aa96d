"""The jobs' session: where jobs send, which jobs this process started, and the budget.

A ``Session`` holds what the jobs of a process share: the transport (None: the network;
tests pass an ``httpx.MockTransport``), one client per backend and key, the list of jobs
started (``live`` are those not finished) and the budget they all draw on. New jobs start
in ``current()``; tests install their own with ``use_session``, so nothing global is reset
by hand.

``Session.context()`` turns the settings of the moment into the ``Context`` a job keeps to
its end (backend, client, store), so ``configure()`` changes the next jobs, never a running
one.
"""

from __future__ import annotations

import hashlib
import threading

import httpx

from ..client import AsyncRunwareClient, close_all_clients, resolve
from ..settings import Settings, get_settings
from ..store import Store
from . import _loop as runtime
from ._budget import Budget
from ._context import Context
from ._job import Job

__all__ = ["Session", "current", "session_spend", "use_session"]


class Session:
    """See the module docstring. ``jobs``: every job started in it (cached ones included),
    oldest first; ``budget``: what they committed to spend."""

    def __init__(
        self, *, transport: httpx.AsyncBaseTransport | None = None, budget: Budget | None = None
    ) -> None:
        if transport is not None and not isinstance(transport, httpx.AsyncBaseTransport):
            raise TypeError(f"transport must be an httpx.AsyncBaseTransport, not {transport!r}")
        self.transport = transport
        self.budget = budget if budget is not None else Budget()
        self.jobs: list[Job] = []
        self._clients: dict[tuple[str, str], AsyncRunwareClient] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        transport = "" if self.transport is None else f" via {type(self.transport).__name__}"
        return (
            f"<Session{transport}: {len(self.jobs)} jobs, {len(self.live())} live,"
            f" ${self.budget.committed:.2f} committed>"
        )

    def live(self) -> list[Job]:
        """Jobs of this session that have not finished, oldest first."""
        return [job for job in self.jobs if not job.done]

    def context(self, settings: Settings | None = None) -> Context:
        """Where a job started now sends and stores (``settings``: default the current)."""
        s = settings or get_settings()
        backend = resolve(s)
        key = (backend.base_url, hashlib.sha256(backend.api_key.encode()).hexdigest())
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = AsyncRunwareClient(
                    backend.base_url, backend.api_key, transport=self.transport
                )
                self._clients[key] = client
                _close_clients_on_shutdown()
        return Context(backend, client, Store.open(s.media_dir), s, self.budget)

    async def aclose(self) -> None:
        """Close this session's connection pools on the running loop (as ``client.aclose``)."""
        with self._lock:
            clients = list(self._clients.values())
        for client in clients:
            await client.aclose()


_current = Session()  # the process's own: every job of a notebook session starts here
_hook_lock = threading.Lock()
_hook_added = False


def current() -> Session:
    """The session new jobs start in."""
    return _current


def use_session(session: Session) -> Session:
    """Start new jobs in ``session`` from now on; returns the one it replaces. Jobs already
    started stay in theirs."""
    global _current
    if not isinstance(session, Session):
        raise TypeError(f"use_session needs a Session, not {type(session).__name__}")
    previous, _current = _current, session
    loop = runtime.running_private_loop()
    if loop is not None and previous is not session and not previous.live():
        # Its pools would otherwise be dropped unclosed (aiohttp logs "Unclosed client
        # session"); a session put back later opens new ones on first use.
        runtime.spawn(loop, previous.aclose())
    return previous


def session_spend() -> float:
    """Estimated USD committed by this session (tasks sent, or about to be)."""
    return _current.budget.committed


def _close_clients_on_shutdown() -> None:
    """Once, when the first client exists: close clients when the private loop stops."""
    global _hook_added
    with _hook_lock:
        if not _hook_added:
            runtime.add_shutdown_hook(close_all_clients)
            _hook_added = True
