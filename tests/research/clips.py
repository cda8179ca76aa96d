"""Test videos with known truth, written with PyAV: where the cuts are, how much the picture
flickers, whether there is sound, and when the sound's clicks fall against the picture's jumps.

Every shot is a textured gradient of its own colours that pans slowly; a white square may jump
to a new place at each visual event and stay there (one motion spike per event).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import av
import numpy as np

RATE = 48_000
Sound = Literal["none", "silence", "tone", "clicks"]


@dataclass(frozen=True)
class Clip:
    seconds: float = 4.0
    fps: int = 24
    size: tuple[int, int] = (320, 180)
    cuts: Sequence[int] = ()  # frames that start a new shot
    flicker: float = 0.0  # amplitude of random per-frame brightness changes (0-1)
    pan: float = 1.0  # pixels per frame
    events: Sequence[float] = ()  # seconds where the square jumps
    sound: Sound = "none"
    offset_s: float = 0.0  # clicks come this much after the jumps
    tone_dbfs: float = -20.0
    seed: int = 0
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def frames(self) -> int:
        return round(self.seconds * self.fps)


def irregular_events(seconds: float, seed: int = 1) -> list[float]:
    """Event times 0.45-0.95 s apart, never periodic, away from both ends."""
    rng = np.random.default_rng(seed)
    times, t = [], 0.6
    while t < seconds - 0.6:
        times.append(round(t, 3))
        t += float(rng.uniform(0.45, 0.95))
    return times


def write(clip: Clip, path: Path) -> Path:
    width, height = clip.size
    with av.open(str(path), "w", format="mp4") as out:
        video = out.add_stream("libx264", rate=clip.fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"crf": "16", "preset": "veryfast"}
        audio = out.add_stream("aac", rate=RATE, layout="stereo") if clip.sound != "none" else None
        for i, picture in enumerate(_pictures(clip)):
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts = i
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        if audio is not None:
            pcm = _soundtrack(clip)
            step = 1024
            for start in range(0, pcm.shape[1], step):
                chunk = np.ascontiguousarray(pcm[:, start : start + step])
                frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
                frame.sample_rate, frame.pts = RATE, start
                out.mux(audio.encode(frame))
            out.mux(audio.encode(None))
    return path


def _pictures(clip: Clip) -> list[np.ndarray]:
    width, height = clip.size
    rng = np.random.default_rng(clip.seed)
    bounds = [0, *clip.cuts, clip.frames]
    shot_of = np.searchsorted(np.array(bounds[1:]), np.arange(clip.frames), side="right")
    looks = [_look(np.random.default_rng(100 * clip.seed + k), width, height) for k in bounds]
    jumps = {round(t * clip.fps) for t in clip.events}
    square = (width // 4, height // 4)
    gains = 1 + clip.flicker * rng.choice([-1.0, 1.0], clip.frames)
    pictures = []
    for i in range(clip.frames):
        base = looks[int(shot_of[i])]
        shift = round(i * clip.pan)
        img = np.roll(base, shift, axis=1).astype(np.float32) * gains[i]
        if i in jumps:
            square = (int(rng.integers(8, width - 40)), int(rng.integers(8, height - 40)))
        if clip.events:
            x, y = square
            img[y : y + 32, x : x + 32] = 255
        pictures.append(np.clip(img, 0, 255).astype(np.uint8))
    return pictures


def _look(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """A shot's picture: a two-colour gradient with soft texture, periodic across its width."""
    a, b = rng.uniform(30, 220, 3), rng.uniform(30, 220, 3)
    x = np.linspace(0, 2 * np.pi, width, endpoint=False)
    mix = (0.5 + 0.5 * np.sin(x + rng.uniform(0, 6)))[None, :, None]
    y = np.linspace(0, 1, height)[:, None, None]
    img = a * mix * (1 - 0.3 * y) + b * (1 - mix) * (0.7 + 0.3 * y)
    waves = 12 * np.sin(3 * x[None, :, None] + 9 * y * rng.uniform(1, 3))
    return np.clip(img + waves, 0, 255).astype(np.float32)


def _soundtrack(clip: Clip) -> np.ndarray:
    n = round(clip.seconds * RATE)
    pcm = np.zeros((2, n), np.float32)
    if clip.sound == "tone":
        t = np.arange(n) / RATE
        pcm[:] = 10 ** (clip.tone_dbfs / 20) * np.sin(2 * np.pi * 997 * t)
    elif clip.sound == "clicks":
        rng = np.random.default_rng(clip.seed + 7)
        burst = rng.uniform(-0.8, 0.8, 480) * np.exp(-np.arange(480) / 80)
        for t in clip.events:
            start = round((t + clip.offset_s) * RATE)
            if 0 <= start < n - burst.size:
                pcm[:, start : start + burst.size] += burst
    return pcm
