"""``export_dataset()``: the stored videos as a dataset folder that moves and loads anywhere.

    <folder>/
      results.parquet        the ``results_frame`` table; ``path`` is relative ("media/...")
      manifest.json          provenance: per video the request JSON as sent, promptExtend,
                             model id, sha256 and probe of the file; package versions
      media/<video>          the videos, each checked against its recorded sha256
      media/<video>.json     their sidecars

It opens with ``pandas.read_parquet(folder / "results.parquet")`` and with
``datasets.load_dataset("parquet", data_files=str(folder / "results.parquet"))``.
Nothing written carries the API key: the manifest and sidecars pass ``_secrets.redact``.
"""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Final

from .._files import atomic_writer, write_atomic
from .._secrets import redact
from .._version import __version__
from ..errors import BadValueError, ExportError
from ..settings import get_settings
from ..store import Store
from . import _deps
from ._frame import results_frame
from ._measure import METRICS_VERSION

TABLE_NAME: Final = "results.parquet"
MANIFEST_NAME: Final = "manifest.json"
MEDIA_FOLDER: Final = "media"
FORMAT: Final = "wan-notebook-dataset"
FORMAT_VERSION: Final = 1
FORMATS: Final = ("parquet",)


def export_dataset(
    folder: str | Path,
    format: str = "parquet",
    *,
    metrics: bool = True,
    overwrite: bool = False,
    limit: int | None = None,
    text: str | None = None,
    since: float | None = None,
    max_cost: float | None = None,
    media_dir: str | Path | None = None,
) -> Path:
    """Write the dataset folder (see the module docstring); returns the table's path.

    ``metrics`` adds the measured columns (cached per file). The filters are
    ``results_frame``'s. An existing dataset is kept unless ``overwrite``. Raises
    ``ExportError`` when a copy does not match its recorded sha256.
    """
    if not isinstance(folder, str | Path):
        raise TypeError(f"export_dataset(): folder must be a path, not {type(folder).__name__}")
    if format not in FORMATS:
        raise BadValueError(f"export_dataset(): format={format!r}; allowed: {', '.join(FORMATS)}")
    _deps.require("export_dataset()", _deps.TABLES | (_deps.MEASURE if metrics else {}))
    dest = Path(folder)
    if (dest / MANIFEST_NAME).exists() and not overwrite:
        raise FileExistsError(
            f"{dest / MANIFEST_NAME} exists; choose another folder or overwrite=True"
        )
    frame = results_frame(
        metrics, limit=limit, text=text, since=since, max_cost=max_cost, media_dir=media_dir
    )
    store = Store.open(media_dir if media_dir is not None else get_settings().media_dir)
    requests = {t.task_uuid: t.request for t in store.tasks()}
    (dest / MEDIA_FOLDER).mkdir(parents=True, exist_ok=True)
    items, used = [], set[str]()
    for index in frame.index:
        source = Path(str(frame.at[index, "path"]))
        copy = dest / MEDIA_FOLDER / _unique_name(source.name, used)
        digest = _copy_checked(source, copy, frame.at[index, "sha256"])
        frame.at[index, "path"] = f"{MEDIA_FOLDER}/{copy.name}"
        request = requests.get(str(frame.at[index, "task_uuid"]), {})
        items.append(_item(frame.loc[index].to_dict(), request, source, copy, digest))
    with atomic_writer(dest / TABLE_NAME) as fh:
        frame.to_parquet(fh, index=False)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "table": TABLE_NAME,
        "rows": len(frame),
        "columns": {str(c): str(t) for c, t in frame.dtypes.items()},
        "metrics_version": METRICS_VERSION if metrics else None,
        "packages": _versions(),
        "items": items,
    }
    text_out = redact(json.dumps(manifest, indent=2, ensure_ascii=False, default=str))
    write_atomic(dest / MANIFEST_NAME, text_out)
    return dest / TABLE_NAME


def _item(
    row: dict[str, Any], request: dict[str, Any], source: Path, copy: Path, digest: str
) -> dict[str, Any]:
    from ..local.probe import probe

    alibaba = (request.get("providerSettings") or {}).get("alibaba") or {}
    info = probe(copy)
    info["path"] = str(row["path"])
    return {
        "task_uuid": row["task_uuid"],
        "video_uuid": row["video_uuid"],
        "file": row["path"],
        "sha256": digest,
        "bytes": copy.stat().st_size,
        "model": request.get("model"),
        "prompt_extend": alibaba.get("promptExtend"),
        "request": request,
        "sidecar": _copy_sidecar(source, copy),
        "probe": info,
    }


def _copy_sidecar(source: Path, copy: Path) -> str | None:
    sidecar = source.with_name(source.name + ".json")
    if not sidecar.is_file():
        return None
    # Sidecars are text we did not write here: redact them on the way out too.
    target = copy.with_name(copy.name + ".json")
    write_atomic(target, redact(sidecar.read_text(encoding="utf-8")))
    return f"{MEDIA_FOLDER}/{target.name}"


def _unique_name(name: str, used: set[str]) -> str:
    """``name``, or ``stem-<n>.ext`` when another video of this export has it."""
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    candidate, n = name, 1
    while candidate in used:
        candidate = f"{stem}-{n}{dot}{ext}"
        n += 1
    used.add(candidate)
    return candidate


def _copy_checked(source: Path, target: Path, expected: object) -> str:
    """Copy and hash what landed on disk; a copy that differs is removed and raises."""
    shutil.copyfile(source, target)
    with target.open("rb") as fh:
        actual = hashlib.file_digest(fh, "sha256").hexdigest()
    if isinstance(expected, str) and actual != expected:
        target.unlink(missing_ok=True)
        raise ExportError(
            f"{source.name}: sha256 of the copy is {actual[:12]}…, expected {expected[:12]}…"
        )
    return actual


def _versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version(), "wan-notebook": __version__}
    for dist in sorted({*_deps.MEASURE.values(), *_deps.TABLES.values()}):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out
