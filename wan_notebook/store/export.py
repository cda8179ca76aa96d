"""Export of history entries: a folder with ``manifest.json`` and copies of the media files.

    wan_export/
      manifest.json          what was asked (request JSON), what came back, sha256 of each file
      media/<video>.mp4      the videos, verified against their recorded sha256 after copying
      media/<video>.mp4.json their sidecars

Paths in the manifest are relative to it, so the folder can be zipped and moved. The API key
is never written: the manifest and the sidecars pass ``_secrets.redact`` on their way out.

``HistoryItem`` is one video of the history (a task with n results gives n items). It is
built from the store's ``HistoryEntry`` rows, and the gallery shows the same items.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from .._secrets import redact
from .._version import __version__
from ..errors import ExportError
from ..request import catalog

__all__ = ["MANIFEST_NAME", "ExportError", "HistoryItem", "export_history", "history_items"]

MANIFEST_NAME: Final = "manifest.json"
MEDIA_FOLDER: Final = "media"
FORMAT: Final = "wan-notebook-export"
FORMAT_VERSION: Final = 1


@dataclass(frozen=True)
class HistoryItem:
    """One stored video with the task that made it."""

    task_uuid: str
    prompt: str
    request: dict[str, Any]
    status: str = "done"
    seed: int | None = None
    cost: float | None = None  # charged USD for this video, if the API said
    estimated_cost: float | None = None  # list price USD for this video
    created: float | None = None  # epoch seconds the video was finished
    duration: float | None = None  # seconds of video
    path: Path | None = None
    sha256: str | None = None
    bytes: int | None = None
    sidecar: Path | None = None
    engine: str = ""
    result: dict[str, Any] = field(default_factory=dict)  # the rest of the result's metadata

    @property
    def shown_cost(self) -> tuple[float | None, bool]:
        """(USD, is_estimate): the charged cost, else the list price."""
        if self.cost is not None:
            return self.cost, False
        return self.estimated_cost, True

    @property
    def file_ok(self) -> bool:
        return self.path is not None and self.path.is_file()

    @property
    def created_at(self) -> datetime | None:
        """When the video was made, in local time."""
        if self.created is None:
            return None
        return datetime.fromtimestamp(self.created, tz=UTC).astimezone()


def history_items(entries: Iterable[Any]) -> list[HistoryItem]:
    """Items from the store's ``HistoryEntry`` rows (task + results), or items as they are."""
    items: list[HistoryItem] = []
    for entry in entries:
        if isinstance(entry, HistoryItem):
            items.append(entry)
        elif hasattr(entry, "task") and hasattr(entry, "results"):
            items.extend(_items_of_entry(entry))
        else:
            raise TypeError(f"not a history entry: {type(entry).__name__}")
    return items


def _items_of_entry(entry: Any) -> list[HistoryItem]:
    task = entry.task
    request = dict(task.request)
    expected = max(1, int(task.results_expected or 1))
    estimate = (
        task.estimated_cost / expected
        if task.estimated_cost is not None
        else estimated_cost_of(request)
    )
    base: dict[str, Any] = {
        "task_uuid": task.task_uuid,
        "prompt": task.prompt or str(request.get("positivePrompt", "")),
        "request": request,
        "status": task.status,
        "estimated_cost": estimate,
        "created": task.finished or task.created,
        "engine": task.engine or "",
    }
    results = list(entry.results)
    if not results:  # its files were deleted: still listed, without a video
        return [
            HistoryItem(
                **base,
                seed=request.get("seed"),
                cost=task.cost,
                duration=task.seconds,
            )
        ]
    # One charged cost for several results is split evenly: the API bills per video.
    task_cost = task.cost / len(results) if task.cost is not None else None
    return [
        HistoryItem(
            **base,
            seed=r.seed if r.seed is not None else request.get("seed"),
            cost=r.cost if r.cost is not None else task_cost,
            duration=r.duration or task.seconds,
            path=Path(r.path) if r.path else None,
            sha256=r.sha256,
            bytes=r.bytes,
            sidecar=Path(r.sidecar) if r.sidecar else None,
            result=_result_metadata(r),
        )
        for r in results
    ]


def _result_metadata(result: Any) -> dict[str, Any]:
    names = ("video_uuid", "url", "format", "width", "height", "key")
    return {n: getattr(result, n) for n in names if getattr(result, n, None) not in (None, "")}


def estimated_cost_of(request: Mapping[str, Any]) -> float | None:
    """List price of one video of a stored request JSON (None for an unknown size)."""
    width, height = request.get("width"), request.get("height")
    tier = request.get("resolution") or catalog.DEFAULT_RESOLUTION
    if isinstance(width, int) and isinstance(height, int):
        preset = catalog.SIZE_PRESET.get((width, height))
        tier = preset[0] if preset else None
    if tier not in catalog.PRICE_PER_SECOND:
        return None
    seconds = request.get("duration") or catalog.DEFAULT_DURATION
    return catalog.price(tier, float(seconds))


# ----- export ------------------------------------------------------------------------------


def export_history(
    entries: Iterable[Any], dest_dir: str | Path, *, overwrite: bool = False
) -> Path:
    """Write ``manifest.json`` and copies of the media files into ``dest_dir``.

    ``entries`` are the store's history entries or ``HistoryItem``s. Every copy is checked
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
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        tmp.write_text(redact(text), encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
