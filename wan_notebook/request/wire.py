"""What goes over the wire for each media input, and which must be uploaded first.

The API reference takes reference videos and audio only as a URL or an upload UUID, so a
local file, bytes, base64 or a data URI for them is uploaded with ``mediaStorage`` first.
Images keep the inline path the API offers: a data URI or base64 passes as it is, and a
small local image travels inline as a data URI; a larger one is uploaded (``imageUpload``).

What the jobs layer does with this, before sending a request (``client.upload`` returns the
upload's UUID)::

    task = request.to_api()
    if task.get("inputs"):
        uploaded = {}
        for slot in wire.uploads(task["inputs"]):
            data, mime = wire.payload(slot)
            uploaded[slot.where] = await client.upload(data, slot.kind, mime=mime, cache=store)
        task["inputs"] = wire.wire_inputs(task["inputs"], uploaded)
    with_cost_policy(task)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from ..errors import MediaError
from . import media
from .media import MediaSlot

__all__ = ["INLINE_IMAGE_BYTES", "must_upload", "payload", "uploads", "wire_inputs"]

INLINE_IMAGE_BYTES: Final = 256 * 1024  # smaller local images travel inline as data URIs
_ON_THE_WIRE: Final = ("url", "uuid")


def must_upload(slot: MediaSlot) -> bool:
    """True when ``slot``'s value cannot go over the wire as it is."""
    if not isinstance(slot.value, str):
        return False  # not media at all: the rules refuse it
    form = media.classify(slot.value)
    if form is None or form in _ON_THE_WIRE:
        return False
    if slot.kind != "image":
        return True  # video and audio: a URL or an upload UUID only
    if form != "path":
        return False  # inline images are what the API takes
    path = Path(slot.value).expanduser()
    return path.is_file() and path.stat().st_size > INLINE_IMAGE_BYTES


def uploads(inputs: Mapping[str, Any]) -> list[MediaSlot]:
    """The media values of ``inputs`` (API JSON) to upload before the task is sent, in order."""
    return [slot for slot in media.media_slots(inputs) if must_upload(slot)]


def payload(slot: MediaSlot) -> tuple[bytes, str]:
    """The bytes to upload for ``slot`` and their MIME type (checked like the request)."""
    value = slot.value
    if media.classify(value) == "path":
        local = media.check_local(Path(value), slot.kind)
        return local.path.read_bytes(), local.mime
    decoded = media.decode_inline(value)
    if decoded is None:
        raise MediaError(f"{slot.where}: not valid base64")
    return decoded[0], media.check_data(decoded[0], slot.kind, name=slot.where)


def wire_inputs(inputs: Mapping[str, Any], uploaded: Mapping[str, str]) -> dict[str, Any]:
    """``inputs`` as sent: uploaded values replaced by their UUID, small local images inlined."""

    def sent(slot: MediaSlot) -> Any:
        if slot.where in uploaded:
            return uploaded[slot.where]
        if (
            slot.kind == "image"
            and isinstance(slot.value, str)
            and media.classify(slot.value) == "path"
        ):
            local = media.check_local(Path(slot.value), "image")
            return media.to_data_uri(local.path.read_bytes(), local.mime)
        if must_upload(slot):
            raise MediaError(f"{slot.where}: must be uploaded first (see wire.uploads)")
        return slot.value

    return media.map_inputs(inputs, sent)
