"""Export of history entries: manifest, verified copies, sidecars, and never the API key."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.widgets.test_gallery import add_task, render_video
from wan_notebook import __version__
from wan_notebook._secrets import register_secret
from wan_notebook.errors import ExportError
from wan_notebook.store import HistoryItem, Store, export_history, history_items


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> Any:
    s = Store(tmp_path / "wan_media")
    yield s
    s.close()


def test_manifest_lists_each_video_with_relative_verified_files(
    store: Store, tmp_path: Path
) -> None:
    add_task(store, "a red fox", seeds=[1], cost=0.5)
    add_task(store, "two cubs", seeds=[2, 3], cost=1.0)
    entries = store.history_entries()
    manifest_path = export_history(entries, tmp_path / "out")
    assert manifest_path == tmp_path / "out" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    assert manifest["format"] == "wan-notebook-export"
    assert manifest["wan_notebook_version"] == __version__
    assert manifest["exported_at"].endswith("+00:00")
    assert manifest["count"] == 3
    assert manifest["warnings"] == []
    recorded = {e.sha256 for e in entries}
    for record in manifest["entries"]:
        copy = manifest_path.parent / record["file"]
        assert record["file"].startswith("media/")
        assert sha(copy) == record["sha256"]
        assert record["sha256"] in recorded
        assert record["bytes"] == copy.stat().st_size
        sidecar = json.loads((manifest_path.parent / record["sidecar"]).read_text())
        assert sidecar["result"]["seed"] == record["seed"]
        assert record["request"]["positivePrompt"] == record["prompt"]
    cubs = [r for r in manifest["entries"] if r["prompt"] == "two cubs"]
    assert [r["cost"] for r in cubs] == [0.5, 0.5]  # a task's cost split per video
    assert all(not Path(r["file"]).is_absolute() for r in manifest["entries"])


def test_export_never_writes_the_api_key(store: Store, tmp_path: Path) -> None:
    key = "rw-test-" + secrets.token_hex(16)
    # Stored before the key was known to redact, so the store holds it in clear text:
    # only the export stands between it and the exported folder.
    add_task(
        store,
        f"a fox, key {key}",
        seeds=[7],
        cost=0.5,
        extra={"webhook": f"https://example.com/hook?token={key}"},
    )
    (entry,) = store.history_entries()
    assert entry.sidecar is not None
    entry.sidecar.write_text(json.dumps({"note": key}))
    assert key in json.dumps(entry.request)
    register_secret(key)
    out = export_history(store.history_entries(), tmp_path / "out").parent
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) == 3  # manifest, video, sidecar
    for path in files:
        assert key.encode() not in path.read_bytes(), path
    assert "***" in (out / "manifest.json").read_text()


def test_a_damaged_file_fails_the_export_and_leaves_no_bad_copy(
    store: Store, tmp_path: Path
) -> None:
    add_task(store, "a red fox", seeds=[1], cost=0.5)
    (entry,) = store.history_entries()
    path = entry.path
    assert path is not None
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF  # same size, other content: only the hash can tell
    path.write_bytes(bytes(data))
    with pytest.raises(ExportError, match="sha256"):
        export_history(store.history_entries(), tmp_path / "out")
    assert list((tmp_path / "out" / "media").iterdir()) == []
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_a_video_without_a_file_is_listed_with_a_warning(tmp_path: Path) -> None:
    item = HistoryItem(
        task_uuid=str(uuid.uuid4()),
        prompt="gone",
        request={"positivePrompt": "gone"},
        path=tmp_path / "gone.mp4",
    )
    manifest = json.loads(export_history([item], tmp_path / "out").read_text())
    (record,) = manifest["entries"]
    assert record["file"] is None
    assert manifest["warnings"] == ["gone.mp4: file not found; listed without it"]


def test_same_file_names_get_distinct_copies(tmp_path: Path) -> None:
    items = []
    for folder, seed in (("a", 1), ("b", 2)):
        (tmp_path / folder).mkdir()
        path = render_video(tmp_path / folder / "clip.mp4", "same", seed)
        items.append(HistoryItem(task_uuid=str(uuid.uuid4()), prompt="same", request={}, path=path))
    manifest = json.loads(export_history(items, tmp_path / "out").read_text())
    assert [r["file"] for r in manifest["entries"]] == ["media/clip.mp4", "media/clip-1.mp4"]
    assert [r["sha256"] for r in manifest["entries"]] == [sha(i.path) for i in items]  # type: ignore[arg-type]


def test_an_existing_export_is_not_overwritten_unless_asked(store: Store, tmp_path: Path) -> None:
    add_task(store, "a red fox", seeds=[1], cost=0.5)
    export_history(store.history_entries(), tmp_path / "out")
    with pytest.raises(FileExistsError):
        export_history(store.history_entries(), tmp_path / "out")
    assert export_history(store.history_entries(), tmp_path / "out", overwrite=True).is_file()


def test_history_items_fall_back_to_the_list_price(store: Store) -> None:
    add_task(store, "a red fox", seeds=[1, 2], size="1920x1080", cost=None)
    items = history_items(store.history_entries())
    assert [i.shown_cost for i in items] == [(0.75, True), (0.75, True)]  # $0.15/s x 5 s
    with pytest.raises(TypeError):
        history_items([{"prompt": "a dict is not an entry"}])
