"""What the API answers: acknowledgements, processing and success items, and errors.

The protocol notes (section 2) record two shapes for a failed generation: an item of the
``errors`` array with ``status: "error"``, or a ``data`` item with ``status: "error"`` and a
nested ``error`` object. Bodies also come as ``{"errors": [...]}``, a bare list, a single
object, or ``{"error": {...}}``. ``parse_body`` accepts all of them.

A number the API gets wrong never breaks an answer: a cost that is not a finite number >= 0
(``"NaN"``, ``Infinity``, ``-5``, ``"abc"``) is read as unknown (None), with one warning per
result, and a non-finite progress is dropped. ``TaskDetails`` is a ``getTaskDetails`` item.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic.alias_generators import to_camel

log = logging.getLogger("wan_notebook.client._answers")

_WARNED_LIMIT: Final = 1024
_warned: set[tuple[object, ...]] = set()  # results already warned about (polls repeat them)


def _finite(value: Any) -> float | None:
    """``value`` as a finite float (numbers and numeric strings), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _warn_once(key: tuple[object, ...], message: str, *args: object) -> None:
    if key in _warned:
        return
    if len(_warned) >= _WARNED_LIMIT:
        _warned.clear()
    _warned.add(key)
    log.warning(message, *args)


class _Item(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")

    def to_api(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class Ack(_Item):
    """The immediate answer to a submitted task."""

    task_type: str
    task_uuid: str = Field(alias="taskUUID")


class Processing(_Item):
    """A poll item for a generation still running; ``progress`` is 0-100 when sent."""

    task_type: str = "videoInference"
    task_uuid: str = Field(alias="taskUUID")
    status: Literal["processing", "queued", "pending", "scheduled", "waiting"] = "processing"
    progress: float | None = None

    @field_validator("progress", mode="before")
    @classmethod
    def _progress_or_none(cls, value: Any) -> float | None:
        return _finite(value)


class VideoResult(_Item):
    """A finished generation."""

    task_type: str = "videoInference"
    task_uuid: str = Field(alias="taskUUID")
    status: Literal["success", "completed"] | None = None
    video_uuid: str = Field(alias="videoUUID")
    video_url: str | None = Field(default=None, alias="videoURL")
    seed: int | None = None
    cost: float | None = None
    result_index: int | None = None

    @field_validator("cost", mode="before")
    @classmethod
    def _cost_or_unknown(cls, value: Any, info: ValidationInfo) -> float | None:
        """A cost that is not a finite number >= 0 is unknown: never NaN in a sidecar."""
        if value is None:
            return None
        number = _finite(value)
        if number is not None and number >= 0:
            return number
        task, video = info.data.get("task_uuid"), info.data.get("video_uuid")
        _warn_once(
            ("cost", task, video),
            "task %s, video %s: the API sent cost %.40r, not a number >= 0; recorded as unknown",
            task,
            video,
            value,
        )
        return None

    @property
    def key(self) -> str:
        """What tells results of one task apart (resultIndex when sent, else the video id)."""
        return f"#{self.result_index}" if self.result_index is not None else self.video_uuid


class ApiErrorItem(_Item):
    """One error object: validation, auth, a failed generation, ..."""

    code: str = ""
    message: str = ""
    parameter: str | list[str] | None = None
    task_type: str | None = None
    task_uuid: str | None = Field(default=None, alias="taskUUID")
    documentation: str | None = None
    allowed_values: list[Any] | None = None
    status: str | None = None


PollItem = Processing | VideoResult | ApiErrorItem


def within_results(task_uuid: str, items: list[PollItem], limit: int) -> list[PollItem]:
    """One task's poll items with at most ``limit`` (its ``numberResults``) distinct results:
    those with ``resultIndex`` below the limit first, then in order of arrival. Extras are
    left out with one warning per task (never downloaded, never paid for twice)."""
    results = {i.key: i for i in items if isinstance(i, VideoResult)}
    if len(results) <= limit:
        return items

    def rank(pair: tuple[int, VideoResult]) -> tuple[bool, int, int]:
        order, item = pair
        index = item.result_index
        return (index is None or index >= limit, index or 0, order)

    kept = {r.key for _, r in sorted(enumerate(results.values()), key=rank)[:limit]}
    _warn_once(
        ("extra", task_uuid),
        "task %s: the API sent %d results for numberResults=%d; the extras are ignored",
        task_uuid,
        len(results),
        limit,
    )
    return [i for i in items if not isinstance(i, VideoResult) or i.key in kept]


class TaskDetails(_Item):
    """A ``getTaskDetails`` answer: the task as it was sent and what the API answered.

    Both are untyped in Runware's docs (their shape depends on the task type): ``request``
    is the task array as sent, ``response`` an answer envelope (``data``/``errors``).
    """

    task_type: str = "getTaskDetails"
    task_uuid: str = Field(alias="taskUUID")
    request: list[dict[str, Any]] = []
    response: dict[str, Any] = {}

    @field_validator("request", mode="before")
    @classmethod
    def _as_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, Mapping) else value

    @property
    def rejection(self) -> ApiErrorItem | None:
        """The error the API answered this task with when it refused it (a validation or
        credit error at submit), if any; None when it took the task."""
        try:
            body = parse_body(self.response)
        except ValueError:
            return None
        for err in body.errors:
            mine = err.task_uuid in (None, self.task_uuid)
            # A conflict is a resend of a task it has; a failed generation is no refusal.
            if mine and err.code != "conflictTaskUUID" and err.status != "error":
                return err
        return None


class Body(BaseModel):
    """One HTTP answer, split into data items and error items."""

    data: list[dict[str, Any]] = []
    errors: list[ApiErrorItem] = []


def _error_from(obj: Mapping[str, Any]) -> ApiErrorItem:
    nested = obj.get("error")
    if isinstance(nested, Mapping):
        merged = {**{k: v for k, v in obj.items() if k != "error"}, **nested}
        return ApiErrorItem.model_validate(merged)
    if "errorMessage" in obj and "message" not in obj:
        return ApiErrorItem.model_validate({**obj, "message": obj["errorMessage"]})
    return ApiErrorItem.model_validate(obj)


def _is_error(obj: Mapping[str, Any]) -> bool:
    return (
        obj.get("status") == "error"
        or isinstance(obj.get("error"), Mapping)
        or obj.get("error") is True
        or ("code" in obj and "message" in obj and "videoUUID" not in obj)
    )


def parse_body(body: Any) -> Body:
    """Split any accepted answer shape into data items and error items.

    Raises ``ValueError`` when the body is none of them (the caller treats that as a
    malformed answer).
    """
    if isinstance(body, list):
        items: list[Any] = body
        errors_raw: list[Any] = []
    elif isinstance(body, Mapping):
        if "data" in body or "errors" in body:
            items = body.get("data") or []
            errors_raw = body.get("errors") or []
            if isinstance(items, Mapping):  # one docs example writes data as an object
                items = [items]
        elif "error" in body or "code" in body:
            items, errors_raw = [], [body]
        else:
            items, errors_raw = [body], []
    else:
        raise ValueError(f"not a JSON object or array: {type(body).__name__}")
    if not isinstance(items, list) or not isinstance(errors_raw, list):
        raise ValueError("data and errors must be arrays")
    out = Body()
    for item in items:
        if not isinstance(item, Mapping):
            raise ValueError("a data item is not an object")
        if _is_error(item):
            out.errors.append(_error_from(item))
        else:
            out.data.append(dict(item))
    for err in errors_raw:
        if not isinstance(err, Mapping):
            raise ValueError("an error item is not an object")
        out.errors.append(_error_from(err))
    return out


def parse_poll_item(item: Mapping[str, Any]) -> PollItem:
    """One getResponse data item as a typed value."""
    if _is_error(item):
        return _error_from(item)
    if item.get("videoUUID") or item.get("videoURL"):
        return VideoResult.model_validate(item)
    return Processing.model_validate({**item, "status": _running_status(item.get("status"))})


def _running_status(status: Any) -> str:
    allowed = ("processing", "queued", "pending", "scheduled", "waiting")
    return status if status in allowed else "processing"
