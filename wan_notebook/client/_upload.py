"""What an upload sends, and where uploads are remembered (``UploadCache``).

Images go as ``imageUpload`` and answer an ``imageUUID``; video and audio go as
``mediaStorage`` and answer a ``mediaUUID``. The file travels inline as a data URI whose
MIME type comes from the file's first bytes, else from its name.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any, Final, Literal, Protocol, runtime_checkable

from ..request import media

# Uploads are deleted by the API 30 days after last use; reuse only well inside that.
UPLOAD_MAX_AGE: Final = 20 * 24 * 3600.0


@runtime_checkable
class UploadCache(Protocol):
    """Where uploads are remembered: the UUID a server gave some content, by the content's
    sha256 and the server (``backend``, its base URL). The store implements it."""

    def upload_get(self, sha256: str, backend: str, *, max_age: float) -> str | None:
        """The UUID of this content on ``backend``, if uploaded within ``max_age`` seconds."""
        ...

    def upload_put(self, sha256: str, backend: str, kind: str, media_uuid: str) -> None:
        """Remember that ``backend`` holds this content (``kind``: image, video or audio)."""
        ...


def upload_task(
    data: bytes,
    kind: Literal["image", "video", "audio"],
    *,
    mime: str | None,
    source: Path | str | bytes,
) -> tuple[str, dict[str, Any]]:
    """The answer field that will carry the UUID, and the task (without its taskUUID)."""
    mime = mime or media.sniff_mime(data[:16]) or _mime_from_name(source, kind)
    data_uri = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    if kind == "image":
        return "imageUUID", {"taskType": "imageUpload", "image": data_uri}
    return "mediaUUID", {"taskType": "mediaStorage", "operation": "upload", "media": data_uri}


def _mime_from_name(source: Path | str | bytes, kind: media.MediaKind) -> str:
    if isinstance(source, bytes):
        return "application/octet-stream"
    known = media.EXTENSIONS.get(kind, {})
    return known.get(Path(source).suffix.lower(), "application/octet-stream")
