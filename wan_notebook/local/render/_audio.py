"""The soundtrack: generated soft chords over pink noise, or an ``inputs.audio`` file.

Chords change at every cut and every ~2.5 s within a shot, in a key the prompt's mood
leans towards (dark moods go minor and lower). An audio input is decoded to 48 kHz stereo
and cut or padded with silence to the video's exact length. Both are (2, n) float32.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from pathlib import Path

import av
import numpy as np

from ._spec import F32, F64, SAMPLE_RATE, RenderSpec, open_input, prompt_mood, rng_for


def soundtrack(key: bytes, spec: RenderSpec, cuts: Sequence[int], n_samples: int) -> F32:
    """A few soft chords (changing at every cut) over gently swelling pink noise; (2, n)."""
    rng = rng_for(key, "audio")
    mood = prompt_mood(spec.prompt)
    dark = mood is not None and mood[2] < 0.6
    root = int(rng.integers(45, 52)) - (5 if dark else 0)  # MIDI note, A2..D3
    minor = dark or rng.random() < 0.5
    scale = (0, 2, 3, 5, 7, 8, 10) if minor else (0, 2, 4, 5, 7, 9, 11)
    out = np.zeros((2, n_samples), np.float64)
    t_all = np.arange(n_samples, dtype=np.float64) / SAMPLE_RATE

    bounds = chord_bounds([round(c / spec.fps * SAMPLE_RATE) for c in cuts], n_samples)
    tail = int(0.35 * SAMPLE_RATE)
    degree = 0
    for a, b in itertools.pairwise(bounds):
        stop = min(n_samples, b + tail)
        t = t_all[a:stop] - t_all[a]
        env = _envelope(t, (b - a) / SAMPLE_RATE)
        notes = [root - 12 + scale[degree % 7]] + [
            root + scale[(degree + k) % 7] + 12 * ((degree + k) // 7) for k in (0, 2, 4)
        ]
        for j, midi in enumerate(notes):
            freq = 440.0 * 2 ** ((midi - 69) / 12)
            phase = 2 * math.pi * freq * t + 2 * math.pi * rng.random()
            s, c = np.sin(phase), np.cos(phase)
            tone = (s + 0.3 * (2 * s * c) + 0.12 * (3 * s - 4 * s**3)) * env  # partials 1, 2, 3
            pan = 0.5 + 0.35 * math.sin(1.7 * j + degree)
            gain = 0.5 if j == 0 else 0.3
            out[0, a:stop] += gain * (1 - pan) * tone
            out[1, a:stop] += gain * pan * tone
        degree = int(rng.choice([3, 4, 5, 1, 6]))

    out += _pink_noise(rng, n_samples) * (0.75 + 0.25 * np.sin(2 * math.pi * t_all / 4.3))
    peak = float(np.abs(out).max()) or 1.0
    out *= 0.45 / peak
    fade = min(n_samples // 2, int(0.02 * SAMPLE_RATE))
    if fade:
        ramp = np.linspace(0.0, 1.0, fade)
        out[:, :fade] *= ramp
        out[:, n_samples - fade :] *= ramp[::-1]
    return out.astype(np.float32)


def chord_bounds(cut_samples: Sequence[int], n_samples: int) -> list[int]:
    """Chord changes: at every cut, and every ~2.5 s within a shot."""
    bounds: list[int] = []
    for a, b in itertools.pairwise(cut_samples):
        parts = max(1, round((b - a) / (2.5 * SAMPLE_RATE)))
        bounds += [a + (b - a) * k // parts for k in range(parts)]
    return [*bounds, n_samples]


def _envelope(t: F64, length: float) -> F64:
    attack = np.minimum(1.0, t / 0.06)
    release = np.clip(1.0 - (t - length) / 0.35, 0.0, 1.0)
    env: F64 = attack * release * np.exp(-t / 6.0)
    return env


def _pink_noise(rng: np.random.Generator, n: int) -> F64:
    """Stereo noise with a 1/f spectrum below ~4 kHz: soft, like wind or distant surf."""
    spectrum = np.fft.rfft(rng.standard_normal((2, n)), axis=1)
    freqs = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
    shape = 1.0 / np.sqrt(np.maximum(freqs, 20.0)) / (1.0 + (freqs / 4000.0) ** 2)
    noise = np.fft.irfft(spectrum * shape, n=n, axis=1)
    noise *= 0.05 / (float(noise.std()) + 1e-12)
    result: F64 = noise
    return result


def load_audio(path: Path, n_samples: int) -> F32:
    """Decode any audio file to 48 kHz stereo float; cut or pad with silence to n samples."""
    chunks: list[F32] = []
    with open_input(path, "audio_input", "audio") as (container, stream):
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=SAMPLE_RATE)
        have = 0
        for frame in container.decode(stream):
            for part in resampler.resample(frame):
                chunks.append(np.asarray(part.to_ndarray(), dtype=np.float32))
                have += part.samples
            if have >= n_samples:
                break
        else:  # the whole file was read: drain the resampler's tail
            chunks += [np.asarray(p.to_ndarray(), np.float32) for p in resampler.resample(None)]
    pcm = np.concatenate(chunks, axis=1) if chunks else np.zeros((2, 0), np.float32)
    out = np.zeros((2, n_samples), np.float32)
    take = min(n_samples, pcm.shape[1])
    out[:, :take] = pcm[:, :take]
    return out
