"""Measurements kept in the journal's SQLite file, keyed by the file's sha256.

A ``metrics`` table of its own, beside the store's tables in ``wan-journal.sqlite3``: the same
bytes are never measured twice, whichever path, result or kernel asks. Rows of another
``METRICS_VERSION`` are ignored (and replaced when measured again). The store's connection is
not shared: this module opens its own (WAL mode lets both write), one per journal file.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Final

from ._measure import METRICS_VERSION, VideoMetrics

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS metrics (
    sha256 TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    metrics TEXT NOT NULL,
    measured REAL NOT NULL
)
"""


class MetricsCache:
    """The ``metrics`` table of one journal file. Thread-safe."""

    _open: dict[Path, MetricsCache] = {}  # noqa: RUF012 (one per file, shared in the process)
    _open_lock = threading.Lock()

    def __init__(self, db_path: Path) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(db_path, timeout=10.0, check_same_thread=False)
        with self._lock, self._db:
            self._db.execute(_SCHEMA)

    @classmethod
    def of(cls, db_path: Path) -> MetricsCache:
        """The cache of a journal file, shared within the process."""
        key = db_path.resolve()
        with cls._open_lock:
            cache = cls._open.get(key)
            if cache is None or not key.exists():  # a journal removed since: start anew
                cache = cls._open[key] = cls(key)
            return cache

    def get(self, sha256: str) -> VideoMetrics | None:
        with self._lock:
            row = self._db.execute(
                "SELECT metrics FROM metrics WHERE sha256=? AND version=?",
                (sha256, METRICS_VERSION),
            ).fetchone()
        return VideoMetrics.from_dict(json.loads(row[0])) if row else None

    def put(self, sha256: str, metrics: VideoMetrics) -> None:
        text = json.dumps(metrics.to_dict(), sort_keys=True)
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO metrics (sha256, version, metrics, measured)"
                " VALUES (?,?,?,?)",
                (sha256, METRICS_VERSION, text, time.time()),
            )

    @classmethod
    def close_all(cls) -> None:
        """Close every open cache (tests; a journal folder about to be removed)."""
        with cls._open_lock:
            caches = list(cls._open.values())
            cls._open.clear()
        for cache in caches:
            cache._db.close()
