"""The upload tasks: ``imageUpload`` and ``mediaStorage`` (upload or delete).

An upload answers with a UUID and a URL under ``/media/``; the UUID then works anywhere a
request takes an input (``inputs.frameImages``, ``inputs.referenceVideos``, ``inputs.audio``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InputError
from ._answers import PLATFORM_DOCS, Items, error_item
from .storage import Storage


def media_task(storage: Storage, task: Mapping[str, Any], task_type: str, base_url: str) -> Items:
    """Answer one ``imageUpload`` or ``mediaStorage`` task."""
    task_uuid = task.get("taskUUID")
    try:
        if task_type == "imageUpload":
            return _image_upload(storage, task, base_url), []
        return _media_storage(storage, task, base_url)
    except InputError as exc:
        page = "image-upload" if task_type == "imageUpload" else "media-storage"
        docs = f"{PLATFORM_DOCS}/{page}"
        return [], [
            error_item(
                exc.code,
                exc.message,
                parameter=exc.parameter,
                task_type=task_type,
                task_uuid=task_uuid,
                documentation=docs,
            )
        ]


def _image_upload(storage: Storage, task: Mapping[str, Any], base_url: str) -> list[dict[str, Any]]:
    stored = storage.upload(task.get("image"), ("image",), "image")
    return [
        {
            "taskType": "imageUpload",
            "taskUUID": task.get("taskUUID"),
            "imageUUID": stored.uuid,
            "imageURL": f"{base_url}/media/{stored.name}",
        }
    ]


def _media_storage(storage: Storage, task: Mapping[str, Any], base_url: str) -> Items:
    task_uuid = task.get("taskUUID")
    head = {"taskType": "mediaStorage", "taskUUID": task_uuid}
    operation = task.get("operation", "upload")
    if operation == "upload":
        stored = storage.upload(task.get("media"), ("image", "video", "audio"), "media")
        return [
            {
                **head,
                "operation": "upload",
                "mediaUUID": stored.uuid,
                "mediaURL": f"{base_url}/media/{stored.name}",
            }
        ], []
    if operation == "delete":
        target = task.get("media") or task.get("mediaUUID")
        if isinstance(target, str) and storage.delete(target):
            return [{**head, "operation": "delete", "mediaUUID": target}], []
        return [], [
            error_item(
                "mediaNotFound",
                "no stored media with this UUID",
                parameter="media",
                task_type="mediaStorage",
                task_uuid=task_uuid,
                documentation=f"{PLATFORM_DOCS}/media-storage",
            )
        ]
    return [], [
        error_item(
            "unsupportedOperation",
            f"operation {operation!r} is not supported",
            parameter="operation",
            task_type="mediaStorage",
            task_uuid=task_uuid,
            allowed_values=("upload", "delete"),
            documentation=f"{PLATFORM_DOCS}/media-storage",
        )
    ]
