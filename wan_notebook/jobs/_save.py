"""Saving one finished video: its file, its JSON sidecar and its journal record, all or none.

The client downloads the file atomically (a temp file renamed into place); the sidecar
beside it says how it was made. If the sidecar or the record cannot be written, the file
goes too: a video the journal does not know would be a stray nobody recovers.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Final

from .._version import __version__
from ..client import AsyncRunwareClient, VideoResult, expected_video
from ..errors import NetworkError
from ..request.models import VideoRequest
from ..store import Result, Store, manifest

__all__ = ["REJECTED_DIR", "save_video"]

REJECTED_DIR: Final = ".rejected"  # beside the videos: files that failed the probe


async def save_video(
    item: VideoResult,
    request: VideoRequest,
    *,
    task_uuid: str,
    sent: Mapping[str, Any],
    engine: str,
    timings: Mapping[str, float | None],
    client: AsyncRunwareClient,
    store: Store,
) -> Result:
    """Download ``item`` into the media folder and record it. ``sent``: the API task as sent;
    ``timings``: the job's epoch times so far (the download time is added)."""
    if not item.video_url:
        raise NetworkError(f"the API sent no videoURL for video {item.video_uuid}")
    fmt = (request.output_format or "MP4").upper()
    seed = item.seed if item.seed is not None else request.seed
    dest = store.media_path(
        prompt=request.positive_prompt, seed=seed, video_uuid=item.video_uuid, ext=fmt
    )
    # Probed before it becomes a result: a file that is not the video asked for is kept
    # aside in .rejected/ (never served) and the failure is recoverable.
    path, digest, size = await client.download(
        item.video_url,
        dest,
        expect=expected_video(request, item),
        rejected_dir=store.media_dir / REJECTED_DIR,
    )
    result = Result(
        task_uuid=task_uuid, video_uuid=item.video_uuid, url=item.video_url, path=path,
        seed=seed, cost=item.cost, sha256=digest, bytes=size, format=fmt,
        width=request.width, height=request.height,
        duration=float(request.seconds), key=item.key,
    )  # fmt: skip
    response = item.to_api()  # copied by both below; neither changes it
    try:
        sidecar = store.write_sidecar(
            path,
            manifest(
                task=sent,
                result=result,
                response=response,
                engine=engine,
                timings={**timings, "downloaded": time.time()},
                version=__version__,
            ),
        )
        result = replace(result, sidecar=sidecar)
        store.record_result(result, response)
    except BaseException:
        # No video without its record: a file the journal does not know is a stray.
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".json").unlink(missing_ok=True)
        raise
    return result
