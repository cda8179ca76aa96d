"""Result files in the media folder: their names, and the JSON sidecar beside each.

A name is built only from our own values (server-provided ids are reduced to safe
characters), never from a name the server suggests. A sidecar, ``<media file>.json``, says
enough about its video to reproduce and to audit it (``manifest``): the request as sent,
whether the API was free to rewrite its prompt (``prompt_extend``), and the estimate beside
the actual cost. It is written atomically (not fsynced: the journal is the record) and
passes ``_secrets.redact`` on its way out.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any, Final

from .._files import write_atomic
from .._secrets import redact
from ..request import facts
from ._results import Result

# Compiled once: ``re.sub`` with a pattern string looks it up in re's cache at each call.
_NOT_SLUG: Final = re.compile(r"[^a-z0-9]+")
_NOT_TOKEN: Final = re.compile(r"[^A-Za-z0-9-]")


def slug(text: str, limit: int = 40) -> str:
    """A file-name-safe, lower-case stand-in for a prompt."""
    words = _NOT_SLUG.sub("-", text.lower()).strip("-")
    return words[:limit].rstrip("-") or "video"


def _safe_token(text: str, limit: int) -> str:
    return _NOT_TOKEN.sub("", text)[:limit] or "x"


def new_media_path(
    folder: Path, *, prompt: str, seed: int | None, video_uuid: str, ext: str, when: float | None
) -> Path:
    """A free name in ``folder``: ``<YYYYmmdd-HHMMSS>_<prompt-slug>_<seed>_<id[:8]>.<ext>``."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(when or time.time()))
    seed_text = str(seed) if seed is not None else "noseed"
    stem = f"{stamp}_{slug(prompt)}_{seed_text}_{_safe_token(video_uuid, 8)}"
    ext = _safe_token(ext.lower().lstrip("."), 5)
    candidate = folder / f"{stem}.{ext}"
    n = 1
    while candidate.exists():
        candidate = folder / f"{stem}-{n}.{ext}"
        n += 1
    return candidate


def write_sidecar(media_file: Path, manifest: Mapping[str, Any]) -> Path:
    """``<media file>.json`` beside the media file, written atomically."""
    # One line: indented JSON goes through the pure-Python encoder, ~10x slower.
    text = json.dumps(manifest, sort_keys=True, default=str, separators=(", ", ": "))
    # Atomic (complete or absent after a crash) but not fsynced: the journal is the record
    # and this restates it; the two fsyncs (file and folder) were ~0.5 ms of CPU per video,
    # a tenth of the client's CPU per task (bench/bench_requests.py).
    return write_atomic(
        media_file.with_name(media_file.name + ".json"), redact(text), durable=False
    )


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
    # Shallow: every field is a plain value (asdict's deep copy was ~8% of the client's CPU).
    info = {f.name: getattr(result, f.name) for f in fields(result)}
    info["path"] = result.path.name
    info.pop("sidecar", None)
    response, local_engine = _local_engine(response)
    return {
        "wan_notebook": version,
        "engine": engine,
        "task_uuid": result.task_uuid,
        "request": dict(task),
        "response": dict(response),
        "result": info,
        "timings": dict(timings),
        **facts.record(task, result.cost),  # prompt_extend; cost: {estimated, actual}
        **local_engine,
    }


def _local_engine(response: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The local engine's render plan (its ``localEngine`` answer field), lifted out of the
    response to the sidecar's ``local_engine`` key: the truth research checks metrics with."""
    rest = dict(response)
    plan = rest.pop("localEngine", None)
    return rest, ({"local_engine": plan} if isinstance(plan, Mapping) else {})
