"""Small poster images of videos, as data URIs that keep saved notebooks to a few KB."""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from pathlib import Path
from typing import Final

__all__ = [
    "POSTER_BYTES",
    "POSTER_SIDE",
    "TILE_POSTER_BYTES",
    "TILE_POSTER_SIDE",
    "poster_data_uri",
]

# A saved notebook should cost at most 4 KB per shown video, poster included (issue 12; the
# markup around a video is about 1.2 KB, a notebook's own JSON 1-2 KB). So the poster of a
# saved preview is a blurred placeholder until Play (as BlurHash-style placeholders are): a
# small frame at a decent quality, which the browser scales up smoothly, rather than a
# bigger one at a low quality, which shows JPEG blocks. JPEG, as every renderer takes it.
POSTER_SIDE: Final = 160
POSTER_BYTES: Final = 480
TILE_POSTER_SIDE: Final = 128
TILE_POSTER_BYTES: Final = 480
_QUALITIES: Final = (70, 60, 50)
_SMALLEST_SIDE: Final = 48


def poster_data_uri(
    path: Path, *, width: int = POSTER_SIDE, max_bytes: int = POSTER_BYTES
) -> str | None:
    """A JPEG of the video's first frame, its longer side ``width`` px or less, at most
    ``max_bytes`` (it shrinks until it fits); None without PyAV/Pillow or a decodable frame."""
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return _poster(str(path), stat.st_mtime_ns, stat.st_size, width, max_bytes)


@lru_cache(maxsize=256)
def _poster(path: str, _mtime: int, _size: int, side: int, max_bytes: int) -> str | None:
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
    image = image.convert("RGB")
    while True:
        scale = side / max(image.width, image.height)
        small = image.resize(
            (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        )
        for quality in _QUALITIES:
            buf = io.BytesIO()
            small.save(buf, format="JPEG", quality=quality, optimize=True)
            if buf.tell() <= max_bytes:
                return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
        if side <= 64:  # a frame that will not fit even this small: keep the last try
            return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
        side = side * 3 // 4
