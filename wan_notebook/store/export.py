"""Export of history entries: a folder with ``manifest.json`` and copies of the media files.

    wan_export/
      manifest.json          what was asked (request JSON), what came back, sha256 of each file
      media/<video>.mp4      the videos, verified against their recorded sha256 after copying
      media/<video>.mp4.json their sidecars

Paths in the manifest are relative to it, so the folder can be zipped and moved. The API key
is never written: the manifest and the sidecars pass ``_secrets.redact`` on their way out.

The entries are ``HistoryItem``s (one per video, as ``Store.history_entries`` gives them);
the gallery shows the same items.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from .._files import write_atomic
from .._secrets import redact
from .._version import __version__
from ..errors import ExportError
from ._results import HistoryItem

__all__ = ["MANIFEST_NAME", "ExportError", "HistoryItem", "export_history", "history_items"]

MANIFEST_NAME: Final = "manifest.json"
MEDIA_FOLDER: Final = "media"
FORMAT: Final = "wan-notebook-export"
FORMAT_VERSION: Final = 1


def history_items(entries: Iterable[object]) -> list[HistoryItem]:
    """The history items among ``entries`` (a list, to go over twice); anything else is a
    ``TypeError``."""
    items: list[HistoryItem] = []
    for entry in entries:
        if not isinstance(entry, HistoryItem):
            raise TypeError(f"not a history item: {type(entry).__name__}")
        items.append(entry)
    return items


# ----- export ------------------------------------------------------------------------------


def export_history(
    entries: Iterable[Any], dest_dir: str | Path, *, overwrite: bool = False
) -> Path:
    """Write ``manifest.json`` and copies of the media files into ``dest_dir``.

    ``entries`` are ``HistoryItem``s (``Store.history_entries``). Every copy is checked
    against the recorded sha256 (or the source's own, if none was recorded); a mismatch
    raises ``ExportError``. A video whose file is gone is listed with ``"file": null`` and a
    warning. Returns the manifest's path. An existing manifest is kept unless ``overwrite``.
    """
    dest = Path(dest_dir)
    manifest_path = dest / MANIFEST_NAME
    if manifest_path.exists() and not overwrite:
        raise FileExistsError(f"{manifest_path} exists; choose another folder or overwrite=True")
    (dest / MEDIA_FOLDER).mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    warnings: list[str] = []
    records = [_export_item(item, dest, used, warnings) for item in history_items(entries)]
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "wan_notebook_version": __version__,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "count": len(records),
        "entries": records,
        "warnings": warnings,
    }
    _write_text(manifest_path, json.dumps(manifest, indent=2, ensure_ascii=False, default=str))
    return manifest_path


def _export_item(
    item: HistoryItem, dest: Path, used: set[str], warnings: list[str]
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "task_uuid": item.task_uuid,
        "status": item.status,
        "prompt": item.prompt,
        "seed": item.seed,
        "cost": item.cost,
        "estimated_cost": item.estimated_cost,
        "created_at": item.created_at.isoformat(timespec="seconds") if item.created_at else None,
        "duration": item.duration,
        "engine": item.engine,
        "request": item.request,
        "result": item.result,
        "file": None,
        "sha256": item.sha256,
        "bytes": item.bytes,
        "sidecar": None,
    }
    if item.path is None:
        return record
    if not item.path.is_file():
        warnings.append(f"{item.path.name}: file not found; listed without it")
        return record
    name = _unique_name(item.path.name, used)
    copy = dest / MEDIA_FOLDER / name
    digest = _copy_verified(item.path, copy, item.sha256)
    record.update(file=f"{MEDIA_FOLDER}/{name}", sha256=digest, bytes=copy.stat().st_size)
    sidecar = _sidecar_of(item)
    if sidecar is not None:
        sidecar_name = name + ".json"
        used.add(sidecar_name)
        # Sidecars are text we did not write here: redact them on the way out too.
        _write_text(dest / MEDIA_FOLDER / sidecar_name, sidecar.read_text(encoding="utf-8"))
        record["sidecar"] = f"{MEDIA_FOLDER}/{sidecar_name}"
    return record


def _sidecar_of(item: HistoryItem) -> Path | None:
    assert item.path is not None
    for candidate in (item.sidecar, item.path.with_name(item.path.name + ".json")):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def _unique_name(name: str, used: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    candidate, n = name, 1
    while candidate in used or candidate + ".json" in used:
        candidate = f"{stem}-{n}{dot}{ext}"
        n += 1
    used.add(candidate)
    return candidate


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_verified(source: Path, target: Path, expected: str | None) -> str:
    """Copy a file and check the copy's sha256; returns it. Removes a bad copy and raises."""
    expected = expected or sha256_of(source)
    shutil.copyfile(source, target)
    # Hash what landed on disk (not what we read), so a short or damaged write is caught.
    actual = sha256_of(target)
    if actual != expected:
        target.unlink(missing_ok=True)
        raise ExportError(
            f"{source.name}: sha256 of the copy is {actual[:12]}…, expected {expected[:12]}…"
        )
    return actual


def _write_text(path: Path, text: str) -> None:
    # Not fsynced: an export is a copy that can be made again.
    write_atomic(path, redact(text), durable=False)
