"""A small in-memory Runware server for ``httpx.MockTransport``.

For fault shapes the real engine does not make; acceptance tests use the real engine.
"""

from __future__ import annotations

import json
import struct
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

Handler = Callable[[httpx.Request, list[dict[str, Any]]], httpx.Response | None]


@dataclass
class FakeRunware:
    """In-memory Runware: videoInference, getResponse and getTaskDetails (batched),
    uploads, media GETs.

    ``polls_until_done``: how many getResponse answers say "processing" first. ``before``:
    handlers tried first for each POST, each may answer (or raise) instead of the server;
    a handler returning None lets the request through.
    """

    base_url: str = "http://fake.test/v1"
    polls_until_done: int = 1
    number_cost: float = 0.5
    video_bytes: bytes | None = None  # every GET's body; None: an MP4 header fit for the task
    error_shape: str = "errors"
    fail_generations: set[int] = field(default_factory=set)  # resultIndex values that fail
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    polls: dict[str, int] = field(default_factory=dict)
    posts: list[list[dict[str, Any]]] = field(default_factory=list)
    gets: list[httpx.Request] = field(default_factory=list)
    headers: list[httpx.Headers] = field(default_factory=list)
    before: list[Handler] = field(default_factory=list)
    uploads: int = 0
    served: dict[str, bytes] = field(default_factory=dict)  # video URL -> its body
    refused: set[str] = field(default_factory=set)  # taskUUIDs refused at submit (details)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            self.gets.append(request)
            body = self.video_bytes
            if body is None:
                body = self.served.get(str(request.url), b"<html>no such video</html>")
            return httpx.Response(200, content=body)
        tasks = json.loads(request.content)
        self.posts.append(tasks)
        self.headers.append(request.headers)
        for handler in list(self.before):
            answer = handler(request, tasks)
            if answer is not None:
                return answer
        data: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for task in tasks:
            d, e = self._one(task)
            data += d
            errors += e
        status = 200 if data or not errors else 400
        body: dict[str, Any] = {"data": data}
        if errors:
            body["errors"] = errors
        return httpx.Response(status, json=body)

    def _one(self, task: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        kind, task_uuid = task["taskType"], task.get("taskUUID")
        if kind == "videoInference":
            if task_uuid in self.tasks:
                return [], [{"code": "conflictTaskUUID", "message": "taken", "taskUUID": task_uuid}]
            self.tasks[task_uuid] = task
            return [{"taskType": kind, "taskUUID": task_uuid}], []
        if kind == "getResponse":
            if task_uuid not in self.tasks:
                return [], [{"code": "taskNotFound", "message": "no such task",
                             "taskUUID": task_uuid}]  # fmt: skip
            self.polls[task_uuid] = self.polls.get(task_uuid, 0) + 1
            return self._items(task_uuid)
        if kind == "getTaskDetails":
            sent = self.tasks.get(task_uuid)
            if sent is None or task_uuid in self.refused:
                if task_uuid in self.refused:
                    answer = {"errors": [{"code": "insufficientCredits", "message": "no credit",
                                          "taskUUID": task_uuid}]}  # fmt: skip
                    return [{"taskType": kind, "taskUUID": task_uuid, "request": [sent or {}],
                             "response": answer}], []  # fmt: skip
                return [], [{"code": "taskNotFound", "message": "no such task",
                             "taskUUID": task_uuid}]  # fmt: skip
            answer = {"data": [{"taskType": "videoInference", "taskUUID": task_uuid}]}
            return [{"taskType": kind, "taskUUID": task_uuid, "request": [sent],
                     "response": answer}], []  # fmt: skip
        if kind == "imageUpload":
            self.uploads += 1
            return [{"taskType": kind, "taskUUID": task_uuid, "imageUUID": str(uuid.uuid4())}], []
        if kind == "mediaStorage":
            self.uploads += 1
            return [{"taskType": kind, "taskUUID": task_uuid, "operation": "upload",
                     "mediaUUID": str(uuid.uuid4())}], []  # fmt: skip
        return [], [{"code": "unsupportedTaskType", "message": kind, "taskUUID": task_uuid}]

    def _items(self, task_uuid: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        task = self.tasks[task_uuid]
        head = {"taskType": "videoInference", "taskUUID": task_uuid}
        count = int(task.get("numberResults", 1))
        if self.polls[task_uuid] <= self.polls_until_done:
            return [{**head, "status": "processing", "resultIndex": i} for i in range(count)], []
        data: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for i in range(count):
            if i in self.fail_generations:
                err = {"code": "inferenceError", "message": "it broke", "resultIndex": i}
                if self.error_shape == "data":
                    data.append({**head, "status": "error", "resultIndex": i, "error": err})
                else:
                    errors.append({**head, **err, "status": "error"})
                continue
            video_uuid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{task_uuid}/{i}"))
            url = f"http://cdn.fake.test/video/{video_uuid}.mp4"
            self.served[url] = mp4_header(
                int(task.get("width") or 1280), int(task.get("height") or 720),
                float(task.get("duration") or 5),
            )  # fmt: skip
            data.append({
                **head, "status": "success", "videoUUID": video_uuid, "resultIndex": i,
                "videoURL": url,
                "seed": (task.get("seed") or 7) + i, "cost": self.number_cost,
            })  # fmt: skip
        return data, errors


def mp4_header(width: int, height: int, seconds: float, payload: int = 5000) -> bytes:
    """The smallest MP4 a header probe accepts: ftyp, moov (mvhd with the duration, one
    video track of this size) and an mdat of ``payload`` bytes."""

    def box(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I4s", 8 + len(data), kind) + data

    mvhd = struct.pack(">B3xIIII", 0, 0, 0, 1000, round(seconds * 1000)) + b"\0" * 80
    tkhd = b"\0" * 76 + struct.pack(">II", width << 16, height << 16)
    hdlr = b"\0" * 8 + b"vide" + b"\0" * 12
    trak = box(b"trak", box(b"tkhd", tkhd) + box(b"mdia", box(b"hdlr", hdlr)))
    ftyp = box(b"ftyp", b"isom\0\0\0\0isom")
    return ftyp + box(b"moov", box(b"mvhd", mvhd) + trak) + box(b"mdat", b"v" * payload)
