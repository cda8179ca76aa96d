"""Where one job sends and stores: fixed when it starts, so that ``configure()`` changes the
next jobs and never a running one (``Session.context`` makes it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..client import AsyncRunwareClient, Backend
from ..settings import Settings
from ..store import Store
from ._budget import Budget

__all__ = ["Context"]


@dataclass(frozen=True)
class Context:
    """The backend, client, store and settings of a job, and its session's budget (the job
    gives back its reservation when nothing was billed)."""

    backend: Backend
    client: AsyncRunwareClient
    store: Store
    settings: Settings
    budget: Budget = field(repr=False)
