"""What the relay answers, in Runware's shapes: error items, acks, and a student's view of
an upstream task (its taskUUID, its share of the cost, and result URLs it can reach).
"""

from __future__ import annotations

from typing import Any, Final

from ..local._answers import error_item

DOCS: Final = "https://runware.ai/docs/platform/errors"
RELAY_FILE: Final = "relayFile"  # key of a stored result item: the file the relay serves


def error(
    code: str,
    message: str,
    *,
    task_uuid: Any = None,
    task_type: str | None = None,
    parameter: str | None = None,
    documentation: str = DOCS,
    **extra: Any,
) -> dict[str, Any]:
    """One error object as Runware sends it (the engine's format; the platform's error page
    unless ``documentation`` names another)."""
    return error_item(
        code,
        message,
        task_uuid=task_uuid,
        task_type=task_type,
        parameter=parameter,
        documentation=documentation,
        **extra,
    )


def status_of(data: list[dict[str, Any]], errors: list[dict[str, Any]]) -> int:
    """The HTTP status of a mixed answer: 200 when anything was done (a failed generation is
    a successful poll), else the status of the errors, as Runware sends them."""
    if data or any(e.get("status") == "error" for e in errors):
        return 200
    codes = {e.get("code") for e in errors}
    for code, status in (
        ("invalidApiKey", 401),
        ("insufficientCredits", 402),
        ("studentPaused", 403),
        ("classPaused", 403),
        ("rateLimitExceeded", 429),
        ("upstreamUnavailable", 502),
    ):
        if code in codes:
            return status
    return 400


def processing(task_uuid: str, results: int, progress: int | None) -> list[dict[str, Any]]:
    """Poll items for a task still running: one per generation, as the engine sends them."""
    items = []
    for index in range(results):
        item: dict[str, Any] = {
            "taskType": "videoInference",
            "taskUUID": task_uuid,
            "status": "processing",
            "resultIndex": index,
        }
        if progress is not None:
            item["progress"] = progress
        items.append(item)
    return items


def for_student(
    item: dict[str, Any], task_uuid: str, *, cost: float | None, media_base: str
) -> dict[str, Any]:
    """A stored upstream item as this student sees it: their taskUUID, the cost *they* were
    charged (``None``: left out), and a URL they can reach (the relay's own for files it
    keeps; Runware's https URLs pass through)."""
    out = {k: v for k, v in item.items() if k != RELAY_FILE}
    out["taskUUID"] = task_uuid
    name = item.get(RELAY_FILE)
    if isinstance(name, str):
        out["videoURL"] = f"{media_base}/media/{name}"
    if "videoUUID" in out:
        out.pop("cost", None)
        if cost is not None:
            out["cost"] = cost
    return out
