"""Local media files the request tests make themselves: clips of known length and type.

Made with PyAV, ``wave`` and Pillow on the fly (no data files); each is written once per
test session. ``media_file("mp4", 3)`` is a 3 s MP4; kinds: mp4, mov, webm, flac, mp3, wav,
bmp, png, png_alpha.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.samples import png_bytes, wav_bytes

MediaFile = Callable[..., Path]


def clip_bytes(fmt: str, seconds: float) -> bytes:
    """A small clip (64x64 at 10 fps, or a tone) of ``seconds`` in container ``fmt``."""
    import av
    import numpy as np

    buf = io.BytesIO()
    container = {"mov": "mov", "mp4": "mp4", "webm": "webm", "flac": "flac", "mp3": "mp3"}[fmt]
    with av.open(buf, "w", format=container) as out:
        if fmt in ("flac", "mp3"):
            codec = {"flac": "flac", "mp3": "libmp3lame"}[fmt]
            stream = out.add_stream(codec, rate=44_100, layout="mono")
            n = round(seconds * 44_100)
            tone = (0.2 * np.sin(np.arange(n) * 0.06)).astype(np.float32)
            sample_format = stream.codec_context.format.name
            for start in range(0, n, 1152):
                chunk = tone[start : start + 1152]
                if sample_format.startswith("s16"):
                    chunk = (chunk * 32767).astype(np.int16)
                elif sample_format.startswith("s32"):
                    chunk = (chunk * 2**31).astype(np.int32)
                frame = av.AudioFrame.from_ndarray(
                    chunk.reshape(1, -1), format=sample_format, layout="mono"
                )
                frame.sample_rate, frame.pts = 44_100, start
                out.mux(stream.encode(frame))
        else:
            codec = "libvpx-vp9" if fmt == "webm" else "libx264"
            stream = out.add_stream(codec, rate=10)
            stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
            for i in range(round(seconds * 10)):
                img = np.full((64, 64, 3), (i * 8 % 255, 90, 160), dtype=np.uint8)
                out.mux(stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")))
        out.mux(stream.encode(None))
    return buf.getvalue()


def image_bytes(kind: str) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    if kind == "bmp":
        Image.new("RGB", (640, 400), (20, 120, 200)).save(buf, format="BMP")
    elif kind == "png_alpha":
        Image.new("RGBA", (640, 400), (20, 120, 200, 128)).save(buf, format="PNG")
    else:
        return png_bytes(640, 400)
    return buf.getvalue()


def media_bytes(kind: str, seconds: float = 3.0) -> bytes:
    if kind == "wav":
        return wav_bytes(seconds, rate=8_000)
    if kind in ("bmp", "png", "png_alpha"):
        return image_bytes(kind)
    return clip_bytes(kind, seconds)


@pytest.fixture(scope="session")
def media_file(tmp_path_factory: pytest.TempPathFactory) -> MediaFile:
    folder = tmp_path_factory.mktemp("media")
    made: dict[tuple[str, float], Path] = {}

    def make(kind: str, seconds: float = 3.0) -> Path:
        if (kind, seconds) not in made:
            ext = "png" if kind == "png_alpha" else kind
            path = folder / f"{kind}-{seconds:g}s.{ext}"
            path.write_bytes(media_bytes(kind, seconds))
            made[(kind, seconds)] = path
        return made[(kind, seconds)]

    return make
