"""The HTTP transport: batched submit and poll, uploads, and atomic streamed downloads.

One ``httpx.AsyncClient`` per event loop (an httpx client is bound to the loop it first ran
on). Every POST carries a JSON array of tasks, so many submissions or polls share one
request; a server that refuses several ``getResponse`` tasks in one request is remembered
and then polled one task per request. Faults are retried by ``retry.py``; a resent submit
keeps its taskUUID, and ``conflictTaskUUID`` in answer means "already accepted".

The key goes only into the ``Authorization`` header of requests to the API's own origin;
downloads from any other host (a CDN) never see it.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import logging
import os
import re
import ssl
import uuid
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, TypeVar
from urllib.parse import urlsplit

import httpx

from .._secrets import register_secret
from .._version import __version__
from ..errors import (
    APIError,
    AuthenticationError,
    InsufficientCreditError,
    InvalidRequestError,
    NetworkError,
    Retryable,
    WanError,
    classify_api_error,
)
from ..settings import Settings, get_settings
from ..store._journal import Store, temp_path
from . import _retry as retry
from ._answers import ApiErrorItem, Body, PollItem, parse_body, parse_poll_item

log = logging.getLogger("wan_notebook.client._client")

T = TypeVar("T")
USER_AGENT: Final = f"wan-notebook/{__version__}"
CONFLICT: Final = "conflictTaskUUID"
MAX_DOWNLOAD_BYTES: Final = 2 * 1024**3  # no Wan clip is near this; a runaway server is
# Uploads are deleted by the API 30 days after last use; reuse only well inside that.
UPLOAD_MAX_AGE: Final = 20 * 24 * 3600.0
# Downloads at once per event loop. More gains nothing on one host and costs CPU: httpcore
# scans every pooled connection for each request, so 64 parallel streams are quadratic.
DOWNLOADS_AT_ONCE: Final = 8
_SINGLE_POLL_CONCURRENCY: Final = 8

_clients: weakref.WeakSet[AsyncRunwareClient] = weakref.WeakSet()


@dataclass(frozen=True)
class Accepted:
    """The API has the task. ``confirmed`` is False when the answer named neither an ack
    nor an error for it (the poller then checks, and resubmits if the API does not know it)."""

    task_uuid: str
    confirmed: bool = True
    conflict: bool = False  # answered conflictTaskUUID: a resend of a task it already had


SubmitOutcome = Accepted | WanError


@dataclass(frozen=True)
class _LoopState:
    """What one event loop uses: its connection pool and its share of downloads."""

    http: httpx.AsyncClient
    downloads: asyncio.Semaphore


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Made once per process: building one costs ~25 ms, and every event loop needs a client.
    return httpx.create_ssl_context()


@dataclass(frozen=True)
class _Answer:
    status: int
    body: Body


def origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def check_url(url: str, what: str = "URL") -> None:
    """Only absolute http(s) URLs with a host, as given by a server, are ever fetched."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise NetworkError(f"refusing {what} {url[:80]!r}: only http(s) URLs are fetched")


def _chunks(items: Sequence[T], size: int) -> list[Sequence[T]]:
    size = max(1, size)
    return [items[i : i + size] for i in range(0, len(items), size)]


class AsyncRunwareClient:
    """Speaks the Runware task protocol to ``base_url``; safe to share across event loops."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        settings: Settings | None = None,
    ) -> None:
        check_url(base_url, "base URL")
        register_secret(api_key)
        self.base_url = base_url
        self._key = api_key
        self._transport = transport
        self._settings = settings
        self._origin = origin(base_url)
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopState] = (
            weakref.WeakKeyDictionary()
        )
        self.batched_polls = True  # False once the server refused several getResponse tasks
        _clients.add(self)

    def __repr__(self) -> str:
        return f"AsyncRunwareClient({self.base_url!r})"

    @property
    def settings(self) -> Settings:
        # Read at each call, so configure() applies to clients already made.
        return self._settings or get_settings()

    def _state(self) -> _LoopState:
        loop = asyncio.get_running_loop()
        state = self._by_loop.get(loop)
        if state is None or state.http.is_closed:
            http = httpx.AsyncClient(
                transport=self._transport,
                timeout=httpx.Timeout(self.settings.request_timeout),
                headers={"User-Agent": USER_AGENT},
                follow_redirects=False,
                verify=_tls_context(),
            )
            state = self._by_loop[loop] = _LoopState(http, asyncio.Semaphore(DOWNLOADS_AT_ONCE))
        return state

    def _http(self) -> httpx.AsyncClient:
        return self._state().http

    def _auth_for(self, url: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._key}"} if origin(url) == self._origin else {}

    async def aclose(self) -> None:
        """Close this loop's connection pool (others close with their loops)."""
        loop = asyncio.get_running_loop()
        state = self._by_loop.pop(loop, None)
        if state is not None:
            await state.http.aclose()

    # ----- one POST ------------------------------------------------------------------------

    async def _post(
        self, tasks: Sequence[Mapping[str, Any]], what: str, parse: Callable[[_Answer], T]
    ) -> T:
        """POST ``tasks`` with retries; ``parse`` runs inside each attempt, so an answer of
        the wrong shape is retried like a 5xx."""

        async def attempt() -> T:
            try:
                response = await self._http().post(
                    self.base_url, json=list(tasks), headers=self._auth_for(self.base_url)
                )
            except httpx.TransportError as exc:
                raise Retryable("network", _describe(exc)) from exc
            status = response.status_code
            if retry.is_retry_status(status):
                raise Retryable(
                    "status",
                    f"HTTP {status}",
                    status=status,
                    retry_after=retry.parse_retry_after(response.headers.get("Retry-After")),
                )
            try:
                body = parse_body(response.json())
            except ValueError as exc:
                if status < 300:
                    raise Retryable("malformed", f"malformed answer: {exc}") from exc
                body = Body()
            _raise_request_level(status, body)
            if status >= 300 and not body.errors:
                raise APIError(f"{what}: unexpected answer", status=status)
            try:
                return parse(_Answer(status, body))
            except ValueError as exc:  # includes pydantic's ValidationError
                raise Retryable("malformed", f"answer of the wrong shape: {exc}") from exc

        return await retry.call(attempt, what=what, settings=self.settings)

    # ----- submit --------------------------------------------------------------------------

    async def submit(self, tasks: Sequence[Mapping[str, Any]]) -> dict[str, SubmitOutcome]:
        """Send tasks in batches; one outcome per taskUUID (an ``Accepted`` or the error).

        A retried POST resends the same taskUUIDs, so a task the server took before the
        connection dropped answers ``conflictTaskUUID``: that counts as accepted.
        """
        out: dict[str, SubmitOutcome] = {}
        for chunk in _chunks(tasks, self.settings.batch_size):
            uuids = [str(t["taskUUID"]) for t in chunk]
            try:
                out.update(
                    await self._post(
                        chunk,
                        f"submit of {len(chunk)} task{'s' if len(chunk) != 1 else ''}",
                        functools.partial(_submit_outcomes, uuids),
                    )
                )
            except WanError as exc:
                out.update(dict.fromkeys(uuids, exc))
        return out

    # ----- poll ----------------------------------------------------------------------------

    async def poll(self, task_uuids: Sequence[str]) -> dict[str, list[PollItem]]:
        """The latest items of each task: one POST with one getResponse per task (in
        batches), or one POST per task for servers that refuse batches."""
        uuids = list(dict.fromkeys(task_uuids))
        out: dict[str, list[PollItem]] = {}
        if not self.batched_polls:
            out.update(await self._poll_each(uuids))
            return out
        for chunk in _chunks(uuids, self.settings.batch_size):
            if len(chunk) == 1:
                out.update(await self._poll_each(chunk))
                continue
            grouped = await self._post(
                [_get_response(u) for u in chunk],
                f"poll of {len(chunk)} tasks",
                functools.partial(_poll_groups, chunk, batched=True),
            )
            if grouped is None:  # the server refused the batch
                self.batched_polls = False
                log.info("server refuses batched getResponse; polling one task per request")
                out.update(await self._poll_each(chunk))
            else:
                out.update(grouped)
        return out

    async def _poll_each(self, uuids: Sequence[str]) -> dict[str, list[PollItem]]:
        gate = asyncio.Semaphore(_SINGLE_POLL_CONCURRENCY)

        async def one(task_uuid: str) -> dict[str, list[PollItem]]:
            async with gate:
                grouped = await self._post(
                    [_get_response(task_uuid)],
                    "poll",
                    functools.partial(_poll_groups, [task_uuid], batched=False),
                )
            return grouped or {task_uuid: []}

        out: dict[str, list[PollItem]] = {}
        for part in await asyncio.gather(*(one(u) for u in uuids)):
            out.update(part)
        return out

    # ----- upload ---------------------------------------------------------------------------

    async def upload(
        self,
        source: Path | str | bytes,
        kind: Literal["image", "video", "audio"],
        *,
        mime: str | None = None,
        store: Store | None = None,
    ) -> str:
        """Upload a local file or bytes; returns the imageUUID (images, ``imageUpload``) or
        mediaUUID (video and audio, ``mediaStorage``). With a store, a file already uploaded
        to this server is not sent again."""
        from ..request import media

        data = source if isinstance(source, bytes) else Path(source).expanduser().read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if store is not None:
            known = store.upload_get(digest, self.base_url, max_age=UPLOAD_MAX_AGE)
            if known:
                return known
        mime = mime or media.sniff_mime(data[:16]) or _mime_from_name(source, kind)
        data_uri = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        if kind == "image":
            field, task = "imageUUID", {"taskType": "imageUpload", "image": data_uri}
        else:
            field = "mediaUUID"
            task = {"taskType": "mediaStorage", "operation": "upload", "media": data_uri}
        # An upload is free and idempotent: after a conflict (the first try got through but
        # its answer was lost) simply upload again under a new taskUUID.
        for _ in range(3):
            task["taskUUID"] = str(uuid.uuid4())
            result = await self._post(
                [task], f"{kind} upload", functools.partial(_upload_result, task["taskUUID"], field)
            )
            if result is not None:
                if store is not None:
                    store.upload_put(digest, self.base_url, kind, result)
                return result
        raise NetworkError(f"{kind} upload: the server kept answering conflictTaskUUID")

    # ----- download -------------------------------------------------------------------------

    async def download(
        self, url: str, dest: Path, *, max_bytes: int = MAX_DOWNLOAD_BYTES
    ) -> tuple[Path, str, int]:
        """Stream ``url`` into ``dest`` atomically; returns (path, sha256, size).

        Bytes go to a hidden temp file beside ``dest``; the length is checked against
        ``Content-Length``, the file is fsynced, then renamed into place. A truncated or
        dropped transfer is retried, resuming with ``Range`` when the server allows it. On
        any failure the temp file is removed, so no half-written file ever remains.
        """
        check_url(url, "download URL")
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = _Partial(temp_path(dest))
        try:
            async with self._state().downloads:
                await retry.call(
                    lambda: self._fetch(url, part, max_bytes),
                    what="download",
                    settings=self.settings,
                )
            await asyncio.to_thread(_fsync_file, part.path)
            os.replace(part.path, dest)
            _fsync_dir(dest.parent)
            return dest, part.sha256.hexdigest(), part.size
        finally:
            part.path.unlink(missing_ok=True)

    async def _fetch(self, url: str, part: _Partial, max_bytes: int) -> None:
        have = part.size
        headers = {**self._auth_for(url), **({"Range": f"bytes={have}-"} if have else {})}
        try:
            async with self._http().stream(
                "GET", url, headers=headers, follow_redirects=True
            ) as response:
                check_url(str(response.url), "download URL")  # after redirects too
                status = response.status_code
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
            raise Retryable("network", f"download: {_describe(exc)}") from exc


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


# ----- answers, by kind of request -----------------------------------------------------------


def _raise_request_level(status: int, body: Body) -> None:
    """401 and 402 concern the whole request: raise them for every task in it."""
    if status not in (401, 402):
        return
    first = body.errors[0].to_api() if body.errors else {}
    error = classify_api_error(first, status)
    if status == 401 and not isinstance(error, AuthenticationError):
        error = AuthenticationError(error.message, status=401, code=str(first.get("code", "")))
    if status == 402 and not isinstance(error, InsufficientCreditError):
        error = InsufficientCreditError(error.message, status=402, code=str(first.get("code", "")))
    raise error


def _task_uuid_of(item: Mapping[str, Any]) -> str:
    value = item.get("taskUUID")
    if not isinstance(value, str) or not value:
        raise ValueError("a data item has no taskUUID")
    return value


def _error_for(err: ApiErrorItem, status: int) -> APIError | InvalidRequestError:
    return classify_api_error(err.to_api(), status if status >= 400 else None)


def _submit_outcomes(uuids: Sequence[str], answer: _Answer) -> dict[str, SubmitOutcome]:
    ours = set(uuids)
    out: dict[str, SubmitOutcome] = {}
    for item in answer.body.data:
        task_uuid = _task_uuid_of(item)
        if task_uuid in ours:
            out[task_uuid] = Accepted(task_uuid)
    loose: list[WanError] = []
    for err in answer.body.errors:
        named = err.task_uuid
        if named in ours and err.code == CONFLICT:
            out[str(named)] = Accepted(str(named), conflict=True)
        elif named in ours:
            out.setdefault(str(named), _error_for(err, answer.status))
        else:
            loose.append(_error_for(err, answer.status))
    if not out and not loose:
        raise ValueError("the answer names none of the submitted tasks")
    for task_uuid in uuids:
        if task_uuid not in out:
            # An error that names no task concerns every task it did not answer otherwise.
            out[task_uuid] = loose[0] if loose else Accepted(task_uuid, confirmed=False)
    return out


def _get_response(task_uuid: str) -> dict[str, str]:
    return {"taskType": "getResponse", "taskUUID": task_uuid}


def _rejects_batching(answer: _Answer) -> bool:
    if answer.status != 400:
        return False
    for err in answer.body.errors:
        text = f"{err.code} {err.message}".lower()
        if err.code.lower().startswith("unsupported") or "batch" in text:
            return True
    return False


def _poll_groups(
    uuids: Sequence[str], answer: _Answer, *, batched: bool
) -> dict[str, list[PollItem]] | None:
    """Items grouped by taskUUID; None when the server refused a batched poll."""
    if batched and _rejects_batching(answer):
        return None
    out: dict[str, list[PollItem]] = {u: [] for u in uuids}
    for item in answer.body.data:
        task_uuid = _task_uuid_of(item)
        if task_uuid in out:
            out[task_uuid].append(parse_poll_item(item))
    for err in answer.body.errors:
        if err.task_uuid in out:
            out[str(err.task_uuid)].append(err)
        elif len(uuids) == 1:
            out[uuids[0]].append(err)
        elif batched and answer.status == 400:
            return None  # a 400 that names no task: ask one task at a time
        else:
            log.warning("poll: an error that names no task: %s %s", err.code, err.message)
    return out


def _upload_result(task_uuid: str, field: str, answer: _Answer) -> str | None:
    for err in answer.body.errors:
        if err.code == CONFLICT:
            return None
        raise _error_for(err, answer.status)
    for item in answer.body.data:
        if item.get("taskUUID") == task_uuid and isinstance(item.get(field), str):
            return str(item[field])
    raise ValueError(f"the upload answer has no {field}")


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


def _describe(exc: httpx.TransportError) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text != type(exc).__name__ else text


def _fsync_file(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _mime_from_name(source: Path | str | bytes, kind: str) -> str:
    from ..request import media

    if isinstance(source, bytes):
        return "application/octet-stream"
    ext = Path(source).suffix.lower()
    known: dict[str, str] = dict(media.EXTENSIONS.get(kind, {}))  # type: ignore[call-overload]
    return known.get(ext, "application/octet-stream")


async def close_all_clients() -> None:
    """Close every open client (the jobs layer calls this when its private loop stops)."""
    for client in list(_clients):
        await client.aclose()
