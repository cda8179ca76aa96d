"""The Wan 2.6 ``videoInference`` request as pydantic models.

Field names are snake_case in Python and the API's camelCase on the wire. Construction runs
every rule of ``rules.py`` first and raises one ``InvalidRequestError`` naming every bad field,
so nothing invalid ever reaches the network. ``to_api()`` gives exactly the API's JSON: nested
objects, camelCase, and nothing that was not set (the API's own JSON round-trips unchanged).

``VideoRequest.coerce()`` is the one entry point for what callers pass (a ``VideoRequest``, a
prompt with flag-style fields, or the API's JSON); it and ``build()`` give a request without
size or preset an explicit one (``_defaults.explicit_size``), so that the estimate is the
price. ``fingerprint()`` hashes the request with the API's defaults spelled out.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator
from pydantic.alias_generators import to_camel

from ..errors import InvalidRequestError, MediaError, Problem
from . import _defaults, _shorthand, catalog, media, rules
from ._defaults import INCLUDE_COST_BY_DEFAULT, Filled, with_cost_policy
from .catalog import OutputFormat, Resolution, SafetyMode, ShotType

__all__ = [
    "INCLUDE_COST_BY_DEFAULT",
    "AlibabaSettings",
    "FrameImage",
    "Inputs",
    "ProviderSettings",
    "Safety",
    "VideoRequest",
    "with_cost_policy",
]


class _ApiModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", validate_assignment=False
    )

    def to_api(self) -> dict[str, Any]:
        """The API's JSON for this object: camelCase, without unset fields."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class Safety(_ApiModel):
    check_content: bool | None = None
    mode: SafetyMode | None = None


class FrameImage(_ApiModel):
    image: str
    frame: Literal["first", 0] | None = None


class Inputs(_ApiModel):
    frame_images: list[str | FrameImage] | None = None
    reference_videos: list[str] | None = None
    audio: str | None = None


class AlibabaSettings(_ApiModel):
    audio: bool | None = None
    prompt_extend: bool | None = None
    shot_type: ShotType | None = None


class ProviderSettings(_ApiModel):
    alibaba: AlibabaSettings | None = None


class VideoRequest(_ApiModel):
    """One Wan 2.6 video task: every field of the API reference.

    Build it from API JSON (``VideoRequest.model_validate(task)``), from snake_case keywords
    (``VideoRequest(positive_prompt=..., width=1280, height=720)``), or with ``build()``, which
    takes the short names the ``%%wan`` magic uses.
    """

    task_type: Literal["videoInference"] = "videoInference"
    task_uuid: str = Field(default_factory=lambda: str(uuid.uuid4()), alias="taskUUID")
    model: Literal["alibaba:wan@2.6"] = catalog.MODEL_ID
    positive_prompt: str
    negative_prompt: str | None = None
    width: int | None = None
    height: int | None = None
    resolution: Resolution | None = None
    duration: int | None = None
    seed: int | None = None
    inputs: Inputs | None = None
    provider_settings: ProviderSettings | None = None
    output_type: Literal["URL"] | None = None
    output_format: OutputFormat | None = None
    output_quality: int | None = None
    webhook_url: str | None = Field(default=None, alias="webhookURL")
    delivery_method: Literal["async"] | None = None
    upload_endpoint: str | None = None
    safety: Safety | None = None
    ttl: int | None = None
    include_cost: bool | None = None
    number_results: int | None = None

    _filled: Filled | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _check_rules(cls, data: Any) -> Any:
        if isinstance(data, BaseModel):
            data = data.model_dump(by_alias=True, exclude_none=True)
        if not isinstance(data, Mapping):
            raise InvalidRequestError(
                [Problem("request", type(data).__name__, "a mapping of fields", "invalid")]
            )
        task, media_problems = _api_shape(data)
        found = media_problems + rules.problems(task)
        if found:
            raise InvalidRequestError(found)
        if "duration" in task:
            task["duration"] = int(task["duration"])
        return task

    # ----- derived facts -------------------------------------------------------------------

    @property
    def tier(self) -> Resolution:
        """The price tier: the preset of the size, the resolution, or 720p by default."""
        if self.width is not None and self.height is not None:
            return catalog.SIZE_PRESET[(self.width, self.height)][0]
        return self.resolution or catalog.DEFAULT_RESOLUTION

    @property
    def seconds(self) -> int:
        return self.duration or catalog.DEFAULT_DURATION

    @property
    def results(self) -> int:
        return self.number_results or 1

    @property
    def estimated_cost(self) -> float:
        """List price in USD: rate of the tier x duration x numberResults."""
        return catalog.price(self.tier, self.seconds, self.results)

    @property
    def alibaba(self) -> AlibabaSettings:
        ps = self.provider_settings
        return ps.alibaba if ps and ps.alibaba else AlibabaSettings()

    @property
    def frame_image(self) -> str | None:
        frames = self.inputs.frame_images if self.inputs else None
        if not frames:
            return None
        item = frames[0]
        return item.image if isinstance(item, FrameImage) else item

    @property
    def defaults_used(self) -> Filled | None:
        """What ``coerce()``/``build()`` filled in: "size", "resolution" or None."""
        return self._filled

    def canonical(self) -> dict[str, Any]:
        """The request with the API's defaults spelled out, without its task id, local
        files replaced by their content hash: what ``fingerprint()`` hashes."""
        task = self.to_api()
        if task.get("inputs"):
            task["inputs"] = media.map_inputs(
                task["inputs"], lambda slot: media.content_digest(slot.value)
            )
        return _defaults.canonical(task)

    def fingerprint(self) -> str:
        """Same fingerprint = same request: the key of the result cache."""
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def with_changes(self, **changes: Any) -> VideoRequest:
        """A checked copy with some fields changed and a fresh task id."""
        data = self.model_dump(exclude_none=True)
        data.pop("task_uuid")
        data.update(changes)
        return VideoRequest.model_validate(data)

    def summary(self) -> str:
        size = f"{self.width}x{self.height}" if self.width else f"{self.tier}, aspect of the input"
        seed = f"seed {self.seed}" if self.seed is not None else "random seed"
        return f"{size}, {self.seconds}s, {seed}, ~${self.estimated_cost:.2f}"

    @classmethod
    def coerce(
        cls,
        value: Any = None,
        /,
        *,
        default_resolution: Resolution | None = None,
        **fields: Any,
    ) -> VideoRequest:
        """The one entry point for what callers pass: a checked, explicitly sized request.

        ``value`` is a ``VideoRequest``, a prompt, the API's JSON (a dict with
        ``positivePrompt``; snake_case model names work too) or a dict of flag-style fields
        (with ``prompt``). ``fields`` change it: the short names of ``build()`` (``size``,
        ``shot``, ``ref_videos``...), model names (``negative_prompt``) or API names
        (``outputFormat``). Unknown names and wrong types raise ``InvalidRequestError``
        naming them. Without size or preset, ``default_resolution`` (720p if None) is sent:
        see ``_defaults.explicit_size``.
        """
        problems: list[Problem] = []
        tier = _tier(default_resolution, problems)
        if isinstance(value, VideoRequest):
            if not fields and value.defaults_used is None and _has_size(value.to_api()):
                return value
            task = value.to_api()
            if fields:
                task.pop("taskUUID")  # a changed request is a new task
        elif isinstance(value, Mapping):
            task = dict(value)
            if "prompt" in task:
                flags = {k: task.pop(k) for k in list(task) if k in _shorthand.FLAGS}
                task = _merge(task, _shorthand.fragment(flags, problems))
        elif isinstance(value, str) or value is None:
            task = {} if value is None else {"positivePrompt": value}
            if value is not None and "prompt" in fields:
                problems.append(
                    Problem("prompt", fields["prompt"], "the prompt is given twice", "duplicate")
                )
        else:
            allowed = "a VideoRequest, a prompt, or the API's JSON (a dict with positivePrompt)"
            raise InvalidRequestError(
                [Problem("request", type(value).__name__, allowed, "invalidRequest")]
            )
        task = _merge(task, _fields_fragment(fields, problems))
        if "positivePrompt" not in task and "positive_prompt" not in task:
            problems.append(
                Problem("prompt", None, "a text prompt is required", "missingPositivePrompt")
            )
        return cls._finish(task, tier, problems)

    @classmethod
    def _finish(
        cls, task: dict[str, Any], tier: Resolution, problems: list[Problem]
    ) -> VideoRequest:
        shaped, media_problems = _api_shape(task)
        filled = _defaults.explicit_size(shaped, tier)
        found = problems + media_problems + rules.problems(shaped)
        if found:
            raise InvalidRequestError(found)
        request = cls.model_validate(shaped)
        request._filled = filled
        return request

    @classmethod
    def build(
        cls,
        prompt: str,
        *,
        negative: str | None = None,
        size: str | tuple[int, int] | None = None,
        resolution: Resolution | None = None,
        aspect: str | None = None,
        duration: int | None = None,
        seed: int | None = None,
        shot: ShotType | None = None,
        audio: bool | None = None,
        extend: bool | None = None,
        image: Any = None,
        ref_videos: Sequence[Any] | None = None,
        audio_input: Any = None,
        fmt: OutputFormat | None = None,
        quality: int | None = None,
        ttl: int | None = None,
        webhook: str | None = None,
        upload_to: str | None = None,
        safety: SafetyMode | bool | None = None,
        include_cost: bool | None = None,
        n: int | None = None,
        task_uuid: str | None = None,
        default_resolution: Resolution | None = None,
    ) -> VideoRequest:
        """A request from the short names of the ``%%wan`` flags and the builder form.

        Without ``size``, ``resolution``, ``aspect`` or input media the size is 1280x720 (the
        16:9 size of ``default_resolution``, 720p if None); with input media but no size, the
        request carries ``resolution`` (the aspect follows the input). ``defaults_used``
        says which was filled in.
        """
        flags = {k: v for k, v in locals().items() if k not in ("cls", "default_resolution")}
        problems: list[Problem] = []
        tier = _tier(default_resolution, problems)
        return cls._finish(_shorthand.fragment(flags, problems), tier, problems)


def _tier(value: Any, problems: list[Problem]) -> Resolution:
    if value is None:
        return catalog.DEFAULT_RESOLUTION
    if value not in catalog.RESOLUTIONS:
        problems.append(
            Problem(
                "default_resolution",
                value,
                "allowed: 720p, 1080p",
                "unsupportedResolution",
                allowed_values=catalog.RESOLUTIONS,
            )
        )
        return catalog.DEFAULT_RESOLUTION
    return value  # type: ignore[no-any-return]


def _has_size(task: Mapping[str, Any]) -> bool:
    return bool(_shorthand.SIZING & task.keys())


def _fields_fragment(fields: Mapping[str, Any], problems: list[Problem]) -> dict[str, Any]:
    """API JSON for ``coerce()``'s keyword fields: flags, model names or API names."""
    flags = {k: v for k, v in fields.items() if k in _shorthand.FLAGS}
    rest = {k: v for k, v in fields.items() if k not in _shorthand.FLAGS and v is not None}
    known = set(_NAMES["task"]) | set(_NAMES["task"].values())
    for key in sorted(set(rest) - known):
        allowed = "unknown field; use a flag name (size, shot, ...) or an API field name"
        problems.append(Problem(key, rest.pop(key), allowed, "unknownParameter"))
    return _merge(_rename(rest, "task"), _shorthand.fragment(flags, problems))


def _merge(base: Mapping[str, Any], change: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``change`` laid over it: nested objects key by key; a new size or preset
    replaces the old one."""
    out = dict(base)
    if _shorthand.SIZING & change.keys():
        for key in _shorthand.SIZING:
            out.pop(key, None)
    for key, value in change.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


# snake_case names accepted from Python, by nesting level, mapped to the API's names.
_NAMES: dict[str, dict[str, str]] = {
    "task": {f: (info.alias or f) for f, info in VideoRequest.model_fields.items()},
    "inputs": {f: (info.alias or f) for f, info in Inputs.model_fields.items()},
    "alibaba": {f: (info.alias or f) for f, info in AlibabaSettings.model_fields.items()},
    "safety": {f: (info.alias or f) for f, info in Safety.model_fields.items()},
}


def _rename(data: Mapping[str, Any], level: str) -> dict[str, Any]:
    names = _NAMES[level]
    return {
        names.get(k, k): (v.to_api() if isinstance(v, _ApiModel) else v) for k, v in data.items()
    }


def _api_shape(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """Python-friendly input in the API's shape, with defaults filled and media normalized."""
    task = _rename(data, "task")
    task.setdefault("taskType", catalog.TASK_TYPE)
    task.setdefault("model", catalog.MODEL_ID)
    task.setdefault("taskUUID", str(uuid.uuid4()))
    problems: list[Problem] = []
    if isinstance(task.get("safety"), Mapping):
        task["safety"] = _rename(task["safety"], "safety")
    ps = task.get("providerSettings")
    if isinstance(ps, Mapping) and isinstance(ps.get("alibaba"), Mapping):
        task["providerSettings"] = {**ps, "alibaba": _rename(ps["alibaba"], "alibaba")}
    if isinstance(task.get("inputs"), Mapping):
        task["inputs"] = _normalize_media(_rename(task["inputs"], "inputs"), problems)
    return task, problems


def _normalize_media(inputs: dict[str, Any], problems: list[Problem]) -> dict[str, Any]:
    def norm(slot: media.MediaSlot) -> Any:
        try:
            return media.normalize(slot.value, slot.kind)
        except MediaError as exc:
            problems.append(
                Problem(slot.where, media.shown(slot.value), str(exc), "invalidMediaInput")
            )
            return media.REPORTED

    return media.map_inputs(inputs, norm)
