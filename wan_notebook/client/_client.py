"""The HTTP transport: batched submit and poll, uploads, and downloads (``_download``).

One ``httpx.AsyncClient`` per event loop (an httpx client is bound to the loop it first ran
on). Every POST carries a JSON array of tasks, so many submissions or polls share one
request; a server that refuses several ``getResponse`` tasks in one request is remembered
and then polled one task per request. Faults are retried by ``_retry``; a resent submit
keeps its taskUUID, and ``conflictTaskUUID`` in answer means "already accepted"
(``_outcomes`` reads each answer by kind of request).

Polls and ``task_details`` are scoped: they return what each task's own items say, and
raise ``PollRefused`` when the answer concerns the request as a whole (401, 402, 429 or 5xx
after retries, a malformed body, an error naming no task). Downloads take what the file
must be (``ExpectedVideo``) and check it before it becomes a result.

The key goes only into the ``Authorization`` header of requests to the API's own origin;
downloads from any other host (a CDN) never see it. The transport knows nothing of the
journal: uploads are remembered through an ``UploadCache``, which the store implements.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import http.cookiejar
import json
import logging
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
from ..errors import APIError, NetworkError, Retryable, WanError
from ..settings import Settings, get_settings
from . import _retry as retry
from ._aio import FastTransport, tls_context
from ._answers import Body, PollItem, TaskDetails, parse_body
from ._download import MAX_DOWNLOAD_BYTES, Opener, check_url, httpx_body
from ._download import download as _download
from ._media_check import ExpectedVideo
from ._outcomes import (
    Accepted,
    Answer,
    SubmitOutcome,
    details_groups,
    poll_groups,
    raise_request_level,
    submit_outcomes,
    upload_result,
)
from ._queries import Reader, chunks, query
from ._upload import UPLOAD_MAX_AGE, UploadCache, upload_task

# Accepted and SubmitOutcome are what submit() returns (defined with the answer readers).
__all__ = [
    "USER_AGENT",
    "Accepted",
    "AsyncRunwareClient",
    "SubmitOutcome",
    "close_all_clients",
    "lasting_loop",
]

log = logging.getLogger("wan_notebook.client._client")

T = TypeVar("T")
V = TypeVar("V")
USER_AGENT: Final = f"wan-notebook/{__version__}"
# Downloads at once per event loop. More gains nothing on one host and costs CPU: httpcore
# scans every pooled connection for each request, so 64 parallel streams are quadratic.
DOWNLOADS_AT_ONCE: Final = 8

_clients: weakref.WeakSet[AsyncRunwareClient] = weakref.WeakSet()
# Loops whose owner closes their clients before the loop goes (the jobs' private loop).
_lasting: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()


def lasting_loop(loop: asyncio.AbstractEventLoop) -> None:
    """``loop`` lives until its owner awaits ``close_all_clients()`` on it: connections made
    on it go through aiohttp (``_aio``). On other loops (``asyncio.run``, a
    kernel's) nothing would close an aiohttp session, and it would complain at exit."""
    _lasting.add(loop)


@dataclass(frozen=True)
class _LoopState:
    """What one event loop uses: its connection pool, its share of downloads, and on a
    lasting loop the aiohttp transport under the pool (``_aio``)."""

    http: httpx.AsyncClient
    downloads: asyncio.Semaphore
    fast: FastTransport | None = None


class _NoCookies(http.cookiejar.CookieJar):
    """Neither the API (a bearer key) nor a CDN needs cookies; httpx otherwise turns every
    response's headers into an ``email.message`` for its jar (CPU on each download)."""

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None


def origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


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
        # Task types the server refused several of in one request: asked one by one since.
        self._unbatched: set[str] = set()
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
            timeout = self.settings.request_timeout
            fast = FastTransport(timeout) if self._transport is None and loop in _lasting else None
            http = httpx.AsyncClient(
                transport=self._transport or fast,
                timeout=httpx.Timeout(timeout),
                headers={"User-Agent": USER_AGENT},
                follow_redirects=False,
                verify=tls_context(),
                cookies=_NoCookies(),
            )
            downloads = asyncio.Semaphore(DOWNLOADS_AT_ONCE)
            state = self._by_loop[loop] = _LoopState(http, downloads, fast)
        return state

    def _opener(self) -> Opener:
        """How this loop GETs a file: straight on aiohttp when it can, else through httpx."""
        state = self._state()
        if state.fast is not None:
            return state.fast.download_body
        return functools.partial(httpx_body, state.http)

    @property
    def batched_polls(self) -> bool:
        """False once the server refused several getResponse tasks in one request."""
        return "getResponse" not in self._unbatched

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
        self,
        tasks: Sequence[Mapping[str, Any]],
        what: str,
        parse: Callable[[Answer], T],
        attempts: int | None = None,
    ) -> T:
        """POST ``tasks`` with retries; ``parse`` runs inside each attempt, so an answer of
        the wrong shape is retried like a 5xx."""

        async def attempt() -> T:
            try:
                response = await self._http().post(
                    self.base_url, json=list(tasks), headers=self._auth_for(self.base_url)
                )
            except httpx.TransportError as exc:
                raise retry.network_fault(exc) from exc
            status = response.status_code
            if retry.is_retry_status(status):
                raise retry.status_fault(response)
            try:
                body = parse_body(json.loads(response.content, parse_constant=_constant))
            except ValueError as exc:
                if status < 300:
                    raise Retryable("malformed", f"malformed answer: {exc}") from exc
                body = Body()
            raise_request_level(status, body)
            if status >= 300 and not body.errors:
                raise APIError(f"{what}: unexpected answer", status=status)
            try:
                return parse(Answer(status, body))
            except ValueError as exc:  # includes pydantic's ValidationError
                raise Retryable("malformed", f"answer of the wrong shape: {exc}") from exc

        return await retry.call(attempt, what=what, settings=self.settings, max_attempts=attempts)

    # ----- submit --------------------------------------------------------------------------

    async def submit(self, tasks: Sequence[Mapping[str, Any]]) -> dict[str, SubmitOutcome]:
        """Send tasks in batches; one outcome per taskUUID (an ``Accepted`` or the error).

        A retried POST resends the same taskUUIDs, so a task the server took before the
        connection dropped answers ``conflictTaskUUID``: that counts as accepted.
        """
        out: dict[str, SubmitOutcome] = {}
        for chunk in chunks(tasks, self.settings.batch_size):
            uuids = [str(t["taskUUID"]) for t in chunk]
            try:
                out.update(
                    await self._post(
                        chunk,
                        f"submit of {len(chunk)} task{'s' if len(chunk) != 1 else ''}",
                        functools.partial(submit_outcomes, uuids),
                    )
                )
            except WanError as exc:
                out.update(dict.fromkeys(uuids, exc))
        return out

    # ----- poll and task details -------------------------------------------------------

    async def poll(
        self, task_uuids: Sequence[str], *, attempts: int | None = None
    ) -> dict[str, list[PollItem]]:
        """The latest items of each task (``[]``: the answer named it nowhere), from one
        POST with one getResponse per task (in batches), or one POST per task for servers
        that refuse batches.

        Only items and errors that name a task are that task's. Raises ``PollRefused``
        when the answer concerns the whole request (after ``attempts`` tries, default
        ``settings.max_attempts``): no task's state follows from it; poll again later.
        """
        return await self._query("getResponse", poll_groups, task_uuids, attempts)

    async def task_details(
        self, task_uuids: Sequence[str], *, attempts: int | None = None
    ) -> dict[str, TaskDetails | None]:
        """``getTaskDetails`` for each task: its ``TaskDetails`` (the request as sent and
        the API's answer), or None where the API answered that it does not know the task
        (an error naming it with a ``...NotFound`` code). Batched like ``poll``.

        Anything less clear (another error, a task left out, 401/402/429/5xx, a server
        without getTaskDetails) raises ``PollRefused``, never None: None alone means that
        sending the task again cannot pay for it twice.
        """
        return await self._query("getTaskDetails", details_groups, task_uuids, attempts)

    async def _query(
        self, kind: str, reader: Reader[V], task_uuids: Sequence[str], attempts: int | None
    ) -> dict[str, V]:
        return await query(
            self._post,
            kind,
            reader,
            task_uuids,
            attempts=attempts,
            batch_size=self.settings.batch_size,
            unbatched=self._unbatched,
        )

    # ----- upload ---------------------------------------------------------------------------

    async def upload(
        self,
        source: Path | str | bytes,
        kind: Literal["image", "video", "audio"],
        *,
        mime: str | None = None,
        cache: UploadCache | None = None,
    ) -> str:
        """Upload a local file or bytes; returns the imageUUID (images, ``imageUpload``) or
        mediaUUID (video and audio, ``mediaStorage``). With a ``cache``, content already
        uploaded to this server is not sent again."""
        if not isinstance(source, Path | str | bytes):
            raise TypeError(f"upload: source must be a path or bytes, not {type(source).__name__}")
        if not isinstance(kind, str):
            raise TypeError(f"upload: kind must be a str, not {type(kind).__name__}")
        data = source if isinstance(source, bytes) else Path(source).expanduser().read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if cache is not None:
            known = cache.upload_get(digest, self.base_url, max_age=UPLOAD_MAX_AGE)
            if known:
                return known
        field, task = upload_task(data, kind, mime=mime, source=source)
        # An upload is free and idempotent: after a conflict (the first try got through but
        # its answer was lost) simply upload again under a new taskUUID.
        for _ in range(3):
            task["taskUUID"] = str(uuid.uuid4())
            result = await self._post(
                [task], f"{kind} upload", functools.partial(upload_result, task["taskUUID"], field)
            )
            if result is not None:
                if cache is not None:
                    cache.upload_put(digest, self.base_url, kind, result)
                return result
        raise NetworkError(f"{kind} upload: the server kept answering conflictTaskUUID")

    # ----- download -------------------------------------------------------------------------

    async def download(
        self,
        url: str,
        dest: Path,
        *,
        expect: ExpectedVideo | None = None,
        rejected_dir: Path | None = None,
        max_bytes: int = MAX_DOWNLOAD_BYTES,
    ) -> tuple[Path, str, int]:
        """Stream ``url`` into ``dest`` atomically; returns (path, sha256, size).

        A complete file or none: see ``_download``. A transfer that stalls (under 64 KB in
        ``settings.download_stall_s``) is retried with Range, then raises ``NetworkError``.
        With ``expect``, the file's container header must match it, or the file is moved
        into ``rejected_dir`` (default ``dest.parent / ".rejected"``) and ``NetworkError``
        is raised; ``dest`` never holds it. At most ``DOWNLOADS_AT_ONCE`` run at once per
        event loop.
        """
        if not isinstance(url, str):
            raise TypeError(f"download: url must be a str, not {type(url).__name__}")
        if not isinstance(dest, Path):
            raise TypeError(f"download: dest must be a Path, not {type(dest).__name__}")
        if expect is not None and not isinstance(expect, ExpectedVideo):
            raise TypeError(
                f"download: expect must be an ExpectedVideo, not {type(expect).__name__}"
            )
        return await _download(
            self._opener,
            url,
            dest,
            headers={"User-Agent": USER_AGENT, **self._auth_for(url)},
            gate=self._state().downloads,
            settings=self.settings,
            max_bytes=max_bytes,
            expect=expect,
            rejected_dir=rejected_dir,
        )


def _constant(name: str) -> str:
    # NaN and Infinity are not JSON: kept as text, so no answer puts them in a sidecar.
    return name


async def close_all_clients() -> None:
    """Close every open client (the jobs layer calls this when its private loop stops)."""
    for client in list(_clients):
        await client.aclose()
