"""Shared by the renderer's tests: a small spec, and ways to read clips back.

Nothing here trusts RenderInfo: streams are read back with ffprobe (an independent tool) or
decoded with PyAV.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import shutil
import subprocess
import wave
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from wan_notebook.local.render import RenderSpec

SMALL = RenderSpec(width=640, height=360, duration=3, audio=False, prompt="a quiet harbour", seed=1)


def ffprobe(path: Path) -> dict:
    if shutil.which("ffprobe") is None:
        pytest.skip("ffprobe is not installed")
    out = subprocess.run(
        [
            "ffprobe", "-v", "error", "-of", "json", "-count_packets",
            "-show_entries",
            "format=format_name,duration:stream=codec_type,codec_name,width,height,"
            "avg_frame_rate,sample_rate,channels,pix_fmt,nb_read_packets",
            str(path),
        ],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(out)


def stream_end(path: Path, kind: str) -> float:
    """Where a stream's last packet ends, in seconds (WEBM streams carry no duration)."""
    end = 0.0
    with av.open(str(path)) as container:
        stream = getattr(container.streams, kind)[0]
        for packet in container.demux(stream):
            if packet.pts is not None:
                end = max(end, float((packet.pts + packet.duration) * packet.time_base))
    return end


def frames(path: Path, size: tuple[int, int] | None = (160, 90)) -> np.ndarray:
    """Decoded RGB frames, (n, h, w, 3); shrunk by default so whole clips fit in memory."""
    with av.open(str(path)) as container:
        out = []
        for frame in container.decode(video=0):
            if size is not None:
                frame = frame.reformat(size[0], size[1], interpolation="AREA")
            out.append(frame.to_ndarray(format="rgb24"))
    return np.stack(out)


def frame_hashes(path: Path) -> list[str]:
    with av.open(str(path)) as container:
        return [
            hashlib.sha256(b"".join(bytes(p) for p in f.planes)).hexdigest()
            for f in container.decode(video=0)
        ]


def audio_pcm(path: Path) -> tuple[np.ndarray, int]:
    """Decoded audio as (channels, samples) float, and its sample rate."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        chunks = [f.to_ndarray() for f in container.decode(stream)]
        rate = stream.codec_context.sample_rate
    return np.concatenate(chunks, axis=1).astype(np.float64), rate


def frame_jumps(clip: np.ndarray) -> np.ndarray:
    """Mean absolute difference between consecutive frames, 0-255 scale."""
    return np.abs(np.diff(clip.astype(np.int16), axis=0)).mean(axis=(1, 2, 3))


def cuts(clip: np.ndarray) -> list[int]:
    jumps = frame_jumps(clip)
    return [i + 1 for i, j in enumerate(jumps) if j > 12 and j > 6 * np.median(jumps)]


def mean_shift(clip: np.ndarray) -> float:
    """Average horizontal motion between consecutive frames (px), by phase correlation."""
    luma = clip.mean(axis=3)
    shifts = []
    for a, b in itertools.pairwise(luma):
        cross = np.fft.fft2(b - b.mean()) * np.conj(np.fft.fft2(a - a.mean()))
        corr = np.abs(np.fft.ifft2(cross / (np.abs(cross) + 1e-9)))
        _, dx = np.unravel_index(np.argmax(corr), corr.shape)
        shifts.append(dx - corr.shape[1] if dx > corr.shape[1] / 2 else dx)
    return float(np.mean(shifts))


def write_tone(path: Path, freq: float, seconds: float, rate: int = 44_100) -> None:
    t = np.arange(round(seconds * rate)) / rate
    pcm = (0.5 * 32767 * np.sin(2 * np.pi * freq * t)).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def dominant_frequency(mono: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
    return float(np.fft.rfftfreq(len(mono), 1 / rate)[np.argmax(spectrum)])


def write_reference(path: Path, still: int = 36, moving: int = 36, speed: int = 6) -> None:
    """A textured clip: still for `still` frames, then panning right by `speed` px a frame."""
    rng = np.random.default_rng(7)
    texture = Image.fromarray((rng.random((45, 200)) * 255).astype(np.uint8))
    texture = np.asarray(texture.resize((1600, 360), Image.Resampling.BICUBIC))
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=24, options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = 640, 360, "yuv420p"
        for i in range(still + moving):
            x = 800 - speed * max(0, i - still)  # content moves right as the window moves left
            grey = np.ascontiguousarray(texture[:, x : x + 640])
            frame = av.VideoFrame.from_ndarray(np.stack([grey] * 3, axis=-1), format="rgb24")
            frame.pts = i
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
