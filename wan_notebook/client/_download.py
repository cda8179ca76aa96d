"""Streamed downloads that leave a complete file or none, resuming a dropped transfer.

Bytes go to the temp file beside the target (``_files.temp_path``), hashed on the way; the
length is checked against ``Content-Length`` (or ``Content-Range``), the file is fsynced,
then renamed into place. A truncated or dropped transfer is retried by the client's retry
policy, resuming with ``Range`` when the server allows it. On any failure the temp file is
removed, so no half-written file ever remains (and one left by a crash is swept).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

import httpx

from .._files import fsync_dir, fsync_file, temp_path
from ..errors import NetworkError, Retryable
from ..settings import Settings
from . import _retry as retry

MAX_DOWNLOAD_BYTES: Final = 2 * 1024**3  # no Wan clip is near this; a runaway server is


def check_url(url: str, what: str = "URL") -> None:
    """Only absolute http(s) URLs with a host, as given by a server, are ever fetched."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise NetworkError(f"refusing {what} {url[:80]!r}: only http(s) URLs are fetched")


class _Partial:
    """A download in progress: the temp file, its length and the sha256 of its bytes so far."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.restart()

    def restart(self) -> None:
        self.size = 0
        self.sha256 = hashlib.sha256()

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        self.sha256.update(chunk)


async def download(
    http: Callable[[], httpx.AsyncClient],
    url: str,
    dest: Path,
    *,
    headers: Mapping[str, str],
    gate: asyncio.Semaphore,
    settings: Settings,
    max_bytes: int = MAX_DOWNLOAD_BYTES,
) -> tuple[Path, str, int]:
    """Stream ``url`` into ``dest`` atomically; returns (path, sha256, size).

    ``http`` gives the event loop's client at each attempt; ``headers`` go with every
    request (the key, for the API's own origin only); ``gate`` bounds downloads at once.
    """
    check_url(url, "download URL")
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = _Partial(temp_path(dest))
    try:
        async with gate:
            await retry.call(
                lambda: _fetch(http(), url, part, headers, max_bytes),
                what="download",
                settings=settings,
            )
        await asyncio.to_thread(fsync_file, part.path)
        os.replace(part.path, dest)
        fsync_dir(dest.parent)
        return dest, part.sha256.hexdigest(), part.size
    finally:
        part.path.unlink(missing_ok=True)


async def _fetch(
    http: httpx.AsyncClient,
    url: str,
    part: _Partial,
    headers: Mapping[str, str],
    max_bytes: int,
) -> None:
    """One attempt: from where the last one stopped, if the server honours ``Range``."""
    have = part.size
    sent = {**headers, **({"Range": f"bytes={have}-"} if have else {})}
    try:
        async with http.stream("GET", url, headers=sent, follow_redirects=True) as response:
            check_url(str(response.url), "download URL")  # after redirects too
            status = response.status_code
            if retry.is_retry_status(status) or status == 416:
                if status == 416:
                    part.restart()
                raise retry.status_fault(response, "download: ")
            start, total = _range_start_total(response, have)
            if status not in (200, 206) or start is None:
                raise NetworkError(f"download failed: HTTP {status}")
            if total is not None and total > max_bytes:
                raise NetworkError(f"download refused: {total} bytes is over the limit")
            if start == 0:
                part.restart()  # a full answer (the server may ignore Range)
            with part.path.open("r+b" if start else "wb") as fh:
                fh.seek(start)
                fh.truncate()
                # Chunks as received, hashed on the way: partial data survives a drop
                # (for a Range resume), and the file is never read back.
                async for chunk in response.aiter_bytes():
                    fh.write(chunk)
                    part.add(chunk)
                    if part.size > max_bytes:
                        raise NetworkError("download refused: over the size limit")
            if total is not None and part.size != total:
                raise Retryable("network", f"download truncated: {part.size} of {total} bytes")
    except httpx.TransportError as exc:
        raise retry.network_fault(exc, "download: ") from exc


def _range_start_total(response: httpx.Response, have: int) -> tuple[int | None, int | None]:
    """Where the body starts in the file and the file's full size, if known."""
    if response.status_code == 206:
        match = re.match(r"bytes (\d+)-\d+/(\d+|\*)", response.headers.get("Content-Range", ""))
        if not match or int(match.group(1)) != have:
            return None, None
        total = match.group(2)
        return have, int(total) if total.isdigit() else None
    length = response.headers.get("Content-Length")
    encoded = response.headers.get("Content-Encoding", "identity") != "identity"
    return 0, int(length) if length and length.isdigit() and not encoded else None
