"""Tasks in flight in another kernel: what a new request must wait for instead of paying
for it again.

Kernels that share a media folder share its journal. A request whose fingerprint matches an
open task (journaled, submitted, processing or downloading) that another live kernel owns
(``_leases``) is already being paid for; the new one waits for that task's result
(``jobs._foreign``). A task whose owner is gone is not "in flight": ``recover()`` is what
picks those up, and a result the API may have expired must not stand in for a new request.
"""

from __future__ import annotations

import sqlite3
from typing import Final

from .._status import OPEN_JOURNAL_STATUSES
from . import _leases

__all__ = ["in_flight_elsewhere"]

_MARKS: Final = ", ".join("?" * len(OPEN_JOURNAL_STATUSES))
_SQL: Final = (
    "SELECT t.*, COALESCE(o.owner, t.session) AS owner FROM tasks t"  # noqa: S608 (only placeholders)
    " LEFT JOIN task_owners o ON o.task_uuid = t.task_uuid"
    f" WHERE t.fingerprint=? AND t.backend=? AND t.status IN ({_MARKS})"
    " AND COALESCE(o.owner, t.session) != ? ORDER BY t.created DESC"
)


def in_flight_elsewhere(
    db: sqlite3.Connection, fingerprint: str, backend: str, session: str, *, stale_s: float
) -> sqlite3.Row | None:
    """The newest open task with this fingerprint that a live kernel other than ``session``
    owns, or None."""
    args = (fingerprint, backend, *OPEN_JOURNAL_STATUSES, session)
    rows: list[sqlite3.Row] = db.execute(_SQL, args).fetchall()
    for row in rows:
        if not _leases.owner_gone(db, str(row["owner"]), stale_s=stale_s):
            return row
    return None
