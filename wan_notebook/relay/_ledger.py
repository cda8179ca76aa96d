"""The relay's ledger: every task, who asked for it, what it was estimated and what it cost.

SQLite in WAL mode with ``synchronous=NORMAL``: a commit survives the relay's process being
killed (``kill -9``); only a power cut may lose the last commits. Two tables:

- ``upstream``: one row per task sent to the upstream (Runware or the local engine), under the
  relay's own taskUUID. Its status moves ``journaled -> submitted -> processing ->
  downloading -> done`` (or ``failed``), the journal's words (``_status``). ``journaled``
  means "recorded, perhaps not sent": resending it under the same taskUUID is safe, since
  an upstream that has it answers ``conflictTaskUUID`` instead of running it twice.
- ``tasks``: one row per student task, pointing at the upstream row that serves it. The
  student who caused an upstream row is its payer; others sharing it pay nothing.

Money: a student's spend is the sum of settled costs plus the estimates of their open tasks
(the reservation). ``settle`` writes the costs in the same transaction as the status change,
guarded by ``cost IS NULL``, so nothing is billed twice, whatever restarts happen.

One relay per ledger: an exclusive ``flock`` on ``<db>.lock``, which the OS releases when the
process dies, so a restarted relay takes over at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from .._status import OPEN_JOURNAL_STATUSES, JournalStatus
from ..errors import RelayError
from ._records import NewUpstream, Standing, StudentTask, UpstreamTask, student_task_of, upstream_of

CLASS: Final = "*"  # the pause row that holds the whole class
_OPEN_SQL: Final = "(" + ",".join(f"'{s}'" for s in OPEN_JOURNAL_STATUSES) + ")"
_MARK_SQL: Final = (
    f"UPDATE upstream SET status = ?, updated = ? WHERE uuid = ? AND status IN {_OPEN_SQL}"  # noqa: S608
)

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS upstream (
  uuid TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, task TEXT NOT NULL,
  results INTEGER NOT NULL, estimate REAL NOT NULL, status TEXT NOT NULL, items TEXT, cost REAL,
  created REAL NOT NULL, updated REAL NOT NULL);
CREATE INDEX IF NOT EXISTS upstream_fingerprint ON upstream(fingerprint, created);
CREATE INDEX IF NOT EXISTS upstream_status ON upstream(status);
CREATE TABLE IF NOT EXISTS tasks (
  id INTEGER PRIMARY KEY, student TEXT NOT NULL, task_uuid TEXT NOT NULL,
  upstream TEXT NOT NULL REFERENCES upstream(uuid), payer INTEGER NOT NULL,
  estimate REAL NOT NULL, cost REAL, include_cost INTEGER NOT NULL,
  prompt TEXT NOT NULL, seed INTEGER, created REAL NOT NULL,
  UNIQUE(student, task_uuid));
CREATE INDEX IF NOT EXISTS tasks_upstream ON tasks(upstream);
CREATE TABLE IF NOT EXISTS pauses (name TEXT PRIMARY KEY);
"""


class Ledger:
    """The relay's SQLite ledger (see the module docstring). Thread-safe; calls are short."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        """Take the ledger (``readonly``: only read it, beside a running relay)."""
        self.path = path
        self._lock_fd: int | None = None
        self._mutex = threading.RLock()
        if readonly:
            self._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            self._db.row_factory = sqlite3.Row
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock_fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._lock_fd)
            raise RelayError(f"another relay is using {path}; stop it first") from None
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._mutex:
            self._db.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor releases the flock

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._mutex:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._mutex:
            return self._db.execute(sql, args).fetchall()

    # ----- admission ----------------------------------------------------------------------

    def standing(self, student: str) -> Standing:
        return self.standings([student]).get(student, Standing())

    def standings(self, students: Sequence[str] | None = None) -> dict[str, Standing]:
        where, args = (
            ("", ())
            if students is None
            else (f"WHERE t.student IN ({','.join('?' * len(students))})", tuple(students))
        )
        rows = self._rows(
            f"""SELECT t.student AS student,
                 SUM(COALESCE(t.cost, CASE WHEN u.status IN {_OPEN_SQL} THEN t.estimate
                     ELSE 0 END)) AS spent,
                 COUNT(*) AS tasks, SUM(u.status IN {_OPEN_SQL}) AS in_flight,
                 MAX(t.created) AS last
               FROM tasks t JOIN upstream u ON u.uuid = t.upstream {where}
               GROUP BY t.student""",  # noqa: S608 (constants and ? marks only)
            args,
        )
        return {
            r["student"]: Standing(
                round(r["spent"] or 0.0, 6), r["tasks"], r["in_flight"], r["last"]
            )
            for r in rows
        }

    def shared(self, fingerprint: str, since: float) -> UpstreamTask | None:
        """The newest upstream task for this request that has not failed, if recent."""
        rows = self._rows(
            "SELECT * FROM upstream WHERE fingerprint = ? AND created >= ? AND status != 'failed'"
            " ORDER BY created DESC LIMIT 1",
            (fingerprint, since),
        )
        return upstream_of(rows[0]) if rows else None

    def has_task(self, student: str, task_uuid: str) -> bool:
        rows = self._rows(
            "SELECT 1 FROM tasks WHERE student = ? AND task_uuid = ?", (student, task_uuid)
        )
        return bool(rows)

    def admit(
        self,
        student: str,
        task_uuid: str,
        *,
        upstream: str | NewUpstream,
        estimate: float,
        include_cost: bool,
        prompt: str,
        seed: int | None,
    ) -> None:
        """Record a student task: on a new upstream row (it pays) or a shared one (free)."""
        now = time.time()
        with self._write() as db:
            payer = isinstance(upstream, NewUpstream)
            if isinstance(upstream, NewUpstream):
                db.execute(
                    "INSERT INTO upstream VALUES (?, ?, ?, ?, ?, 'journaled', NULL, NULL, ?, ?)",
                    (upstream.uuid, upstream.fingerprint, json.dumps(upstream.task),
                     upstream.results, estimate, now, now),
                )  # fmt: skip
                key = upstream.uuid
            else:
                key = upstream
            settled = db.execute(
                "SELECT cost IS NOT NULL OR status NOT IN " + _OPEN_SQL + " FROM upstream"  # noqa: S608
                " WHERE uuid = ?",
                (key,),
            ).fetchone()[0]
            db.execute(
                "INSERT INTO tasks (student, task_uuid, upstream, payer, estimate, cost,"
                " include_cost, prompt, seed, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (student, task_uuid, key, int(payer), estimate if payer else 0.0,
                 0.0 if settled and not payer else None, int(include_cost), prompt, seed, now),
            )  # fmt: skip

    # ----- pauses -------------------------------------------------------------------------

    def paused(self) -> set[str]:
        """Names of paused students, and ``CLASS`` when the whole class is paused."""
        return {r["name"] for r in self._rows("SELECT name FROM pauses")}

    def set_paused(self, name: str, paused: bool) -> None:
        with self._write() as db:
            if paused:
                db.execute("INSERT OR IGNORE INTO pauses VALUES (?)", (name,))
            else:
                db.execute("DELETE FROM pauses WHERE name = ?", (name,))

    # ----- the upstream side (the worker) ---------------------------------------------------

    def upstream_in(self, statuses: Sequence[JournalStatus]) -> list[UpstreamTask]:
        marks = ",".join("?" * len(statuses))
        rows = self._rows(
            f"SELECT * FROM upstream WHERE status IN ({marks}) ORDER BY created",  # noqa: S608
            statuses,
        )
        return [upstream_of(r) for r in rows]

    def mark(self, uuids: Sequence[str], status: JournalStatus) -> None:
        """Move open upstream tasks to ``status`` (one transaction for them all)."""
        if not uuids:
            return
        now = time.time()
        with self._write() as db:
            db.executemany(_MARK_SQL, [(status, now, u) for u in uuids])

    def settle(
        self,
        uuid: str,
        status: JournalStatus,
        items: list[dict[str, Any]],
        cost: float,
    ) -> bool:
        """Record the upstream's outcome and bill it, once: the payer gets ``cost``, sharers
        0. Returns False when it was settled already (nothing changes then)."""
        with self._write() as db:
            done = db.execute(
                "UPDATE upstream SET status = ?, items = ?, cost = ?, updated = ?"
                " WHERE uuid = ? AND cost IS NULL",
                (status, json.dumps(items), round(cost, 6), time.time(), uuid),
            ).rowcount
            if done:
                db.execute(
                    "UPDATE tasks SET cost = CASE WHEN payer THEN ? ELSE 0 END"
                    " WHERE upstream = ? AND cost IS NULL",
                    (round(cost, 6), uuid),
                )
            return bool(done)

    # ----- reading ------------------------------------------------------------------------

    _JOIN: Final = (
        "SELECT t.*, u.uuid AS u_uuid, u.task AS u_task, u.results AS u_results,"
        " u.estimate AS u_estimate, u.status AS u_status, u.items AS u_items,"
        " u.cost AS u_cost, u.created AS u_created"
        " FROM tasks t JOIN upstream u ON u.uuid = t.upstream"
    )

    def student_tasks(self, student: str, task_uuids: Sequence[str]) -> dict[str, StudentTask]:
        marks = ",".join("?" * len(task_uuids))
        rows = self._rows(
            f"{self._JOIN} WHERE t.student = ? AND t.task_uuid IN ({marks})",
            (student, *task_uuids),
        )
        return {r["task_uuid"]: student_task_of(r) for r in rows}

    def task(self, task_id: int) -> StudentTask | None:
        rows = self._rows(f"{self._JOIN} WHERE t.id = ?", (task_id,))
        return student_task_of(rows[0]) if rows else None

    def gallery(self, student: str | None = None, limit: int = 48) -> list[StudentTask]:
        """The newest finished tasks (with videos), newest first; one student's if named."""
        where, args = ("AND t.student = ?", (student,)) if student else ("", ())
        rows = self._rows(
            f"{self._JOIN} WHERE u.status = 'done' {where} ORDER BY t.id DESC LIMIT ?",
            (*args, limit),
        )
        return [student_task_of(r) for r in rows]

    def billed(self) -> float:
        """What the upstream billed the class in all (each upstream task once)."""
        rows = self._rows("SELECT COALESCE(SUM(cost), 0) AS total FROM upstream")
        return float(rows[0]["total"])
