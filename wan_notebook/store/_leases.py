"""Leases: which kernel follows which task, so that two kernels sharing a media folder
never both poll and download one task.

Each kernel (``SESSION_ID``) writes a heartbeat row (pid, host, time) while it has jobs;
a task belongs to the kernel that journaled it until another one claims it. ``recover()``
claims only tasks whose owner is gone: a dead pid on this host, or, for a kernel on another
machine sharing a network folder, a heartbeat older than ``stale_s``. A claim is one
compare-and-set statement, so two kernels recovering at once never both win a task.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import time
from typing import Final

__all__ = ["HOST", "LEASE_SCHEMA", "beat", "claim", "owner_gone", "owner_of"]

HOST: Final = socket.gethostname()

LEASE_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS leases (
    session TEXT PRIMARY KEY,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    heartbeat REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS task_owners (
    task_uuid TEXT PRIMARY KEY,
    owner TEXT NOT NULL
);
"""


def beat(db: sqlite3.Connection, session: str) -> None:
    """This kernel is alive now."""
    db.execute(
        "INSERT INTO leases (session, pid, host, heartbeat) VALUES (?,?,?,?)"
        " ON CONFLICT(session) DO UPDATE SET pid=excluded.pid, host=excluded.host,"
        " heartbeat=excluded.heartbeat",
        (session, os.getpid(), HOST, time.time()),
    )


def owner_of(db: sqlite3.Connection, task_uuid: str) -> str:
    """The kernel a task belongs to: its last claimer, else the one that journaled it."""
    row = db.execute(
        "SELECT COALESCE(o.owner, t.session) FROM tasks t"
        " LEFT JOIN task_owners o ON o.task_uuid = t.task_uuid WHERE t.task_uuid=?",
        (task_uuid,),
    ).fetchone()
    return str(row[0]) if row else ""


def owner_gone(db: sqlite3.Connection, owner: str, *, stale_s: float) -> bool:
    """Has the kernel ``owner`` stopped following its tasks?"""
    row = db.execute("SELECT pid, host, heartbeat FROM leases WHERE session=?", (owner,)).fetchone()
    if row is None:
        return True  # it never beat (an older version, or it died before its first beat)
    pid, host, heartbeat = int(row[0]), str(row[1]), float(row[2])
    if host == HOST:  # the pid says it best (a kernel busy in a cell may beat late)
        return not _alive(pid)
    return time.time() - heartbeat > stale_s


def claim(db: sqlite3.Connection, task_uuid: str, owner: str, *, expected: str) -> bool:
    """Make ``owner`` the task's owner if it still belongs to ``expected``; True if won."""
    cursor = db.execute(
        "INSERT INTO task_owners (task_uuid, owner) VALUES (?,?)"
        " ON CONFLICT(task_uuid) DO UPDATE SET owner=excluded.owner"
        " WHERE task_owners.owner=?",
        (task_uuid, owner, expected),
    )
    return cursor.rowcount == 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
