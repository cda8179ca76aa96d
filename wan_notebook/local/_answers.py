"""Answers in the Runware API's format: error items, generation items, the HTTP status.

Every error the engine or its HTTP layer sends is built by ``error_item``, so all of them
carry the same fields (``code``, ``message``, ``parameter``, ``taskType``, ``taskUUID``,
``allowedValues``, ``documentation``) in the same way as the real API. A generation shows
in polls and webhooks as a ``processing``, ``success`` or ``error`` item.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from ..errors import Problem
from ..request import catalog

if TYPE_CHECKING:
    from ._tasks import Generation, Task

DOCS: Final = "https://runware.ai/docs/models/alibaba-wan2-6"
PLATFORM_DOCS: Final = "https://runware.ai/docs/platform"

Items = tuple[list[dict[str, Any]], list[dict[str, Any]]]  # one task's (data, errors)


@dataclass(frozen=True)
class Answer:
    """One ``POST /v1`` answer before encoding."""

    data: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    status: int

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.data or not self.errors:
            out["data"] = self.data
        if self.errors:
            out["errors"] = self.errors
        return out


def error_item(
    code: str,
    message: str,
    *,
    parameter: str | None = None,
    task_type: str | None = None,
    task_uuid: Any = None,
    allowed_values: tuple[Any, ...] | list[Any] | None = None,
    documentation: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An error object in the API's format (fields that are unknown are left out)."""
    item: dict[str, Any] = {"code": code, "message": message}
    if parameter is not None:
        item["parameter"] = parameter
    if task_type is not None:
        item["taskType"] = task_type
    if isinstance(task_uuid, str):
        item["taskUUID"] = task_uuid
    if allowed_values is not None:
        item["allowedValues"] = list(allowed_values)
    item["documentation"] = documentation or doc_url(parameter)
    item.update(extra)
    return item


def doc_url(parameter: str | None) -> str:
    """Runware's doc URL of a parameter: ``inputs.audio`` -> ``...#request-inputs-audio``."""
    if not parameter:
        return f"{PLATFORM_DOCS}/errors"
    anchor = parameter.split("[", 1)[0].replace(".", "-").lower()
    return f"{DOCS}#request-{anchor}"


def http_status(data: list[dict[str, Any]], errors: list[dict[str, Any]]) -> int:
    """200 when anything succeeded (a failed generation is a successful poll); else by code."""
    if data or any(e.get("status") == "error" for e in errors):
        return 200
    codes = {e.get("code") for e in errors}
    if "insufficientCredits" in codes:
        return 402
    return 400


def problem_error(problem: Problem, task_uuid: Any) -> dict[str, Any]:
    """A ``rules.problems`` finding as the API's error item."""
    return error_item(
        problem.code,
        problem.message,
        parameter=problem.parameter,
        task_type="videoInference",
        task_uuid=task_uuid,
        allowed_values=problem.allowed_values,
    )


def unsupported_task_error(
    task_type: str, task_uuid: Any, supported: tuple[str, ...]
) -> dict[str, Any]:
    return error_item(
        "unsupportedTaskType",
        f"taskType {task_type!r} is not supported here",
        parameter="taskType",
        task_type=task_type,
        task_uuid=task_uuid,
        allowed_values=supported,
        documentation=f"{PLATFORM_DOCS}/errors",
    )


def conflict_error(task_uuid: str) -> dict[str, Any]:
    return error_item(
        "conflictTaskUUID",
        "a task with this taskUUID was already submitted",
        parameter="taskUUID",
        task_type="videoInference",
        task_uuid=task_uuid,
    )


def task_not_found_error(task_uuid: Any, *, task_type: str = "getResponse") -> dict[str, Any]:
    return error_item(
        "taskNotFound",
        "no task with this taskUUID",
        parameter="taskUUID",
        task_type=task_type,
        task_uuid=task_uuid,
    )


def details_item(
    task_uuid: str,
    sent: dict[str, Any],
    data: list[dict[str, Any]],
    errors: list[dict[str, Any]],
) -> dict[str, Any]:
    """A ``getTaskDetails`` item: the task as sent and the engine's answer for it."""
    return {
        "taskType": "getTaskDetails",
        "taskUUID": task_uuid,
        "request": [sent],
        "response": Answer(data, errors, 200).body(),
    }


def credit_error(price: float, balance: float, task_uuid: Any) -> dict[str, Any]:
    return error_item(
        "insufficientCredits",
        f"this task costs ${price:.2f}; the balance is ${balance:.2f}",
        task_type="videoInference",
        task_uuid=task_uuid,
        documentation=f"{PLATFORM_DOCS}/errors",
    )


def processing_item(record: Task, gen: Generation, progress: int | None) -> dict[str, Any]:
    """A generation still rendering (or held back until ``delay`` has passed)."""
    item: dict[str, Any] = {
        "taskType": "videoInference",
        "taskUUID": record.uuid,
        "status": "processing",
        "resultIndex": gen.index,
    }
    if progress is not None:
        item["progress"] = progress
    return item


def failed_item(
    record: Task, gen: Generation, error: tuple[str, str], *, nested: bool
) -> dict[str, Any]:
    """A failed generation: an error item, or (``nested``) a data item with an ``error``."""
    code, message = error
    if nested:
        return {
            "taskType": "videoInference",
            "taskUUID": record.uuid,
            "status": "error",
            "resultIndex": gen.index,
            "error": {"code": code, "message": message},
        }
    return error_item(
        code,
        message,
        task_type="videoInference",
        task_uuid=record.uuid,
        status="error",
        resultIndex=gen.index,
    )


def success_item(
    record: Task,
    gen: Generation,
    video_uuid: str | None,
    base_url: str,
    *,
    render_mode: str,
    plan: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A finished generation: where its video is, its seed and (if asked) its cost.

    ``plan``: the render plan, sent as ``localEngine`` (this engine's own field, like
    ``localRenderMode``; the real API has neither): the truth research's metrics are
    checked against."""
    item: dict[str, Any] = {
        "taskType": "videoInference",
        "taskUUID": record.uuid,
        "status": "success",
        "videoUUID": video_uuid,
        "videoURL": f"{base_url}/media/{video_uuid}{catalog.FORMATS[record.fmt][0]}",
        "seed": gen.seed,
        "resultIndex": gen.index,
    }
    if record.request.include_cost:
        item["cost"] = catalog.price(record.request.tier, record.request.seconds)
    if render_mode != "full":  # "tiny" or "small": not the asked size
        item["localRenderMode"] = render_mode
    if plan:
        item["localEngine"] = plan
    return item
