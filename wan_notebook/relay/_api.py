"""``POST /v1``: Runware's REST protocol for students, answered by the relay.

Auth is a student's token, as Runware's key (``Authorization: Bearer`` or a first
``authentication`` task); an unknown token gets 401 ``invalidApiKey``. Submissions pass
``_admission``; a paused student (or class) gets 403 and a student past ``--max-in-flight``
gets 429 with ``Retry-After``, for the whole POST, before anything else. ``getResponse`` is
answered from the ledger, never by a round trip upstream: the worker keeps it current.
Uploads are forwarded with the teacher's key.
"""

from __future__ import annotations

import json
import math
import uuid
from typing import Any, Final

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ._admission import admit
from ._answers import error, for_student, processing, status_of
from ._ledger import CLASS
from ._records import StudentTask
from ._roster import Student
from ._state import Relay

FORWARDED: Final = ("imageUpload", "mediaStorage")
AUTH_DOCS: Final = "https://runware.ai/docs/platform/authentication"


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _auth_task_key(tasks: Any) -> str | None:
    first = tasks[0] if isinstance(tasks, list) and tasks else None
    if isinstance(first, dict) and first.get("taskType") == "authentication":
        key = first.get("apiKey")
        return key if isinstance(key, str) else ""
    return None


def _answer(
    data: list[dict[str, Any]], errors: list[dict[str, Any]], headers: dict[str, str] | None = None
) -> Response:
    body: dict[str, Any] = {}
    if data or not errors:
        body["data"] = data
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_of(data, errors), headers=headers)


async def api(request: Request) -> Response:
    relay: Relay = request.app.state.relay
    try:
        tasks: Any = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        tasks = None
    tokens = [t for t in (_bearer(request), _auth_task_key(tasks)) if t is not None]
    student = relay.student(tokens)
    if student is None:
        message = "this token is not on the class roster; ask your teacher"
        err = error(
            "invalidApiKey",
            message if tokens else "no token: send Authorization: Bearer <your class token>",
            parameter="apiKey",
            task_type="authentication",
            documentation=AUTH_DOCS,
        )
        return _answer([], [err])
    if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
        err = error("invalidRequestBody", "the body must be a JSON array of task objects")
        return _answer([], [err])
    refusal = _refuse_new_work(relay, student, tasks)
    if refusal is not None:
        return refusal
    data: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    polls = [t.get("taskUUID") for t in tasks if t.get("taskType") == "getResponse"]
    if polls:
        data, errors = _poll(relay, student, polls, _media_base(request, relay))
    for task in tasks:
        kind = task.get("taskType")
        if kind == "videoInference":
            items, errs = admit(relay, student, task)
        elif kind == "authentication":
            items, errs = [{"taskType": kind, "connectionSessionUUID": str(uuid.uuid4())}], []
        elif kind == "ping":
            items, errs = [{"taskType": "ping", "pong": True}], []
        elif kind in FORWARDED:
            items, errs = await _forward(relay, task)
        elif kind == "getResponse":
            continue
        else:
            items, errs = (
                [],
                [
                    error(
                        "unsupportedTaskType",
                        f"taskType {kind!r} is not available through the class relay",
                        parameter="taskType",
                        task_uuid=task.get("taskUUID"),
                    )
                ],
            )
        data += items
        errors += errs
    return _answer(data, errors)


def _refuse_new_work(
    relay: Relay, student: Student, tasks: list[dict[str, Any]]
) -> Response | None:
    """403 when paused, 429 past --max-in-flight: for the whole POST, nothing taken."""
    new = [
        t.get("taskUUID")
        for t in tasks
        if t.get("taskType") == "videoInference"
        and not (
            isinstance(t.get("taskUUID"), str)
            and relay.ledger.has_task(student.name, t["taskUUID"])
        )
    ]
    if not new:
        return None
    paused = relay.ledger.paused()
    if student.name in paused or CLASS in paused:
        who = "the class" if CLASS in paused else "you"
        code = "classPaused" if CLASS in paused else "studentPaused"
        message = f"your teacher has paused generation for {who}; ask your teacher"
        return _answer(
            [], [error(code, message, task_type="videoInference", task_uuid=u) for u in new]
        )
    limit = relay.config.max_in_flight
    running = relay.ledger.standing(student.name).in_flight
    if running + len(new) > limit:
        message = (
            f"{running} of your tasks are running and at most {limit} may run at once;"
            " try again when one has finished"
        )
        err = error("rateLimitExceeded", message, task_type="videoInference")
        wait = str(math.ceil(relay.config.retry_after))
        return _answer([], [err], headers={"Retry-After": wait})
    return None


def _media_base(request: Request, relay: Relay) -> str:
    if relay.config.public_url:
        return relay.config.public_url.rstrip("/")
    return str(request.base_url).rstrip("/")


def _poll(
    relay: Relay, student: Student, uuids: list[Any], media_base: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    wanted = [u for u in uuids if isinstance(u, str)]
    known = relay.ledger.student_tasks(student.name, wanted) if wanted else {}
    data: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for task_uuid in uuids:
        row = known.get(task_uuid) if isinstance(task_uuid, str) else None
        if row is None:
            errors.append(
                error(
                    "taskNotFound",
                    "no task with this taskUUID",
                    parameter="taskUUID",
                    task_type="getResponse",
                    task_uuid=task_uuid,
                )
            )
            continue
        items = _view(relay, row, media_base)
        data += [i for i in items if i.get("status") != "error"]
        errors += [i for i in items if i.get("status") == "error"]
    return data, errors


def _view(relay: Relay, row: StudentTask, media_base: str) -> list[dict[str, Any]]:
    """A student's poll items for one task, from the upstream task that serves it."""
    up = row.upstream
    if up.status in ("journaled", "submitted", "processing"):
        return processing(row.task_uuid, up.results, relay.worker.progress.get(up.uuid, 0))
    if up.status == "downloading" or up.items is None:
        return processing(row.task_uuid, up.results, 99)
    out = []
    for item in up.items:
        if "videoUUID" in item and up.status == "failed":
            message = "the relay could not keep this result; ask your teacher"
            out.append(error("resultUnavailable", message, task_uuid=row.task_uuid, status="error"))
            continue
        charged = item.get("cost") if row.payer else 0.0
        cost = charged if row.include_cost else None
        out.append(for_student(item, row.task_uuid, cost=cost, media_base=media_base))
    return out


async def _forward(
    relay: Relay, task: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    if task.get("taskType") == "mediaStorage" and task.get("operation", "upload") != "upload":
        return [], [
            error(
                "unsupportedOperation",
                "only uploads are available through the class relay",
                parameter="operation",
                task_type="mediaStorage",
                task_uuid=task.get("taskUUID"),
            )
        ]
    try:
        status, body = await relay.upstream.forward(task)
    except httpx.HTTPError as exc:
        status, body = 502, {"errors": [error("upstreamUnavailable", type(exc).__name__)]}
    data, errors = list(body.get("data") or []), list(body.get("errors") or [])
    if status >= 500 or not (data or errors):
        message = "the class's upstream did not take the upload; try again"
        return [], [error("upstreamUnavailable", message, task_uuid=task.get("taskUUID"))]
    return data, errors
