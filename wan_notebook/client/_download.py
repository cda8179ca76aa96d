"""Streamed downloads that leave a complete, checked file or none, resuming a dropped one.

Bytes go to the temp file beside the target (``_files.temp_path``), hashed on the way; the
length is checked against ``Content-Length`` (or ``Content-Range``), the file is fsynced,
then renamed into place. A truncated or dropped transfer is retried by the client's retry
policy, resuming with ``Range`` when the server allows it. On any failure the temp file is
removed, so no half-written file ever remains (and one left by a crash is swept).

A transfer must make progress: less than ``STALL_BYTES`` in ``download_stall_s`` seconds
(headers included) is a stall, retried with ``Range`` like a drop, so a body trickling a
byte a second ends instead of hanging. With an ``ExpectedVideo``, the finished file's
container header is checked (``_media_check``) before it takes the target's name: a file
that is not the video asked for is moved into ``.rejected/`` beside the target, for
inspection, and the download fails with a ``NetworkError`` (the API still has the video).
``file_matches`` checks a cached file against its recorded sha256.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import re
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

import httpx

from .._files import fsync_dir, temp_path
from ..errors import NetworkError, Retryable
from ..settings import Settings
from . import _retry as retry
from ._aio import Received
from ._media_check import ExpectedVideo, check_video

# GET a URL with headers: the response being received (``_aio.Received``).
Opener = Callable[[str, Mapping[str, str]], AbstractAsyncContextManager[Received]]

log = logging.getLogger("wan_notebook.client._download")

MAX_DOWNLOAD_BYTES: Final = 2 * 1024**3  # no Wan clip is near this; a runaway server is
STALL_BYTES: Final = 64 * 1024  # at least this much per ``download_stall_s``, or it stalled
REJECTED_DIR: Final = ".rejected"
_HASH_CHUNK: Final = 1024 * 1024
_CONTENT_RANGE: Final = re.compile(r"bytes (\d+)-\d+/(\d+|\*)")
_SHA256: Final = hashlib.sha256()


def file_matches(path: Path, sha256: str, size: int | None = None) -> bool:
    """True when ``path`` exists and holds exactly the bytes whose sha256 was recorded
    (a cache hit must be the file that was downloaded, not just one of the same size)."""
    try:
        if size is not None and path.stat().st_size != size:
            return False
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(_HASH_CHUNK):
                digest.update(chunk)
    except OSError:
        return False
    return digest.hexdigest() == sha256.lower()


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
        self.sha256 = _SHA256.copy()  # a copy: ~50x cheaper than fetching the algorithm

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        self.sha256.update(chunk)


@contextlib.asynccontextmanager
async def httpx_body(
    http: httpx.AsyncClient, url: str, headers: Mapping[str, str]
) -> AsyncIterator[Received]:
    """GET ``url`` through httpx (redirects followed), as ``Received``."""
    try:
        async with http.stream("GET", url, headers=headers, follow_redirects=True) as got:
            yield Received(got.status_code, str(got.url), got.headers, got.aiter_bytes())
    except httpx.TransportError as exc:
        raise retry.network_fault(exc, "download: ") from exc


async def download(
    opener: Callable[[], Opener],
    url: str,
    dest: Path,
    *,
    headers: Mapping[str, str],
    gate: asyncio.Semaphore,
    settings: Settings,
    max_bytes: int = MAX_DOWNLOAD_BYTES,
    expect: ExpectedVideo | None = None,
    rejected_dir: Path | None = None,
) -> tuple[Path, str, int]:
    """Stream ``url`` into ``dest`` atomically; returns (path, sha256, size).

    ``opener`` gives the event loop's way to GET at each attempt; ``headers`` go with every
    request (the key, for the API's own origin only); ``gate`` bounds downloads at once.
    With ``expect``, a file that is not that video goes to ``rejected_dir`` (default
    ``dest.parent / ".rejected"``) and ``NetworkError`` is raised.
    """
    check_url(url, "download URL")
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = _Partial(temp_path(dest))
    stall_s = max(0.05, settings.download_stall_s)
    try:
        async with gate:
            await retry.call(
                lambda: _fetch(opener(), url, part, headers, max_bytes, stall_s),
                what="download",
                settings=settings,
            )
        # The header check reads a few KB the page cache still holds: on the loop, so the
        # thread below runs almost no Python (each GIL hand-over between them costs CPU).
        problems = check_video(part.path, expect) if expect is not None else []
        if problems:
            kept = _reject(part.path, rejected_dir or dest.parent / REJECTED_DIR, dest.name)
            raise NetworkError(
                f"the file at {url[:80]} is not the video asked for ({'; '.join(problems)});"
                f" kept aside as {kept} for inspection, not used"
            )
        # One hop off the loop for the disk work: fsync, rename, folder fsync.
        settling = asyncio.get_running_loop().run_in_executor(None, _settle, part.path, dest)
        try:
            await asyncio.shield(settling)
        except asyncio.CancelledError:  # the thread goes on: undo the rename it makes
            settling.add_done_callback(lambda done: _undo(done, dest))
            raise
        return dest, part.sha256.hexdigest(), part.size
    except BaseException:
        part.path.unlink(missing_ok=True)
        raise


def _settle(path: Path, dest: Path) -> None:
    """Make the checked temp file durable, then ``dest`` (the rename made durable too)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(path, dest)
    fsync_dir(dest.parent)


def _undo(settled: asyncio.Future[None], dest: Path) -> None:
    if not settled.cancelled() and settled.exception() is None:
        dest.unlink(missing_ok=True)  # renamed for a download that was cancelled meanwhile


def _reject(path: Path, folder: Path, name: str) -> Path:
    """Move a file that failed its check into ``folder`` under a name not yet taken."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    counter = 1
    while target.exists():
        target = folder / f"{Path(name).stem}.{counter}{Path(name).suffix}"
        counter += 1
    os.replace(path, target)
    log.warning("download rejected; kept as %s", target)
    return target


async def _fetch(
    opener: Opener,
    url: str,
    part: _Partial,
    headers: Mapping[str, str],
    max_bytes: int,
    stall_s: float,
) -> None:
    """One attempt: from where the last one stopped, if the server honours ``Range``.

    Each ``stall_s`` window (from the request on) must bring ``STALL_BYTES``, or the
    attempt ends as a stall (retried, resuming from what arrived)."""
    window = _Window(stall_s)
    try:
        async with asyncio.timeout(stall_s) as deadline:
            window.deadline = deadline
            await _transfer(opener, url, part, headers, max_bytes, window)
    except TimeoutError as exc:
        if not deadline.expired():
            raise
        raise Retryable(
            "network",
            f"download stalled: {window.moved} bytes in {stall_s:g} s"
            f" (at least {STALL_BYTES // 1024} KB expected)",
        ) from exc


class _Window:
    """Bytes received since the stall deadline was last pushed back."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.moved = 0
        self.deadline: asyncio.Timeout | None = None

    def add(self, count: int) -> None:
        self.moved += count
        if self.moved >= STALL_BYTES and self.deadline is not None:
            self.moved = 0
            self.deadline.reschedule(asyncio.get_running_loop().time() + self.seconds)


async def _transfer(
    opener: Opener,
    url: str,
    part: _Partial,
    headers: Mapping[str, str],
    max_bytes: int,
    window: _Window,
) -> None:
    have = part.size
    sent = {**headers, **({"Range": f"bytes={have}-"} if have else {})}
    async with opener(url, sent) as response:
        if response.url != url:  # after redirects too (``url`` itself passed already)
            check_url(response.url, "download URL")
        status = response.status
        if retry.is_retry_status(status) or status == 416:
            if status == 416:
                part.restart()
            raise Retryable(
                "status",
                f"download: HTTP {status}",
                status=status,
                retry_after=retry.parse_retry_after(response.headers.get("Retry-After")),
            )
        start, total = _range_start_total(response, have)
        if status not in (200, 206) or start is None:
            raise NetworkError(f"download failed: HTTP {status}")
        if total is not None and total > max_bytes:
            raise NetworkError(f"download refused: {total} bytes is over the limit")
        if start == 0 and part.size:
            part.restart()  # a full answer (the server may ignore Range)
        with part.path.open("r+b" if start else "wb") as fh:
            fh.seek(start)
            fh.truncate()
            # Chunks as received, hashed on the way: partial data survives a drop
            # (for a Range resume), and the file is never read back.
            async for chunk in response.chunks:
                fh.write(chunk)
                part.add(chunk)
                window.add(len(chunk))
                if part.size > max_bytes:
                    raise NetworkError("download refused: over the size limit")
        if total is not None and part.size != total:
            raise Retryable("network", f"download truncated: {part.size} of {total} bytes")


def _range_start_total(response: Received, have: int) -> tuple[int | None, int | None]:
    """Where the body starts in the file and the file's full size, if known."""
    if response.status == 206:
        match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
        if not match or int(match.group(1)) != have:
            return None, None
        total = match.group(2)
        return have, int(total) if total.isdigit() else None
    length = response.headers.get("Content-Length")
    encoded = response.headers.get("Content-Encoding", "identity") != "identity"
    return 0, int(length) if length and length.isdigit() and not encoded else None
