"""A first-frame image (``inputs.frameImages``): frame 0 is the image, then the clip moves away.

The image is cover-cropped to the output size, zooms slowly and dissolves into the first
shot, whose palette is taken from it; a faint ghost of it stays for the rest of that shot.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageOps

from ...errors import BadValueError
from ._canvas import Grid
from ._spec import F32, U8, RenderSpec, rng_for


@dataclass(frozen=True)
class Opening:
    """A first-frame image: shown exactly at frame 0, then zooms and dissolves away."""

    rgb: U8  # (H, W, 3), cover-cropped to the output size
    small: U8  # (2h, 2w, 3), for the faint ghost that stays inside the first shot
    focus: tuple[float, float]
    fade_frames: int
    shot_frames: int

    def zoom(self, i: int) -> float:
        return 1.0 + 0.12 * i / max(1, self.shot_frames)

    def sharp_weight(self, i: int) -> int:
        """0-256 weight of the full-resolution image; 256 at frame 0."""
        if i >= self.fade_frames:
            return 0
        u = i / self.fade_frames
        return round(256 * (1 - u * u * (3 - 2 * u)))

    def sharp(self, i: int) -> av.VideoFrame:
        height, width = self.rgb.shape[:2]
        frame = av.VideoFrame.from_ndarray(self._crop(self.rgb, i), format="rgb24")
        return frame.reformat(width, height, "yuv420p", interpolation="BILINEAR")

    def ghost(self, i: int, grid: Grid) -> F32:
        """The same zoom at procedural resolution (cropped from a 2x copy, for precision)."""
        crop = self._crop(self.small, i)
        frame = av.VideoFrame.from_ndarray(crop, format="rgb24")
        small = frame.reformat(grid.width, grid.height, interpolation="BILINEAR").to_ndarray()
        return small.transpose(2, 0, 1).astype(np.float32) * np.float32(1 / 255)

    def _crop(self, image: U8, i: int) -> U8:
        height, width = image.shape[:2]
        z = self.zoom(i)
        cw, ch = max(2, round(width / z)), max(2, round(height / z))
        x0 = round(self.focus[0] * (width - cw))
        y0 = round(self.focus[1] * (height - ch))
        return np.ascontiguousarray(image[y0 : y0 + ch, x0 : x0 + cw])


def _load_image(path: Path, width: int, height: int) -> U8:
    try:
        with Image.open(path) as im:
            upright = ImageOps.exif_transpose(im).convert("RGB")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        msg = f"first_frame: cannot read image {str(path)!r}: {exc}"
        raise BadValueError(msg) from exc
    fitted = ImageOps.fit(upright, (width, height), method=Image.Resampling.LANCZOS)
    return np.asarray(fitted, dtype=np.uint8)


def make_opening(key: bytes, path: Path, grid: Grid, spec: RenderSpec, shot_frames: int) -> Opening:
    rgb = _load_image(path, spec.width, spec.height)
    small_img = Image.fromarray(rgb).resize((2 * grid.width, 2 * grid.height), Image.Resampling.BOX)
    small = np.asarray(small_img, dtype=np.uint8)
    rng = rng_for(key, "opening")
    focus = (float(rng.uniform(0.3, 0.7)), float(rng.uniform(0.3, 0.7)))
    fade = max(1, min(round(1.5 * spec.fps), round(0.6 * shot_frames)))
    return Opening(rgb, small, focus, fade, shot_frames)


def image_palette(small: U8) -> F32:
    """Dark, middle and bright colours of the image, so the first shot grows out of it."""
    pixels = small.reshape(-1, 3).astype(np.float32) / 255.0
    order = np.argsort(pixels @ np.array([0.299, 0.587, 0.114], np.float32), kind="stable")
    picks = [pixels[order[int(q * (len(order) - 1))]] for q in (0.1, 0.5, 0.92)]
    return np.array(picks, dtype=np.float32)
