"""The journal, result cache and history (SQLite), and the media files with their sidecars.

One SQLite file, ``<media_dir>/wan-journal.sqlite3`` in WAL mode, shared by every kernel that
uses the folder. A task row is written before the task is sent and always ends with an
outcome (done, failed or cancelled), so a crash leaves a list of tasks to recover, never a
paid result nobody knows about. Media files are written by the client atomically; this
module names them, records them, writes a JSON sidecar beside each one, and finds them
again for the cache and the history gallery.

Never stored: the API key. Requests are stored as the API JSON actually sent, and every
JSON text passes ``_secrets.redact`` on its way in, in case a server echoes something back.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import statistics
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar, Final, Literal

from .._secrets import redact

JOURNAL_NAME: Final = "wan-journal.sqlite3"
# Per process: the "session" whose spend the budget counts.
SESSION_ID: Final = uuid.uuid4().hex
TEMP_SUFFIX: Final = ".part"

TaskStatus = Literal[
    "journaled", "submitted", "processing", "downloading", "done", "failed", "cancelled"
]
OPEN_STATUSES: Final = ("journaled", "submitted", "processing", "downloading")
_OPEN_SQL: Final = "('journaled', 'submitted', 'processing', 'downloading')"
TERMINAL_STATUSES: Final = ("done", "failed", "cancelled")

_SCHEMA = """
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


@dataclass(frozen=True)
class Result:
    """One finished video on disk (``path``) and where it came from."""

    task_uuid: str
    video_uuid: str
    url: str | None
    path: Path
    seed: int | None = None
    cost: float | None = None
    sha256: str | None = None
    bytes: int | None = None
    format: str | None = None
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    sidecar: Path | None = None
    key: str = ""

    def __repr__(self) -> str:
        name = self.path.name
        cost = f" ${self.cost:.4g}" if self.cost is not None else ""
        return f"<Result {name} seed={self.seed}{cost}>"


@dataclass(frozen=True)
class TaskRow:
    """One journal row."""

    task_uuid: str
    fingerprint: str
    request: dict[str, Any]
    prompt: str
    tier: str | None
    seconds: int | None
    results_expected: int
    backend: str
    base_url: str
    engine: str
    status: TaskStatus
    acked: bool
    recoverable: bool
    created: float
    submitted: float | None
    finished: float | None
    estimated_cost: float | None
    cost: float | None
    error_code: str | None
    error_message: str | None
    session: str


@dataclass(frozen=True)
class HistoryEntry:
    task: TaskRow
    results: list[Result]


def _dumps(value: Any) -> str:
    return redact(json.dumps(value, sort_keys=True, separators=(",", ":"), default=str))


def slug(text: str, limit: int = 40) -> str:
    """A file-name-safe, lower-case stand-in for a prompt."""
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return words[:limit].rstrip("-") or "video"


def _safe_token(text: str, limit: int) -> str:
    return re.sub(r"[^A-Za-z0-9-]", "", text)[:limit] or "x"


class Store:
    """The journal of one media folder. Thread-safe; use ``Store.open(media_dir)``."""

    _open: ClassVar[dict[Path, Store]] = {}
    _open_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, media_dir: Path) -> None:
        self.media_dir = Path(media_dir)
        self.media_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.media_dir / JOURNAL_NAME
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, timeout=10.0, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a commit survives a crashed process (kill -9); only a power
            # cut may lose the last commits.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            self._db.commit()

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

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._db
                self._db.commit()
            except BaseException:
                self._db.rollback()
                raise

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

    def mark_submitted(self, task_uuid: str, *, acked: bool = True) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE tasks SET status='submitted', acked=MAX(acked, ?),"
                " submitted=COALESCE(submitted, ?) WHERE task_uuid=?",
                (int(acked), time.time(), task_uuid),
            )

    def set_status(self, task_uuid: str, status: TaskStatus) -> None:
        """Move an open task along (processing, downloading); never reopens a finished one."""
        with self._tx() as db:
            db.execute(
                "UPDATE tasks SET status=? WHERE task_uuid=? AND status IN " + _OPEN_SQL,  # noqa: S608 (a constant)
                (status, task_uuid),
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
        return _task_row(rows[0]) if rows else None

    def tasks(self, status: str | None = None) -> list[TaskRow]:
        if status is None:
            rows = self._query("SELECT * FROM tasks ORDER BY created")
        else:
            rows = self._query("SELECT * FROM tasks WHERE status=? ORDER BY created", (status,))
        return [_task_row(r) for r in rows]

    def unfinished(self, *, include_cancelled: bool = False) -> list[TaskRow]:
        """Tasks whose result may still be fetched: open ones, and failures marked
        recoverable (a network fault after the API accepted them)."""
        extra = " OR status='cancelled'" if include_cancelled else ""
        where = f"status IN {_OPEN_SQL} OR (status='failed' AND recoverable=1){extra}"
        rows = self._query(f"SELECT * FROM tasks WHERE {where} ORDER BY created")  # noqa: S608
        return [_task_row(r) for r in rows]

    # ----- results and media files ---------------------------------------------------------

    def media_path(
        self, *, prompt: str, seed: int | None, video_uuid: str, ext: str, when: float | None = None
    ) -> Path:
        """A new file name: ``<YYYYmmdd-HHMMSS>_<prompt-slug>_<seed>_<videoUUID[:8]>.<ext>``.

        Built only from our own values (server-provided ids are reduced to safe characters),
        never from a name the server suggests.
        """
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(when or time.time()))
        seed_text = str(seed) if seed is not None else "noseed"
        stem = f"{stamp}_{slug(prompt)}_{seed_text}_{_safe_token(video_uuid, 8)}"
        ext = _safe_token(ext.lower().lstrip("."), 5)
        candidate = self.media_dir / f"{stem}.{ext}"
        n = 1
        while candidate.exists():
            candidate = self.media_dir / f"{stem}-{n}.{ext}"
            n += 1
        return candidate

    def write_sidecar(self, media_file: Path, manifest: Mapping[str, Any]) -> Path:
        """``<media file>.json`` beside the media file, written atomically."""
        target = media_file.with_name(media_file.name + ".json")
        tmp = temp_path(target)
        try:
            # One line: indented JSON goes through the pure-Python encoder, ~10x slower.
            text = redact(
                json.dumps(manifest, sort_keys=True, default=str, separators=(", ", ": "))
            )
            with tmp.open("w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        return target

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
        results = [self._result(r) for r in rows]
        return [r for r in results if _file_ok(r)] if existing_only else results

    def find_cached(self, fingerprint: str, backend: str) -> tuple[TaskRow, list[Result]] | None:
        """The newest finished task with this fingerprint whose files are all still there."""
        rows = self._query(
            "SELECT * FROM tasks WHERE fingerprint=? AND backend=? AND status='done'"
            " ORDER BY finished DESC",
            (fingerprint, backend),
        )
        for row in rows:
            task = _task_row(row)
            results = self.results_for(task.task_uuid, existing_only=False)
            if len(results) >= task.results_expected and all(_file_ok(r) for r in results):
                return task, results
        return None

    def _rel(self, path: Path | None) -> str | None:
        # Names relative to the media folder, so the folder can move with the notebook.
        return path.name if path is not None else None

    def _result(self, row: sqlite3.Row) -> Result:
        path = self.media_dir / row["path"]
        sidecar = self.media_dir / row["sidecar"] if row["sidecar"] else None
        return Result(
            task_uuid=row["task_uuid"], video_uuid=row["video_uuid"] or "", url=row["url"],
            path=path, seed=row["seed"], cost=row["cost"], sha256=row["sha256"],
            bytes=row["bytes"], format=row["format"], width=row["width"], height=row["height"],
            duration=row["duration"], sidecar=sidecar, key=row["result_key"],
        )  # fmt: skip

    # ----- history, estimates, spend --------------------------------------------------------

    def history(
        self,
        limit: int = 50,
        *,
        text: str | None = None,
        since: float | None = None,
        max_cost: float | None = None,
    ) -> list[HistoryEntry]:
        """Finished tasks, newest first, with their files (for the gallery)."""
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
        return [
            HistoryEntry(task, self.results_for(task.task_uuid))
            for task in (_task_row(r) for r in self._query(sql, tuple(args)))
        ]

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

    def session_spend(self, session: str = SESSION_ID) -> float:
        """Estimated USD of this session's tasks that reached the API."""
        rows = self._query(
            "SELECT COALESCE(SUM(estimated_cost), 0) AS s FROM tasks WHERE session=?"
            " AND submitted IS NOT NULL",
            (session,),
        )
        return float(rows[0]["s"])

    # ----- uploads ----------------------------------------------------------------------------

    def upload_get(self, sha256: str, backend: str, *, max_age: float) -> str | None:
        rows = self._query(
            "SELECT uuid FROM uploads WHERE sha256=? AND backend=? AND created >= ?",
            (sha256, backend, time.time() - max_age),
        )
        return str(rows[0]["uuid"]) if rows else None

    def upload_put(self, sha256: str, backend: str, kind: str, media_uuid: str) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO uploads (sha256, backend, kind, uuid, created)"
                " VALUES (?,?,?,?,?)",
                (sha256, backend, kind, media_uuid, time.time()),
            )

    # ----- housekeeping -------------------------------------------------------------------

    def sweep_temp_files(self) -> list[Path]:
        """Remove temp files left by crashed processes (their pid is no longer alive)."""
        removed = []
        for path in self.media_dir.glob(f".*{TEMP_SUFFIX}"):
            pid_text = path.name[: -len(TEMP_SUFFIX)].rsplit(".", 1)[-1]
            if pid_text.isdigit() and int(pid_text) != os.getpid() and not _alive(int(pid_text)):
                path.unlink(missing_ok=True)
                removed.append(path)
        return removed


def temp_path(final: Path) -> Path:
    """Where a file is written until complete: hidden, beside the final file, with our pid
    (so ``sweep_temp_files`` can tell a crashed process's leftovers from live ones)."""
    return final.with_name(f".{final.name}.{os.getpid()}{TEMP_SUFFIX}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _file_ok(result: Result) -> bool:
    """The file is there and has the recorded size (a cheap integrity check)."""
    try:
        size = result.path.stat().st_size
    except OSError:
        return False
    return result.bytes is None or size == result.bytes


def _task_row(row: sqlite3.Row) -> TaskRow:
    return TaskRow(
        task_uuid=row["task_uuid"], fingerprint=row["fingerprint"],
        request=json.loads(row["request"]), prompt=row["prompt"], tier=row["tier"],
        seconds=row["seconds"], results_expected=row["results_expected"],
        backend=row["backend"], base_url=row["base_url"], engine=row["engine"],
        status=row["status"], acked=bool(row["acked"]), recoverable=bool(row["recoverable"]),
        created=row["created"], submitted=row["submitted"], finished=row["finished"],
        estimated_cost=row["estimated_cost"], cost=row["cost"], error_code=row["error_code"],
        error_message=row["error_message"], session=row["session"],
    )  # fmt: skip


def manifest(
    *,
    task: Mapping[str, Any],
    result: Result,
    response: Mapping[str, Any],
    engine: str,
    timings: Mapping[str, float | None],
    version: str,
) -> dict[str, Any]:
    """What a sidecar says about its video: enough to reproduce and to audit it."""
    info = asdict(result)
    info["path"] = result.path.name
    info.pop("sidecar", None)
    return {
        "wan_notebook": version,
        "engine": engine,
        "task_uuid": result.task_uuid,
        "request": dict(task),
        "response": dict(response),
        "result": info,
        "timings": dict(timings),
    }
