"""The API task a job sends: the request's JSON, with media the API cannot take as they are
uploaded first, and the includeCost policy applied.

What must be uploaded is the request layer's decision (``request.wire``): reference videos
and audio go over the wire only as a URL or an upload UUID, images keep the inline path.
The client remembers uploads in the store, so the same content is sent once per server.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..client import AsyncRunwareClient
from ..request import wire
from ..request.models import VideoRequest, with_cost_policy
from ..request.wire import INLINE_IMAGE_BYTES
from ..store import Store

__all__ = ["INLINE_IMAGE_BYTES", "api_task"]


async def api_task(
    request: VideoRequest,
    client: AsyncRunwareClient,
    store: Store,
    *,
    uploading: Callable[[], None] = lambda: None,
) -> dict[str, Any]:
    """The JSON to send for ``request``; ``uploading()`` is called first when it has inputs."""
    task = request.to_api()
    inputs = task.get("inputs")
    if inputs:
        uploading()
        uploaded: dict[str, str] = {}
        for slot in wire.uploads(inputs):  # one at a time, in order
            data, mime = wire.payload(slot)
            uploaded[slot.where] = await client.upload(data, slot.kind, mime=mime, cache=store)
        task["inputs"] = wire.wire_inputs(inputs, uploaded)
    return with_cost_policy(task)
