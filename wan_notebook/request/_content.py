"""What is inside a media input, read from its header: its type, length and PNG transparency.

Cheap on purpose (the Builder re-checks on every change): the length is the container's own
figure, read by PyAV (the ``local`` extra) without decoding a frame; a WAV's also by the
standard library's ``wave``, which needs nothing installed. Without PyAV (or when it cannot
read the header) the length of an MP4, MOV or MP3 is not measured: ``Content.unmeasured``
says why, the request layer reports it as a note (never as an error), and the provider still
checks it. Transparency is read from the
PNG chunks (IHDR colour type, tRNS), so it needs no imaging library either.
"""

from __future__ import annotations

import functools
import io
import struct
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

Kind = Literal["image", "video", "audio"]

_PNG: Final = b"\x89PNG\r\n\x1a\n"
_ALPHA_COLOUR_TYPES: Final = (4, 6)  # grey + alpha, RGBA
NO_PYAV: Final = "PyAV is not installed (pip install 'wan-notebook[local]')"


@dataclass(frozen=True)
class Content:
    """What a media input holds, as far as its header tells."""

    seconds: float | None = None  # None: not measured (see ``unmeasured``) or not a clip
    alpha: bool = False  # a PNG with an alpha channel or a transparency chunk
    unmeasured: str | None = None  # why the length of a clip is unknown


def png_has_alpha(head: bytes) -> bool:
    """True when PNG bytes declare transparency: an alpha channel or a tRNS chunk.

    Only the chunks before the image data are read; the first 64 KB is plenty.
    """
    if not head.startswith(_PNG):
        return False
    pos = len(_PNG)
    while pos + 8 <= len(head):
        (length,) = struct.unpack(">I", head[pos : pos + 4])
        kind = head[pos + 4 : pos + 8]
        if kind == b"IHDR" and pos + 8 + 10 <= len(head) and head[pos + 17] in _ALPHA_COLOUR_TYPES:
            return True
        if kind == b"tRNS":
            return True
        if kind in (b"IDAT", b"IEND"):
            return False
        pos += 12 + length
    return False


def of_file(path: Path, kind: Kind) -> Content:
    """The content of a local file (cached while its size and mtime stay the same)."""
    stat = path.stat()
    return _of_file(str(path), stat.st_size, stat.st_mtime_ns, kind)


@functools.lru_cache(maxsize=64)
def _of_file(path: str, size: int, mtime_ns: int, kind: Kind) -> Content:
    if kind == "image":
        with open(path, "rb") as fh:
            return Content(alpha=png_has_alpha(fh.read(1 << 16)))
    return _clip(path, kind)


def of_data(data: bytes, kind: Kind) -> Content:
    """The content of media held in memory (bytes, a decoded data URI or base64)."""
    if kind == "image":
        return Content(alpha=png_has_alpha(data[: 1 << 16]))
    return _clip(io.BytesIO(data), kind)


def _clip(source: str | io.BytesIO, kind: Kind) -> Content:
    if kind == "audio":
        seconds = _wav_seconds(source)
        if seconds is not None:
            return Content(seconds=seconds)
    try:
        import av
    except ImportError:
        return Content(unmeasured=NO_PYAV)
    if isinstance(source, io.BytesIO):
        source.seek(0)
    try:
        with av.open(source) as container:
            return Content(seconds=_container_seconds(container, av.time_base))
    except (av.FFmpegError, OSError, ValueError) as exc:
        # Its type was sniffed already; a header PyAV cannot read is the provider's to judge.
        return Content(unmeasured=f"PyAV could not read its header ({type(exc).__name__})")


def _container_seconds(container: Any, time_base: int) -> float | None:
    if container.duration:
        return float(container.duration / time_base)
    spans = [
        float(s.duration * s.time_base) for s in container.streams if s.duration and s.time_base
    ]
    return max(spans) if spans else None


def _wav_seconds(source: str | io.BytesIO) -> float | None:
    """A PCM WAV's length from its header (standard library); None for anything else."""
    if isinstance(source, io.BytesIO):
        source.seek(0)
    try:
        with wave.open(source, "rb") as wav:
            rate = wav.getframerate()
            return wav.getnframes() / rate if rate else None
    except (wave.Error, EOFError, OSError):
        return None
