"""Outgoing calls of the local engine: webhook POSTs and ``uploadEndpoint`` PUTs.

Runware POSTs each finished generation to ``webhookURL`` as ``{"data": [item]}`` and PUTs
the raw file to ``uploadEndpoint``; a receiver that fails is retried. Neither schedule is
documented, so the engine tries ``attempts`` times with doubling pauses, in background
threads so that a slow receiver never holds up rendering or polling.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from .storage import is_loopback_url

Count = Callable[[str], None]  # a stats counter: count("webhooks_sent")


class Deliverer:
    """Background POSTs and PUTs with retries; counts what got through and what did not."""

    def __init__(
        self, count: Count, *, attempts: int = 4, backoff: float = 0.2, timeout: float = 10.0
    ) -> None:
        self._count = count
        self._attempts = attempts
        self._backoff = backoff
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="wan-delivery")
        # follow_redirects off: a presigned PUT must not be replayed somewhere else.
        self._client = httpx.Client(timeout=timeout, follow_redirects=False)
        # Receivers on this machine are reached directly, never through an env proxy.
        self._local = httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False)

    def webhook(self, url: str, body: dict[str, Any]) -> Future[bool]:
        return self._pool.submit(self._send, "webhooks", "POST", url, {"json": body})

    def upload(self, url: str, path: Path, mime: str) -> Future[bool]:
        def send() -> bool:
            data = path.read_bytes()
            return self._send(
                "uploads", "PUT", url, {"content": data, "headers": {"Content-Type": mime}}
            )

        return self._pool.submit(send)

    def _send(self, what: str, method: str, url: str, kwargs: dict[str, Any]) -> bool:
        for attempt in range(self._attempts):
            try:
                client = self._local if is_loopback_url(url) else self._client
                response = client.request(method, url, **kwargs)
                if 200 <= response.status_code < 300:
                    self._count("webhooks_sent" if what == "webhooks" else "uploads_put")
                    return True
            except httpx.HTTPError:
                pass
            except RuntimeError:  # the client was closed while the engine stopped
                break
            if attempt + 1 < self._attempts:
                time.sleep(self._backoff * 2**attempt)
        self._count(f"{what}_failed")
        return False

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._client.close()
        self._local.close()
