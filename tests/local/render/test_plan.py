"""The render knobs for metric tests (``_plan``): flicker scales each frame's brightness, sync
marks jump where the plan says, the sound moves by ``av_offset_ms``; all off by default."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tests.local.render.clips import SMALL, audio_pcm, frames
from wan_notebook.local.render import RenderSpec, render
from wan_notebook.local.render._plan import MARK_GAP_S, mark_frames
from wan_notebook.local.render._spec import shot_bounds, spec_key

SOUND = replace(SMALL, audio=True, duration=4.0, label="")


def test_the_knobs_are_off_by_default_and_the_plan_says_so(tmp_path: Path) -> None:
    info = render(replace(SMALL, duration=1.0), tmp_path / "plain.mp4")
    assert (SMALL.flicker, SMALL.av_offset_ms) == (0.0, None)
    assert info.plan["flicker"] == 0.0 and info.plan["av_offset_ms"] is None
    assert info.plan["sync_marks"] == [] and info.plan["audio"] is None
    assert info.plan["frames"] == info.frames == 30 and info.plan["shot_count"] == 1


def test_flicker_scales_brightness_by_the_same_draws_at_every_level(
    clip: Callable[..., Path],
) -> None:
    def brightness(level: float) -> np.ndarray:
        luma = frames(clip(label="", flicker=level)).astype(np.float64).mean(axis=(1, 2, 3))
        return luma

    steady, low, high = brightness(0.0), brightness(0.2), brightness(0.4)
    low_dev, high_dev = low / steady - 1, high / steady - 1
    assert 0.02 < np.abs(low_dev).mean() < 0.1  # |u| averages 1/4: 0.2 * 0.25 = 0.05
    assert np.abs(high_dev).mean() == pytest.approx(2 * np.abs(low_dev).mean(), rel=0.2)
    assert np.corrcoef(low_dev, high_dev)[0, 1] > 0.95


def test_sync_marks_are_irregular_and_the_square_jumps_at_each(tmp_path: Path) -> None:
    spec = replace(SOUND, av_offset_ms=0.0, audio=False)
    info = render(spec, tmp_path / "marks.mp4")
    render(replace(spec, av_offset_ms=None), tmp_path / "plain.mp4")
    marks = [round(t * spec.fps) for t in info.plan["sync_marks"]]
    gaps = np.diff(marks) / spec.fps
    assert len(marks) >= 3 and len(set(np.round(gaps, 2))) > 1
    assert all(MARK_GAP_S[0] - 0.04 <= g <= MARK_GAP_S[1] + 0.04 for g in gaps)
    # The square is what differs from the same clip without marks: follow its centre.
    size = (spec.width, spec.height)
    marked, plain = frames(tmp_path / "marks.mp4", size), frames(tmp_path / "plain.mp4", size)
    square = np.abs(marked.astype(np.int16) - plain).max(axis=3) > 60
    centres = np.array([np.argwhere(m).mean(axis=0) for m in square])
    moved = np.hypot(*np.diff(centres, axis=0).T) > 5
    assert [int(i) + 1 for i in np.flatnonzero(moved)] == marks


def test_marks_keep_away_from_cuts() -> None:
    spec = replace(SOUND, shot_type="multi", duration=10.0, av_offset_ms=0.0)
    key = spec_key(spec)
    cuts = shot_bounds(key, spec, 300)
    assert len(cuts) > 2
    assert all(abs(m - c) > 4 for m in mark_frames(key, spec, cuts) for c in cuts[1:-1])


@pytest.mark.parametrize("offset_ms", [250, -250])
def test_the_sound_moves_by_av_offset_ms(tmp_path: Path, offset_ms: int) -> None:
    base = render(replace(SOUND, av_offset_ms=0.0), tmp_path / "zero.mp4")
    moved = render(replace(SOUND, av_offset_ms=float(offset_ms)), tmp_path / "moved.mp4")
    (a, rate), (b, _) = audio_pcm(base.path), audio_pcm(moved.path)
    n = min(a.shape[1], b.shape[1])
    x, y = a[0, :n], b[0, :n]
    corr = np.fft.irfft(np.fft.rfft(y, 2 * n) * np.conj(np.fft.rfft(x, 2 * n)))
    lag = int(np.argmax(corr))
    lag = lag - 2 * n if lag > n else lag
    assert lag / rate * 1000 == pytest.approx(offset_ms, abs=1.0)
    assert moved.plan["sync_marks"] == base.plan["sync_marks"]  # the picture stays put
    shifted = [round(t + offset_ms / 1000, 4) for t in base.plan["audio_events"]]
    assert moved.plan["audio_events"] == [t for t in shifted if 0 <= t < SOUND.duration]


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"flicker": 1.5}, "flicker"),
        ({"flicker": -0.1}, "flicker"),
        ({"flicker": "0.2"}, "flicker"),
        ({"av_offset_ms": 2500.0}, "av_offset_ms"),
        ({"av_offset_ms": float("nan")}, "av_offset_ms"),
        ({"av_offset_ms": "0"}, "av_offset_ms"),
    ],
)
def test_a_bad_knob_is_named(tmp_path: Path, changes: dict[str, object], named: str) -> None:
    spec: RenderSpec = replace(SMALL, **changes)  # type: ignore[arg-type]
    with pytest.raises((ValueError, TypeError), match="^" + re.escape(named)):
        render(spec, tmp_path / "bad.mp4")
    assert not (tmp_path / "bad.mp4").exists()
