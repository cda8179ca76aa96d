"""The journal's SQLite file: its tables, and how it is opened.

One file per media folder, shared by every kernel that uses the folder, so it runs in WAL
mode (readers never wait for a writer). ``TaskRow.from_row`` and ``Result.from_row`` read
the rows of ``tasks`` and ``results``; ``uploads`` remembers what each server holds.
"""

from __future__ import annotations

import sqlite3
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
