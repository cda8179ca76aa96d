"""The soundtrack: generated chords, or an audio input cut or padded to the video's length."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tests.local.render.clips import SMALL, audio_pcm, dominant_frequency, stream_end, write_tone
from wan_notebook.local.render import render


def test_generated_soundtrack_is_audible_and_stereo(clip: Callable[..., Path]) -> None:
    pcm, rate = audio_pcm(clip(audio=True))
    assert rate == 48_000
    assert pcm.shape[0] == 2
    rms = float(np.sqrt(np.mean(pcm**2)))
    assert 0.02 < rms < 0.5
    assert np.abs(pcm).max() < 1.0


@pytest.mark.parametrize("input_seconds", [2.0, 8.0])
def test_audio_input_replaces_the_soundtrack_cut_or_padded(
    tmp_path: Path, input_seconds: float
) -> None:
    tone = tmp_path / "tone.wav"
    write_tone(tone, 660.0, input_seconds)
    out = tmp_path / "clip.webm"
    render(replace(SMALL, fmt="WEBM", duration=4, audio_input=tone), out)

    assert stream_end(out, "audio") == pytest.approx(4, abs=0.1)
    pcm, rate = audio_pcm(out)
    mono = pcm.mean(axis=0)
    assert dominant_frequency(mono[int(0.2 * rate) : int(1.8 * rate)], rate) == pytest.approx(
        660, abs=5
    )
    tail = mono[int(2.5 * rate) : int(3.8 * rate)]
    tail_rms = float(np.sqrt(np.mean(tail**2)))
    if input_seconds < 4:
        assert tail_rms < 0.01  # padded with silence after the input ends
    else:
        assert dominant_frequency(tail, rate) == pytest.approx(660, abs=5)
