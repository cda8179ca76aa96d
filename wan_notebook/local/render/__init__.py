"""Render deterministic preview videos for the local engine (no HTTP here).

A clip is procedural: layered gradients, waves and soft blobs, drawn at a quarter of the
output size in numpy and upscaled by swscale straight into yuv420p, then encoded in-process
with PyAV. Everything is derived from a SHA-256 of prompt, negative prompt and seed, so the
same spec always decodes to the same frames. Every frame carries a "local preview" label: this
is never passed off as Wan 2.6 output.

``render(spec, out_path, progress=...) -> RenderInfo`` is the one entry point. Modules, from
the bottom up:

- ``_spec``: ``RenderSpec``, ``RenderInfo``, validation, the seed key, prompt moods, shots.
- ``_canvas``: the low-resolution grid and yuv420p frame planes.
- ``_look``: each shot's palette, layers and camera.
- ``_label``: the "LOCAL PREVIEW" stamp.
- ``_first_frame``: a first-frame image that the clip grows out of.
- ``_motion``: reference videos' camera motion and structure.
- ``_picture``: frames composed from all of the above (``Painter``).
- ``_audio``: the generated soundtrack, or an audio input cut to length.
- ``_plan``: the render plan (``RenderInfo.plan``: cuts, audio events, sync marks) and the
  knobs for metric tests, ``flicker`` and ``av_offset_ms`` (off by default).
- ``_encode``: PyAV encoders per format, and ``render`` itself (atomic output).

What a finished file holds is read back by ``wan_notebook.local.probe``.
"""

from __future__ import annotations

from ._encode import render
from ._spec import MAX_DURATION, SAMPLE_RATE, RenderInfo, RenderSpec

__all__ = ["MAX_DURATION", "SAMPLE_RATE", "RenderInfo", "RenderSpec", "render"]
