"""The Wan 2.6 ``videoInference`` request as pydantic models.

Field names are snake_case in Python and the API's camelCase on the wire. Construction runs
every rule of ``rules.py`` first and raises one ``InvalidRequestError`` naming every bad field,
so nothing invalid ever reaches the network. ``to_api()`` gives exactly the API's JSON: nested
objects, camelCase, and nothing that was not set.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from ..errors import InvalidRequestError, MediaError, Problem
from . import catalog, media, rules
from .catalog import Aspect, OutputFormat, Resolution, SafetyMode, ShotType

# The includeCost policy, written once. The client always asks for each result's cost
# unless told not to, so "not given" and "true" are one request: the %%wan magic passes it,
# the Builder and generate() leave it out, and all three must share cached results (and the
# journal and sidecars record real costs).
INCLUDE_COST_BY_DEFAULT: Final = True


def with_cost_policy(task: dict[str, Any]) -> dict[str, Any]:
    """``task`` (API JSON) with ``includeCost`` set as the client sends it."""
    task.setdefault("includeCost", INCLUDE_COST_BY_DEFAULT)
    return task


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

    def canonical(self) -> dict[str, Any]:
        """The request without its task id, local files replaced by their content hash."""
        task = self.to_api()
        task.pop("taskUUID", None)
        with_cost_policy(task)
        if task.get("inputs"):
            task["inputs"] = media.map_inputs(
                task["inputs"], lambda slot: media.content_digest(slot.value)
            )
        return task

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
        size = f"{self.width}x{self.height}" if self.width else (self.resolution or "auto size")
        seed = f"seed {self.seed}" if self.seed is not None else "random seed"
        return f"{size}, {self.seconds}s, {seed}, ~${self.estimated_cost:.2f}"

    @classmethod
    def build(
        cls,
        prompt: str,
        *,
        negative: str | None = None,
        size: str | tuple[int, int] | None = None,
        resolution: Resolution | None = None,
        aspect: Aspect | None = None,
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
    ) -> VideoRequest:
        """A request from the short names of the ``%%wan`` flags and the builder form."""
        task: dict[str, Any] = {"positivePrompt": prompt}
        problems: list[Problem] = []
        width_height = _parse_size(size, problems)
        if aspect is not None:
            if aspect not in catalog.ASPECTS:
                problems.append(
                    Problem(
                        "aspect",
                        aspect,
                        "allowed: " + ", ".join(catalog.ASPECTS),
                        "unsupportedAspect",
                        allowed_values=catalog.ASPECTS,
                    )
                )
            elif width_height is None and image is None:
                tier = resolution or catalog.DEFAULT_RESOLUTION
                if tier in catalog.RESOLUTIONS:
                    width_height = catalog.size_for(tier, aspect)
                    resolution = None
        if width_height is not None:
            task["width"], task["height"] = width_height
        optional = {
            "negativePrompt": negative,
            "resolution": resolution,
            "duration": duration,
            "seed": seed,
            "outputFormat": fmt,
            "outputQuality": quality,
            "ttl": ttl,
            "webhookURL": webhook,
            "uploadEndpoint": upload_to,
            "includeCost": include_cost,
            "numberResults": n,
            "taskUUID": task_uuid,
        }
        task.update({k: v for k, v in optional.items() if v is not None})
        alibaba = {"audio": audio, "promptExtend": extend, "shotType": shot}
        alibaba = {k: v for k, v in alibaba.items() if v is not None}
        if alibaba:
            task["providerSettings"] = {"alibaba": alibaba}
        inputs: dict[str, Any] = {}
        if image is not None:
            inputs["frameImages"] = [image]
        if ref_videos:
            inputs["referenceVideos"] = list(ref_videos)
        if audio_input is not None:
            inputs["audio"] = audio_input
        if inputs:
            task["inputs"] = inputs
        if isinstance(safety, bool):
            task["safety"] = {"checkContent": safety}
        elif safety is not None:
            task["safety"] = {"mode": safety}
        if problems:
            shaped, media_problems = _api_shape(task)
            raise InvalidRequestError(problems + media_problems + rules.problems(shaped))
        return cls.model_validate(task)


def _parse_size(
    size: str | tuple[int, int] | None, problems: list[Problem]
) -> tuple[int, int] | None:
    if size is None:
        return None
    if isinstance(size, tuple):
        return size
    try:
        w, h = (int(part) for part in size.lower().replace("×", "x").split("x"))
    except ValueError:
        problems.append(
            Problem(
                "size",
                size,
                "WIDTHxHEIGHT, one of " + ", ".join(catalog.ALLOWED_SIZES),
                "invalidSize",
                allowed_values=catalog.ALLOWED_SIZES,
            )
        )
        return None
    return w, h


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
            problems.append(Problem(slot.where, "<media>", str(exc), "invalidMediaInput"))
            return media.REPORTED

    return media.map_inputs(inputs, norm)
