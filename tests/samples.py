"""Small media made on the fly for tests (no data files to download)."""

from __future__ import annotations

import io
import math
import struct
import wave


def png_bytes(
    width: int = 640, height: int = 360, color: tuple[int, int, int] = (200, 80, 40)
) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, format="PNG")
    return buf.getvalue()


def wav_bytes(seconds: float = 4.0, freq: float = 440.0, rate: int = 48_000) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        frames = (
            int(12000 * math.sin(2 * math.pi * freq * i / rate)) for i in range(int(seconds * rate))
        )
        w.writeframes(b"".join(struct.pack("<h", f) for f in frames))
    return buf.getvalue()
