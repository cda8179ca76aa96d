"""Where the relay forwards: the local engine it starts, or a Runware-compatible URL.

Tasks go through the package's own transport (``AsyncRunwareClient``: batched submits and
polls, retries, checked atomic downloads). Uploads are forwarded as they came, under a
fresh taskUUID, with the teacher's key; students never see that key.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from .._net import is_loopback
from ..client import AsyncRunwareClient
from ..local import EngineHandle, start_engine
from ..settings import Settings
from ._config import LOCAL, RelayConfig


@dataclass
class Upstream:
    """The upstream in use: its client, and the engine when the relay runs one."""

    base_url: str
    api_key: str = field(repr=False)
    local: bool
    engine: EngineHandle | None = None
    client: AsyncRunwareClient = field(init=False, repr=False)
    _raw: httpx.AsyncClient | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        # Few, short retries: a worker round that waits on a dead upstream delays every task.
        settings = Settings(
            backend="runware",
            api_key=self.api_key,
            base_url=self.base_url,
            max_attempts=3,
            backoff_base=0.25,
            backoff_max=5.0,
        )
        self.client = AsyncRunwareClient(self.base_url, self.api_key, settings=settings)

    @classmethod
    async def start(cls, config: RelayConfig) -> Upstream:
        if config.upstream != LOCAL:
            assert config.upstream_key is not None  # RelayConfig checked it
            return cls(config.upstream.rstrip("/"), config.upstream_key, local=False)
        engine = await asyncio.to_thread(
            start_engine, delay=config.local_delay, render_mode=config.local_render
        )
        return cls(engine.base_url, engine.api_key, local=True, engine=engine)

    async def forward(self, task: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        """POST one task (an upload) as it came, under a fresh taskUUID; the answer with the
        student's taskUUID back in it."""
        theirs = task.get("taskUUID")
        ours = str(uuid.uuid4())
        if self._raw is None:
            host = httpx.URL(self.base_url).host
            self._raw = httpx.AsyncClient(timeout=120.0, trust_env=not is_loopback(host))
        response = await self._raw.post(
            self.base_url,
            json=[{**task, "taskUUID": ours}],
            headers={"Authorization": f"Bearer {self.api_key}"},
        )
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        for key in ("data", "errors"):
            items = body.get(key)
            if isinstance(items, list):
                body[key] = [_swap(i, ours, theirs) for i in items if isinstance(i, dict)]
        return response.status_code, body

    async def close(self) -> None:
        await self.client.aclose()
        if self._raw is not None:
            await self._raw.aclose()
        if self.engine is not None:
            await asyncio.to_thread(self.engine.stop)


def _swap(item: dict[str, Any], ours: str, theirs: Any) -> dict[str, Any]:
    out = {k: v for k, v in item.items() if k not in ("imageURL", "mediaURL")}
    if out.get("taskUUID") == ours:
        out["taskUUID"] = theirs
    for key in ("imageURL", "mediaURL"):  # an engine's own address means nothing to students
        value = item.get(key)
        if isinstance(value, str) and value.startswith("https://"):
            out[key] = value
    return out
