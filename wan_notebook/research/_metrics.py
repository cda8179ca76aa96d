"""``metrics(source)``: the measurements of a video, from the cache or from the file.

A source is a path, a ``Result``, a ``Job`` (its first result) or a ``JobGroup`` (a list, one
per result). Measurements are cached in the journal of the current media folder
(``settings.media_dir``), keyed by the file's sha256: a Result's recorded one, or the hash of
the file for a path.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import overload

from ..errors import BadValueError
from ..jobs import Job, JobGroup
from ..settings import get_settings
from ..store import Result, Store
from . import _deps
from ._cache import MetricsCache
from ._measure import VideoMetrics, measure

Source = str | os.PathLike[str] | Result | Job


@overload
def metrics(source: JobGroup, *, refresh: bool = False) -> list[VideoMetrics]: ...
@overload
def metrics(source: Source, *, refresh: bool = False) -> VideoMetrics: ...
def metrics(
    source: Source | JobGroup, *, refresh: bool = False
) -> VideoMetrics | list[VideoMetrics]:
    """Measure a video (see ``VideoMetrics``), or read its measurements from the cache.

    ``refresh=True`` measures again and replaces the cached values. Raises
    ``MissingExtraError`` without the ``[research]`` extra, ``TypeError`` for another kind of
    source, ``ValueError`` for a job without a video yet, ``FileNotFoundError`` for a missing
    file and ``MediaError`` for one that cannot be decoded.
    """
    if not isinstance(refresh, bool):
        raise TypeError(f"metrics(): refresh must be True or False, not {type(refresh).__name__}")
    if isinstance(source, JobGroup):
        files = [_identity(result) for result in source.results]
    else:
        files = [_identity(source)]
    _deps.require("metrics()", _deps.MEASURE)
    cache = _cache()
    out = [_measured(path, digest, cache, refresh) for path, digest in files]
    return out if isinstance(source, JobGroup) else out[0]


def cached_metrics(source: Source) -> VideoMetrics | None:
    """The cached measurements of a video, or None: never decodes (for views that must not
    wait). Hashes the file when the source is a bare path."""
    path, digest = _identity(source)
    return _cache().get(digest or _sha256(path))


def _measured(path: Path, digest: str | None, cache: MetricsCache, refresh: bool) -> VideoMetrics:
    digest = digest or _sha256(path)
    found = None if refresh else cache.get(digest)
    if found is None:
        found = measure(path)
        cache.put(digest, found)
    return found


def _identity(source: object) -> tuple[Path, str | None]:
    """(the file, its recorded sha256 if known). Checks the type and that the file exists."""
    if isinstance(source, Job):
        if source.video is None:
            raise BadValueError(
                f"metrics(): job {source.task_uuid[:8]} has no video yet (status"
                f" {source.status}); wait for it first (job.wait())"
            )
        source = source.video
    if isinstance(source, Result):
        path, digest = source.path, source.sha256
    elif isinstance(source, str | os.PathLike):
        path, digest = Path(source), None
    else:
        raise TypeError(
            "metrics(): source must be a path, a Result, a Job or a JobGroup,"
            f" not {type(source).__name__}"
        )
    if not path.is_file():
        raise FileNotFoundError(f"metrics(): no video file at {path}")
    return path, digest


def _cache() -> MetricsCache:
    return MetricsCache.of(Store.open(get_settings().media_dir).path)


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()
