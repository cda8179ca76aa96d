"""The journal, cache, history and upload cache of one media folder."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from wan_notebook._files import temp_path
from wan_notebook.client import UploadCache
from wan_notebook.store import JOURNAL_NAME, SESSION_ID, Result, Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "media")


def _journal(store: Store, *, fingerprint: str = "fp", cost: float = 0.5, **extra: Any) -> str:
    task_uuid = str(uuid.uuid4())
    store.journal(
        task_uuid,
        fingerprint=fingerprint,
        request={"taskUUID": task_uuid, "positivePrompt": extra.pop("prompt", "a red fox")},
        backend=extra.pop("backend", "local"),
        base_url="http://127.0.0.1:1/v1",
        engine="local preview engine",
        estimated_cost=cost,
        tier="720p",
        seconds=5,
        **extra,
    )
    return task_uuid


def _finish_with_file(store: Store, task_uuid: str, body: bytes = b"video") -> Result:
    path = store.media_path(prompt="a red fox", seed=3, video_uuid=str(uuid.uuid4()), ext="mp4")
    path.write_bytes(body)
    result = Result(task_uuid=task_uuid, video_uuid="v", url="http://x.test/v.mp4", path=path,
                    seed=3, cost=0.5, sha256=hashlib.sha256(body).hexdigest(), bytes=len(body),
                    key="#0")  # fmt: skip
    store.record_result(result, {"videoUUID": "v"})
    store.finish(task_uuid, "done", cost=0.5)
    return result


def test_the_journal_is_one_sqlite_file_in_wal_mode(store: Store) -> None:
    assert store.path == store.media_dir / JOURNAL_NAME
    mode = sqlite3.connect(store.path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_a_task_moves_from_journaled_to_an_outcome(store: Store) -> None:
    task_uuid = _journal(store)
    assert store.task(task_uuid).status == "journaled"  # type: ignore[union-attr]
    store.mark_submitted(task_uuid)
    store.set_status(task_uuid, "processing")
    row = store.task(task_uuid)
    assert row is not None and row.status == "processing" and row.acked and row.submitted
    store.finish(task_uuid, "failed", error_code="inferenceError", error_message="broke")
    row = store.task(task_uuid)
    assert row is not None and row.status == "failed" and row.error_code == "inferenceError"
    store.set_status(task_uuid, "downloading")  # a finished task is never reopened
    assert store.task(task_uuid).status == "failed"  # type: ignore[union-attr]


def test_unfinished_lists_open_tasks_and_recoverable_failures(store: Store) -> None:
    open_task = _journal(store)
    recoverable = _journal(store)
    store.finish(recoverable, "failed", error_code="NetworkError", recoverable=True)
    final = _journal(store)
    store.finish(final, "failed", error_code="inferenceError")
    cancelled = _journal(store)
    store.finish(cancelled, "cancelled")
    assert {t.task_uuid for t in store.unfinished()} == {open_task, recoverable}
    assert cancelled in {t.task_uuid for t in store.unfinished(include_cancelled=True)}


def test_the_cache_returns_finished_results_whose_files_exist(store: Store) -> None:
    task_uuid = _journal(store, fingerprint="same")
    result = _finish_with_file(store, task_uuid)
    found = store.find_cached("same", "local")
    assert found is not None and found[0].task_uuid == task_uuid
    assert [r.path for r in found[1]] == [result.path]
    assert store.find_cached("same", "https://api.runware.ai/v1") is None  # other backend
    assert store.find_cached("other", "local") is None


def test_the_cache_ignores_results_whose_files_are_gone_or_changed(store: Store) -> None:
    task_uuid = _journal(store, fingerprint="same")
    result = _finish_with_file(store, task_uuid)
    result.path.write_bytes(b"truncated!!")  # a different size
    assert store.find_cached("same", "local") is None
    result.path.write_bytes(b"VIDEO")  # the same size, other bytes: the sha256 differs
    assert store.find_cached("same", "local") is None
    result.path.unlink()
    assert store.find_cached("same", "local") is None


def test_history_filters_by_text_time_and_cost(store: Store) -> None:
    cheap = _journal(store, prompt="a red fox", cost=0.5)
    _finish_with_file(store, cheap)
    pricey = _journal(store, prompt="a blue whale 100%", cost=2.25)
    _finish_with_file(store, pricey)
    store.finish(pricey, "done", cost=2.25)
    _journal(store, prompt="never finished")
    assert [e.task_uuid for e in store.history_entries()] == [pricey, cheap]
    assert [e.task_uuid for e in store.history_entries(text="fox")] == [cheap]
    assert [e.task_uuid for e in store.history_entries(text="100%")] == [pricey]
    assert [e.task_uuid for e in store.history_entries(max_cost=1.0)] == [cheap]
    assert store.history_entries(since=time.time() + 60) == []
    assert store.history_entries()[0].path.exists()


def test_typical_seconds_is_the_median_of_similar_jobs(store: Store) -> None:
    assert store.typical_seconds("720p", 5) is None
    for took in (10.0, 20.0, 90.0):
        task_uuid = _journal(store)
        store.mark_submitted(task_uuid)
        store.finish(task_uuid, "done")
        with store._tx() as db:
            db.execute("UPDATE tasks SET submitted=finished-? WHERE task_uuid=?", (took, task_uuid))
    assert store.typical_seconds("720p", 5) == pytest.approx(20.0)
    assert store.typical_seconds("1080p", 5) is None


def test_journaled_spend_counts_submitted_tasks_of_this_session(store: Store) -> None:
    sent = _journal(store, cost=0.5)
    store.mark_submitted(sent)
    _journal(store, cost=1.0)  # journaled, never sent
    assert store.journaled_spend() == pytest.approx(0.5)
    assert store.journaled_spend("another-session") == 0.0
    assert store.task(sent).session == SESSION_ID  # type: ignore[union-attr]


def test_uploads_are_remembered_per_server_and_expire(store: Store) -> None:
    store.upload_put("abc", "http://a/v1", "image", "uuid-1")
    assert store.upload_get("abc", "http://a/v1", max_age=60) == "uuid-1"
    assert store.upload_get("abc", "http://b/v1", max_age=60) is None
    assert store.upload_get("abc", "http://a/v1", max_age=-1) is None


def test_the_store_is_the_transports_upload_cache(store: Store) -> None:
    cache: UploadCache = store  # mypy checks the same in store/_journal.py
    assert isinstance(cache, UploadCache)


def test_temp_files_of_dead_processes_are_swept(store: Store) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    final = store.media_dir / "clip.mp4"
    stale = final.with_name(f".clip.mp4.{dead.stdout.strip()}.part")
    stale.write_bytes(b"half")
    mine = temp_path(final)
    mine.write_bytes(b"in progress")
    assert store.sweep_temp_files() == [stale]
    assert mine.exists() and not stale.exists()
    assert str(os.getpid()) in mine.name


def test_two_processes_share_one_journal(store: Store) -> None:
    task_uuid = _journal(store)
    code = (
        "import sys; from wan_notebook.store._journal import Store; "
        "s = Store(sys.argv[1]); s.finish(sys.argv[2], 'done')"
    )
    subprocess.run([sys.executable, "-c", code, str(store.media_dir), task_uuid], check=True)
    assert store.task(task_uuid).status == "done"  # type: ignore[union-attr]


def test_history_filters_of_the_wrong_type_say_which(store: Store) -> None:
    with pytest.raises(TypeError, match="text must be a str"):
        store.history_entries(text=5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="limit must be an int"):
        store.history_entries("10")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="max_cost must be a number"):
        store.history_entries(max_cost="1")  # type: ignore[arg-type]
