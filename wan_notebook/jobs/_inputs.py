"""The API task a job sends: the request's JSON, with local files turned into what the API
takes, and the includeCost policy applied.

A local image up to ``INLINE_IMAGE_BYTES`` travels inline as a data URI; larger images,
videos and audio are uploaded first (the client remembers uploads in the store, so the same
file is sent once per server). URLs, upload UUIDs, data URIs and base64 pass unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from ..client import AsyncRunwareClient
from ..request import media
from ..request.models import VideoRequest, with_cost_policy
from ..store import Store

__all__ = ["INLINE_IMAGE_BYTES", "api_task"]

INLINE_IMAGE_BYTES: Final = 256 * 1024  # smaller local images travel inline as data URIs


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
        # One at a time, in order: the walk is the shared one, the awaits are ours.
        sent = {
            slot.where: await _sent_form(slot, client, store) for slot in media.media_slots(inputs)
        }
        task["inputs"] = media.map_inputs(inputs, lambda slot: sent[slot.where])
    return with_cost_policy(task)


async def _sent_form(slot: media.MediaSlot, client: AsyncRunwareClient, store: Store) -> Any:
    value = slot.value
    if not isinstance(value, str) or media.classify(value) != "path":
        return value
    local = media.check_local(Path(value), slot.kind)
    if slot.kind == "image" and local.size <= INLINE_IMAGE_BYTES:
        return media.to_data_uri(local.path.read_bytes(), local.mime)
    return await client.upload(local.path, slot.kind, mime=local.mime, cache=store)
