"""The journal, result cache, history and upload cache: one SQLite file per media folder.

``<media_dir>/wan-journal.sqlite3``, in WAL mode, is shared by every kernel that uses the
folder. A task row is written before the task is sent and always ends with an outcome
(done, failed or cancelled), so a crash leaves a list of tasks to recover, never a paid
result nobody knows about. Media files are written by the client atomically; the store
names them, records them, writes a JSON sidecar beside each one (``_media_files``), and finds
them again for the cache and the history gallery. It is the transport's ``UploadCache``.

Never stored: the API key. Requests are stored as the API JSON actually sent, and every
JSON text passes ``_secrets.redact`` on its way in, in case a server echoes something back.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import statistics
import threading
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal

from .._files import sweep_temp_files
from .._secrets import redact
from .._status import OPEN_JOURNAL_STATUSES, JournalStatus
from . import _foreign, _leases
from ._media_files import new_media_path, write_sidecar
from ._results import HistoryItem, Result, TaskRow
from ._sqlite import JOURNAL_NAME, connect, transaction

if TYPE_CHECKING:
    from ..client import UploadCache

__all__ = ["JOURNAL_NAME", "SESSION_ID", "Store"]

# Per process: the "session" whose spend the budget counts.
SESSION_ID: Final = uuid.uuid4().hex
# "status IN (...)" for a row that may still become a result.
_OPEN: Final = f"({', '.join('?' * len(OPEN_JOURNAL_STATUSES))})"


class Store:
    """The journal of one media folder. Thread-safe; use ``Store.open(media_dir)``."""

    _open: ClassVar[dict[Path, Store]] = {}
    _open_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, media_dir: Path) -> None:
        self.media_dir = Path(media_dir)
        self.media_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.media_dir / JOURNAL_NAME
        self._lock = threading.RLock()
        self._db = connect(self.path)

    @classmethod
    def open(cls, media_dir: Path | str) -> Store:
        """The store of a media folder, shared within the process."""
        key = Path(media_dir).resolve()
        with cls._open_lock:
            store = cls._open.get(key)
            if store is None or not store.path.parent.is_dir():
                store = cls(Path(media_dir))
                cls._open[key] = store
            return store

    @classmethod
    def close_all(cls) -> None:
        with cls._open_lock:
            stores = list(cls._open.values())
            cls._open.clear()
        for store in stores:
            store.close()

    def close(self) -> None:
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._db.close()

    def _tx(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return transaction(self._db, self._lock)

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._db.execute(sql, args).fetchall())

    # ----- the journal ---------------------------------------------------------------------

    def journal(
        self,
        task_uuid: str,
        *,
        fingerprint: str,
        request: Mapping[str, Any],
        backend: str,
        base_url: str,
        engine: str,
        estimated_cost: float | None,
        tier: str | None = None,
        seconds: int | None = None,
        results_expected: int = 1,
    ) -> None:
        """Record a task before it is sent (status ``journaled``)."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO tasks (task_uuid, fingerprint, request, prompt, tier, seconds,"
                " results_expected, backend, base_url, engine, status, created, estimated_cost,"
                " session) VALUES (?,?,?,?,?,?,?,?,?,?,'journaled',?,?,?)"
                " ON CONFLICT(task_uuid) DO UPDATE SET request=excluded.request",
                (
                    task_uuid, fingerprint, _dumps(dict(request)),
                    str(request.get("positivePrompt", "")), tier, seconds, results_expected,
                    backend, base_url, engine, time.time(), estimated_cost, SESSION_ID,
                ),
            )  # fmt: skip
            _leases.beat(db, SESSION_ID)

    # ----- leases (see _leases) ------------------------------------------------------------

    def heartbeat(self) -> None:
        """This kernel still follows its tasks."""
        with self._tx() as db:
            _leases.beat(db, SESSION_ID)

    def claim(self, task_uuid: str, *, stale_s: float, ended: bool = False) -> bool:
        """Take a task over for this kernel: True if it was ours, or its owner is gone (or
        ``ended``: its owner stopped following it) and no other kernel claimed it first."""
        with self._tx() as db:
            owner = _leases.owner_of(db, task_uuid)
            mine = owner == SESSION_ID or ended
            if not mine and not _leases.owner_gone(db, owner, stale_s=stale_s):
                return False
            return _leases.claim(db, task_uuid, SESSION_ID, expected=owner)

    def in_flight_elsewhere(
        self, fingerprint: str, backend: str, *, stale_s: float
    ) -> TaskRow | None:
        """The newest open task with this fingerprint that another live kernel follows
        (``_foreign``): a request equal to it waits for it instead of being sent again."""
        with self._lock:
            row = _foreign.in_flight_elsewhere(
                self._db, fingerprint, backend, SESSION_ID, stale_s=stale_s
            )
        return TaskRow.from_row(row) if row is not None else None

    def mark_submitted(self, task_uuid: str, *, acked: bool = True) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE tasks SET status='submitted', acked=MAX(acked, ?),"
                " submitted=COALESCE(submitted, ?) WHERE task_uuid=?",
                (int(acked), time.time(), task_uuid),
            )

    def set_status(self, task_uuid: str, status: JournalStatus) -> None:
        """Move an open task along (processing, downloading); never reopens a finished one."""
        with self._tx() as db:
            db.execute(
                "UPDATE tasks SET status=? WHERE task_uuid=? AND status IN " + _OPEN,  # noqa: S608 (placeholders)
                (status, task_uuid, *OPEN_JOURNAL_STATUSES),
            )

    def finish(
        self,
        task_uuid: str,
        status: Literal["done", "failed", "cancelled"],
        *,
        cost: float | None = None,
        error_code: str | None = None,
        error_message: str | None = None,
        recoverable: bool = False,
    ) -> None:
        """Give a task its outcome. ``recoverable``: the API may still hold a paid result."""
        with self._tx() as db:
            db.execute(
                "UPDATE tasks SET status=?, finished=?, cost=COALESCE(?, cost), error_code=?,"
                " error_message=?, recoverable=? WHERE task_uuid=?",
                (
                    status, time.time(), cost, error_code,
                    redact(error_message) if error_message else None, int(recoverable), task_uuid,
                ),
            )  # fmt: skip

    def task(self, task_uuid: str) -> TaskRow | None:
        rows = self._query("SELECT * FROM tasks WHERE task_uuid=?", (task_uuid,))
        return TaskRow.from_row(rows[0]) if rows else None

    def tasks(self, status: str | None = None) -> list[TaskRow]:
        if status is None:
            rows = self._query("SELECT * FROM tasks ORDER BY created")
        else:
            rows = self._query("SELECT * FROM tasks WHERE status=? ORDER BY created", (status,))
        return [TaskRow.from_row(r) for r in rows]

    def unfinished(self, *, include_cancelled: bool = False) -> list[TaskRow]:
        """Tasks whose result may still be fetched: open ones, and failures marked
        recoverable (a network fault after the API accepted them)."""
        extra = " OR status='cancelled'" if include_cancelled else ""
        where = f"status IN {_OPEN} OR (status='failed' AND recoverable=1){extra}"
        rows = self._query(
            f"SELECT * FROM tasks WHERE {where} ORDER BY created",  # noqa: S608 (placeholders)
            OPEN_JOURNAL_STATUSES,
        )
        return [TaskRow.from_row(r) for r in rows]

    # ----- results and media files ---------------------------------------------------------

    def media_path(
        self, *, prompt: str, seed: int | None, video_uuid: str, ext: str, when: float | None = None
    ) -> Path:
        """A new file name in the media folder (see ``_media_files.new_media_path``)."""
        return new_media_path(
            self.media_dir, prompt=prompt, seed=seed, video_uuid=video_uuid, ext=ext, when=when
        )

    def write_sidecar(self, media_file: Path, manifest: Mapping[str, Any]) -> Path:
        """``<media file>.json`` beside the media file, written atomically."""
        return write_sidecar(media_file, manifest)

    def record_result(self, result: Result, response: Mapping[str, Any]) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO results (task_uuid, result_key, video_uuid, url, seed,"
                " cost, path, sha256, bytes, format, width, height, duration, sidecar, response,"
                " downloaded_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    result.task_uuid, result.key or result.video_uuid, result.video_uuid,
                    result.url, result.seed, result.cost, result.path.name, result.sha256,
                    result.bytes, result.format, result.width, result.height, result.duration,
                    self._rel(result.sidecar), _dumps(dict(response)), time.time(),
                ),
            )  # fmt: skip

    def results_for(self, task_uuid: str, *, existing_only: bool = True) -> list[Result]:
        rows = self._query(
            "SELECT * FROM results WHERE task_uuid=? ORDER BY result_key", (task_uuid,)
        )
        results = [Result.from_row(r, self.media_dir) for r in rows]
        return [r for r in results if r.intact] if existing_only else results

    def find_cached(self, fingerprint: str, backend: str) -> tuple[TaskRow, list[Result]] | None:
        """The newest finished task with this fingerprint whose files are all still there,
        byte for byte (sha256): a changed or damaged file is a miss."""
        rows = self._query(
            "SELECT * FROM tasks WHERE fingerprint=? AND backend=? AND status='done'"
            " ORDER BY finished DESC",
            (fingerprint, backend),
        )
        for row in rows:
            task = TaskRow.from_row(row)
            results = self.results_for(task.task_uuid, existing_only=False)
            if len(results) >= task.results_expected and all(r.verified for r in results):
                return task, results
        return None

    def _rel(self, path: Path | None) -> str | None:
        # Names relative to the media folder, so the folder can move with the notebook.
        return path.name if path is not None else None

    # ----- history, estimates, spend --------------------------------------------------------

    def history_entries(
        self,
        limit: int = 50,
        *,
        text: str | None = None,
        since: float | None = None,
        max_cost: float | None = None,
    ) -> list[HistoryItem]:
        """The videos of the newest ``limit`` finished tasks that pass the filters, newest
        first: one ``HistoryItem`` per video whose file is still there (for the gallery and
        the export)."""
        finished = self.finished_tasks(limit, text=text, since=since, max_cost=max_cost)
        return [item for task, results in finished for item in HistoryItem.of_task(task, results)]

    def finished_tasks(
        self,
        limit: int = 50,
        *,
        text: str | None = None,
        since: float | None = None,
        max_cost: float | None = None,
    ) -> list[tuple[TaskRow, list[Result]]]:
        """The newest ``limit`` finished tasks that pass the filters, with their results."""
        _check_filters(limit=limit, text=text, since=since, max_cost=max_cost)
        sql = "SELECT * FROM tasks WHERE status='done'"
        args: list[Any] = []
        if text:
            sql += " AND prompt LIKE ? ESCAPE '\\'"
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            args.append(f"%{escaped}%")
        if since is not None:
            sql += " AND finished >= ?"
            args.append(since)
        if max_cost is not None:
            sql += " AND COALESCE(cost, estimated_cost, 0) <= ?"
            args.append(max_cost)
        sql += " ORDER BY finished DESC LIMIT ?"
        args.append(limit)
        tasks = [TaskRow.from_row(r) for r in self._query(sql, tuple(args))]
        return [(task, self.results_for(task.task_uuid)) for task in tasks]

    def typical_seconds(
        self, tier: str, seconds: int, *, backend: str | None = None
    ) -> float | None:
        """Median time from submit to finish of recent similar jobs, for progress estimates."""
        sql = (
            "SELECT finished - submitted AS took FROM tasks WHERE status='done' AND tier=?"
            " AND seconds=? AND submitted IS NOT NULL AND finished IS NOT NULL"
        )
        args: list[Any] = [tier, seconds]
        if backend is not None:
            sql += " AND backend=?"
            args.append(backend)
        rows = self._query(sql + " ORDER BY finished DESC LIMIT 20", tuple(args))
        took = [float(r["took"]) for r in rows if r["took"] is not None and r["took"] > 0]
        return statistics.median(took) if took else None

    def journaled_spend(self, session: str = SESSION_ID) -> float:
        """Estimated USD of this session's tasks that reached the API."""
        rows = self._query(
            "SELECT COALESCE(SUM(estimated_cost), 0) AS s FROM tasks WHERE session=?"
            " AND submitted IS NOT NULL",
            (session,),
        )
        return float(rows[0]["s"])

    # ----- uploads ----------------------------------------------------------------------------

    def upload_get(self, sha256: str, backend: str, *, max_age: float) -> str | None:
        """The UUID ``backend`` gave this content within ``max_age`` seconds, if any."""
        rows = self._query(
            "SELECT uuid FROM uploads WHERE sha256=? AND backend=? AND created >= ?",
            (sha256, backend, time.time() - max_age),
        )
        return str(rows[0]["uuid"]) if rows else None

    def upload_put(self, sha256: str, backend: str, kind: str, media_uuid: str) -> None:
        """Remember that ``backend`` holds this content under ``media_uuid``."""
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO uploads (sha256, backend, kind, uuid, created)"
                " VALUES (?,?,?,?,?)",
                (sha256, backend, kind, media_uuid, time.time()),
            )

    # ----- housekeeping -------------------------------------------------------------------

    def sweep_temp_files(self) -> list[Path]:
        """Remove temp files left by crashed processes (their pid is no longer alive)."""
        return sweep_temp_files(self.media_dir)


def _check_filters(*, limit: object, text: object, since: object, max_cost: object) -> None:
    """A wrong type is a TypeError here, not an error from deep inside SQLite."""
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"limit must be an int, not {type(limit).__name__}")
    if text is not None and not isinstance(text, str):
        raise TypeError(f"text must be a str or None, not {type(text).__name__}")
    for name, value in (("since", since), ("max_cost", max_cost)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise TypeError(f"{name} must be a number or None, not {type(value).__name__}")


def _dumps(value: Any) -> str:
    return redact(json.dumps(value, sort_keys=True, separators=(",", ":"), default=str))


if TYPE_CHECKING:
    # The store is the transport's upload cache: mypy checks here that it fits.
    _: UploadCache = Store(Path())
