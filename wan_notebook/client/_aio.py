"""The aiohttp fast path of loops that close their clients (the jobs' private loop).

On such a loop the client's httpx requests go through aiohttp's C HTTP parser
(``httpx-aiohttp``), and downloads skip httpx altogether: ``FastTransport.download_body``
streams straight from the same aiohttp session. A download through httpx's layers (request
and response models, cookies, auth and redirect flows, three nested byte streams) cost
more CPU than everything else a job does (``bench/bench_requests.py``).

``trust_env`` (proxies and ``.netrc`` from the environment) is on only when the environment
names a proxy or a netrc file: aiohttp looks both up again for every request, two thread
hops each time.
"""

from __future__ import annotations

import contextlib
import functools
import os
import ssl
import urllib.request
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

from ..errors import NetworkError, Retryable

__all__ = ["FastTransport", "Received", "env_configures_http", "tls_context"]


@dataclass(frozen=True)
class Received:
    """A response being received, whichever library receives it: its status, final URL
    (after redirects), headers (``get`` is case-insensitive) and body chunks."""

    status: int
    url: str
    headers: Mapping[str, str]
    chunks: AsyncIterator[bytes]


@functools.cache
def tls_context() -> ssl.SSLContext:
    # Made once per process: building one costs ~25 ms, and every event loop needs a client.
    return httpx.create_ssl_context()


def env_configures_http() -> bool:
    """Does the environment name a proxy or a netrc file? Read once per session, as httpx
    reads its proxies once per client."""
    if any(scheme in ("http", "https", "ws", "wss") for scheme in urllib.request.getproxies()):
        return True
    netrc = os.environ.get("NETRC") or os.path.join(os.path.expanduser("~"), ".netrc")
    return os.path.isfile(netrc)


class FastTransport(AiohttpTransport):
    """httpx over aiohttp, whose session also serves downloads directly."""

    def __init__(self, timeout: float) -> None:
        super().__init__(verify=tls_context(), client=self._new_session)
        self._timeout = aiohttp.ClientTimeout(
            total=None, connect=timeout, sock_connect=timeout, sock_read=timeout
        )

    @staticmethod
    def _new_session() -> aiohttp.ClientSession:
        # Created on the loop that first uses it.
        connector = aiohttp.TCPConnector(ssl=tls_context(), keepalive_timeout=5.0)
        return aiohttp.ClientSession(connector=connector, trust_env=env_configures_http())

    def _session(self) -> aiohttp.ClientSession:
        if not isinstance(self.client, aiohttp.ClientSession):
            self.client = self.get_client()
        return self.client

    @contextlib.asynccontextmanager
    async def download_body(self, url: str, headers: Mapping[str, str]) -> AsyncIterator[Received]:
        """GET ``url`` (redirects followed; the Authorization header is dropped on a
        redirect to another host, as httpx does). Faults worth another try (refused, reset,
        timed out, cut short) raise ``Retryable``; others ``NetworkError``."""
        try:
            async with self._session().get(url, headers=headers, timeout=self._timeout) as got:
                yield Received(got.status, str(got.url), got.headers, got.content.iter_any())
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as exc:
            raise Retryable("network", f"download: {_describe(exc)}") from exc
        except aiohttp.ClientError as exc:  # a bad URL or redirect: no retry mends it
            raise NetworkError(f"download failed: {_describe(exc)}") from exc


def _describe(exc: Any) -> str:
    name = type(exc).__name__
    text = str(exc) or name
    return f"{name}: {text}" if text != name else text
