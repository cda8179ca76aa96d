"""Small poster images of videos, as data URIs that keep saved notebooks to a few KB."""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from pathlib import Path


def poster_data_uri(path: Path, *, width: int = 256, max_bytes: int = 12_000) -> str | None:
    """A JPEG of the video's first frame, at most ``max_bytes``; None without PyAV/Pillow."""
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return _poster(str(path), stat.st_mtime_ns, stat.st_size, width, max_bytes)


@lru_cache(maxsize=256)
def _poster(path: str, _mtime: int, _size: int, width: int, max_bytes: int) -> str | None:
    try:
        import av
        from PIL import Image
    except ImportError:  # both come with the "local" extra; without them, no poster
        return None
    try:
        with av.open(path) as container:
            frame = next(container.decode(video=0))
            image: Image.Image = frame.to_image()
    except (OSError, StopIteration, ValueError, av.error.FFmpegError):
        return None
    height = max(1, round(image.height * width / image.width))
    image = image.convert("RGB").resize((width, height))
    for quality in (70, 55, 40, 25):
        buf = io.BytesIO()
        image.save(buf, format="JPEG", quality=quality, optimize=True)
        if buf.tell() <= max_bytes:
            break
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
