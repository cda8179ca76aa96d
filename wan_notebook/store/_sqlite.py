"""The journal's SQLite file: its tables, and how it is opened.

One file per media folder, shared by every kernel that uses the folder, so it runs in WAL
mode (readers never wait for a writer). ``TaskRow.from_row`` and ``Result.from_row`` read
the rows of ``tasks`` and ``results``; ``uploads`` remembers what each server holds.

``transaction`` runs one write under the store's lock and commits it. Inside a
``one_commit()`` block, a thread's writes to each journal share one transaction instead
(each write still all-or-nothing, as a savepoint), committed when the block ends: a poll
round that moves 64 jobs along costs one commit, not 64.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from ._leases import LEASE_SCHEMA

JOURNAL_NAME: Final = "wan-journal.sqlite3"

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS tasks (
    task_uuid TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    request TEXT NOT NULL,
    prompt TEXT NOT NULL DEFAULT '',
    tier TEXT,
    seconds INTEGER,
    results_expected INTEGER NOT NULL DEFAULT 1,
    backend TEXT NOT NULL,
    base_url TEXT NOT NULL,
    engine TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    acked INTEGER NOT NULL DEFAULT 0,
    recoverable INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    submitted REAL,
    finished REAL,
    estimated_cost REAL,
    cost REAL,
    error_code TEXT,
    error_message TEXT,
    session TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tasks_by_fingerprint ON tasks (fingerprint, backend, status);
CREATE INDEX IF NOT EXISTS tasks_by_status ON tasks (status);
CREATE TABLE IF NOT EXISTS results (
    task_uuid TEXT NOT NULL,
    result_key TEXT NOT NULL,
    video_uuid TEXT,
    url TEXT,
    seed INTEGER,
    cost REAL,
    path TEXT,
    sha256 TEXT,
    bytes INTEGER,
    format TEXT,
    width INTEGER,
    height INTEGER,
    duration REAL,
    sidecar TEXT,
    response TEXT,
    downloaded_at REAL,
    PRIMARY KEY (task_uuid, result_key)
);
CREATE TABLE IF NOT EXISTS uploads (
    sha256 TEXT NOT NULL,
    backend TEXT NOT NULL,
    kind TEXT NOT NULL,
    uuid TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (sha256, backend)
);
"""


def connect(path: Path) -> sqlite3.Connection:
    """Open (and if new, create) the journal at ``path``; rows come as ``sqlite3.Row``."""
    db = sqlite3.connect(path, timeout=10.0, check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode: a commit survives a crashed process (kill -9); only a power cut
    # may lose the last commits.
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(SCHEMA + LEASE_SCHEMA)
    db.commit()
    return db


class _Batch(threading.local):
    # id(connection) -> (connection, its lock, held by this thread until the block ends)
    open: dict[int, tuple[sqlite3.Connection, threading.RLock]] | None = None


_batch = _Batch()


@contextlib.contextmanager
def transaction(db: sqlite3.Connection, lock: threading.RLock) -> Iterator[sqlite3.Connection]:
    """One write on ``db``: committed at once, or with the enclosing ``one_commit()``."""
    opened = _batch.open
    if opened is None:
        with lock:
            try:
                yield db
                db.commit()
            except BaseException:
                db.rollback()
                raise
        return
    if id(db) not in opened:
        lock.acquire()  # released when the block ends: no other thread joins the transaction
        opened[id(db)] = (db, lock)
        if not db.in_transaction:
            db.execute("BEGIN")
    db.execute("SAVEPOINT wan_write")
    try:
        yield db
    except BaseException:
        with contextlib.suppress(sqlite3.Error):  # gone if SQLite rolled it all back
            db.execute("ROLLBACK TO wan_write")
            db.execute("RELEASE wan_write")
        raise
    db.execute("RELEASE wan_write")


@contextlib.contextmanager
def one_commit() -> Iterator[None]:
    """Let this thread's journal writes inside the block share one commit per journal,
    made when the block ends (also when it raises). Keep the block free of awaits: other
    threads wait for the journal meanwhile. A failed commit is rolled back and raised."""
    if _batch.open is not None:  # nested: the outer block commits
        yield
        return
    opened: dict[int, tuple[sqlite3.Connection, threading.RLock]] = {}
    _batch.open = opened
    try:
        yield
    finally:
        _batch.open = None
        failure: sqlite3.Error | None = None
        for db, lock in opened.values():
            try:
                db.commit()
            except sqlite3.Error as exc:
                failure = failure or exc
                with contextlib.suppress(sqlite3.Error):
                    db.rollback()
            finally:
                lock.release()
        if failure is not None:
            raise failure
