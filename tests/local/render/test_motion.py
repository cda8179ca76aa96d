"""Reference videos: their camera motion drives the clip's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from tests.local.render.clips import frame_jumps, frames, mean_shift, write_reference


def test_reference_video_drives_the_motion(clip: Callable[..., Path], tmp_path: Path) -> None:
    reference = tmp_path / "reference.mp4"
    write_reference(reference)  # still for 1.5 s, then panning right
    plain = frames(clip())
    driven = frames(clip(reference_videos=(reference,)))

    assert np.abs(plain.astype(np.int16) - driven).mean() > 5
    # The clip moves more while the reference moves than while it is still, and the plain
    # clip shows no such step.
    jumps, plain_jumps = frame_jumps(driven), frame_jumps(plain)
    ratio = jumps[40:70].mean() / jumps[5:34].mean()
    assert ratio > 2 * plain_jumps[40:70].mean() / plain_jumps[5:34].mean()
    # ...and the same way: content slides right, as in the reference.
    assert mean_shift(driven[40:70]) > 0.5 + mean_shift(plain[40:70])
