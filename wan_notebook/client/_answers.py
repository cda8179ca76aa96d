"""What the API answers: acknowledgements, processing and success items, and errors.

The protocol notes (section 2) record two shapes for a failed generation: an item of the
``errors`` array with ``status: "error"``, or a ``data`` item with ``status: "error"`` and a
nested ``error`` object. Bodies also come as ``{"errors": [...]}``, a bare list, a single
object, or ``{"error": {...}}``. ``parse_body`` accepts all of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


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
