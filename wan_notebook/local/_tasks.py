"""A submitted task and its generations (or its refusal), and the ``RenderSpec`` it asks for.

A ``videoInference`` task becomes one ``Task`` holding ``numberResults`` ``Generation``s.
Each generation renders on its own; the engine reads their fields (under its lock) to
answer polls. Inputs (frame image, reference videos, audio) are fetched once per task and
shape the spec: a resolution preset takes its aspect from the first input that has one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from ..request import catalog
from ..request.models import VideoRequest
from .render import RenderSpec
from .storage import Storage


@dataclass
class Generation:
    index: int
    seed: int
    fraction: float = 0.0  # render progress 0..1
    finished_at: float | None = None  # monotonic, once rendered or failed
    video_uuid: str | None = None
    error: tuple[str, str] | None = None  # (code, message)
    render_started: float | None = None
    plan: dict[str, Any] | None = None  # what the renderer drew where (render._plan)


@dataclass
class Task:
    uuid: str
    request: VideoRequest
    submitted: float  # monotonic
    ready_at: float  # the earliest moment a result is shown
    base_url: str  # scheme://host the submit came in on, for URLs in webhooks
    generations: list[Generation]
    sent: dict[str, Any] = field(default_factory=dict)  # the task as sent (getTaskDetails)
    knobs: dict[str, Any] = field(default_factory=dict)  # render knobs when it was submitted

    @property
    def fmt(self) -> catalog.OutputFormat:
        return self.request.output_format or "MP4"


class Refusals:
    """Submits the engine refused (rules, credit), as sent and as answered, for
    ``getTaskDetails``: the latest ``LIMIT`` of them. A resend meeting ``conflictTaskUUID``
    is no refusal: the task it resends was taken."""

    LIMIT: Final = 10_000

    def __init__(self) -> None:
        self._items: OrderedDict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, task: Mapping[str, Any], errors: list[dict[str, Any]]) -> None:
        task_uuid = task.get("taskUUID")
        if not errors or not isinstance(task_uuid, str):
            return
        if any(e.get("code") == "conflictTaskUUID" for e in errors):
            return
        with self._lock:
            self._items[task_uuid] = (dict(task), errors)
            while len(self._items) > self.LIMIT:
                self._items.popitem(last=False)

    def get(self, task_uuid: Any) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
        with self._lock:
            return self._items.get(task_uuid) if isinstance(task_uuid, str) else None


@dataclass(frozen=True)
class Inputs:
    """A task's input media as local files (decoded or fetched)."""

    first_frame: Path | None = None
    reference_videos: tuple[Path, ...] = ()
    audio: Path | None = None


def fetch_inputs(storage: Storage, request: VideoRequest) -> Inputs:
    """Every input of ``request`` as a checked local file; raises ``InputError``."""
    raw = request.inputs
    if raw is None:
        return Inputs()
    frame = request.frame_image
    first = storage.materialize(frame, "image", "inputs.frameImages[0]") if frame else None
    refs = tuple(
        storage.materialize(v, "video", f"inputs.referenceVideos[{i}]")
        for i, v in enumerate(raw.reference_videos or ())
    )
    audio = storage.materialize(raw.audio, "audio", "inputs.audio") if raw.audio else None
    return Inputs(first, refs, audio)


def spec_for(request: VideoRequest, inputs: Inputs) -> RenderSpec:
    """What the renderer makes for ``request`` (the seed is set per generation)."""
    if request.width is not None and request.height is not None:
        width, height = request.width, request.height
    else:  # a resolution preset (or a frame image alone) takes its aspect from the input
        aspect = catalog.DEFAULT_ASPECT
        shape = _image_size(inputs.first_frame) if inputs.first_frame else None
        if shape is None and inputs.reference_videos:
            shape = _video_size(inputs.reference_videos[0])
        if shape is not None:
            aspect = catalog.nearest_aspect(*shape)
        width, height = catalog.size_for(request.tier, aspect)
    alibaba = request.alibaba
    audio = True if inputs.audio else (alibaba.audio if alibaba.audio is not None else True)
    return RenderSpec(
        width=width,
        height=height,
        duration=float(request.seconds),
        fmt=request.output_format or "MP4",
        quality=request.output_quality or 95,
        prompt=request.positive_prompt,
        negative_prompt=request.negative_prompt or "",
        shot_type=alibaba.shot_type or "single",
        audio=audio,
        audio_input=inputs.audio,
        first_frame=inputs.first_frame,
        reference_videos=inputs.reference_videos,
        fps=catalog.LOCAL_FPS,
    )


def names_input(exc: Exception) -> bool:
    """True when a render failed because of an input file (the renderer names the field)."""
    text = str(exc)
    return isinstance(exc, ValueError) and text.startswith(
        ("first_frame", "audio_input", "reference_videos")
    )


def _image_size(path: Path) -> tuple[int, int] | None:
    from PIL import Image

    try:
        with Image.open(path) as img:
            return img.size
    except OSError:
        return None


def _video_size(path: Path) -> tuple[int, int] | None:
    import av

    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            return int(stream.codec_context.width), int(stream.codec_context.height)
    except (av.FFmpegError, OSError, IndexError):
        return None
