"""Loading a request into the Builder's controls, and which of its fields it gave explicitly.

A field the API has a default for is sent only when it differs from that default, or when
the loaded request said it explicitly (``explicit_fields``): that keeps a loaded request's
cache fingerprint, and the form equal to the ``%%wan`` cell a person would write.
"""

from __future__ import annotations

from ..request import catalog
from ..request.catalog import Aspect, Resolution
from ..request.models import VideoRequest
from ._form import DEFAULTS, Controls

__all__ = ["explicit_fields", "load"]


def explicit_fields(request: VideoRequest) -> set[str]:
    """The form fields with API defaults that this request sets explicitly."""
    alibaba = request.alibaba
    given = {
        "duration": request.duration,
        "shot": alibaba.shot_type,
        "audio": alibaba.audio,
        "extend": alibaba.prompt_extend,
        "fmt": request.output_format,
        "quality": request.output_quality,
        "n": request.number_results,
        "safety": request.safety,
        "include_cost": request.include_cost,
    }
    return {name for name, value in given.items() if value is not None}


def load(c: Controls, request: VideoRequest) -> None:
    c.prompt.value = request.positive_prompt
    c.negative.value = request.negative_prompt or ""
    _load_shape(c, request)
    c.duration.value = request.seconds
    if request.seed is not None:
        c.seed.value = request.seed
        c.seed_lock.value = True  # a loaded seed is the point of loading (e.g. a grid winner)
    else:
        c.seed_lock.value = False
    alibaba = request.alibaba
    c.shot.value = alibaba.shot_type or DEFAULTS["shot"]
    c.native_audio.value = DEFAULTS["audio"] if alibaba.audio is None else alibaba.audio
    c.extend.value = DEFAULTS["extend"] if alibaba.prompt_extend is None else alibaba.prompt_extend
    inputs = request.inputs
    c.image.set_values([request.frame_image] if request.frame_image else [])
    c.ref_videos.set_values(list(inputs.reference_videos or []) if inputs else [])
    c.audio_input.set_values([inputs.audio] if inputs and inputs.audio else [])
    c.fmt.value = request.output_format or DEFAULTS["fmt"]
    c.quality.value = request.output_quality or DEFAULTS["quality"]
    c.n.value = request.results
    c.safety.value = _safety_mode(request)
    c.include_cost.value = request.include_cost is not False
    c.webhook.value = request.webhook_url or ""
    c.upload_to.value = request.upload_endpoint or ""
    c.ttl.value = request.ttl or 0


def _load_shape(c: Controls, request: VideoRequest) -> None:
    if request.width is not None and request.height is not None:
        preset: tuple[Resolution, Aspect] = catalog.SIZE_PRESET[(request.width, request.height)]
        c.resolution.value, c.aspect.value = preset
        c.size_mode.value = "size"
    elif request.resolution is not None:
        c.resolution.value = request.resolution
        c.size_mode.value = "resolution"
    else:
        c.size_mode.value = "auto"


def _safety_mode(request: VideoRequest) -> str:
    # The form offers modes only; checkContent=true means the API's "fast" mode.
    safety = request.safety
    if safety is None:
        return str(DEFAULTS["safety"])
    if safety.mode is not None:
        return safety.mode
    return "fast" if safety.check_content else "none"
