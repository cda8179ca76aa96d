"""``VideoMetrics``, and measuring one file: a picture pass and a sound pass, side by side.

The sound is decoded and metered on a worker thread while this one decodes the picture:
ffmpeg, numpy and scipy release the GIL, and the picture pass is the longer one, so the
sound costs almost nothing on top (see ``bench/bench_metrics.py``).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Final

from . import _audio, _picture, _sync
from ._video import decode_video

# Bump when a formula changes: cached measurements of another version are measured again.
METRICS_VERSION: Final = 2


@dataclass(frozen=True)
class VideoMetrics:
    """What a video file measures (see each module for the formulas).

    - ``duration_s``, ``fps``, ``width``, ``height``: of the file's first video stream.
    - ``has_audio``: the file has an audio stream (a silent one counts).
    - ``shot_count``, ``cut_times``: shots, and the seconds (from the first frame) where
      each shot after the first starts (``_picture``: a drop in frame-to-frame correlation).
    - ``flicker``: frame-to-frame luminance instability, percent of the luma range
      (``_picture``: mean |second difference in time| of 8 x 8 block means). 0 is steady.
    - ``motion``: frame-difference energy without the global brightness change, percent.
    - ``loudness_lufs``: ITU-R BS.1770-4 integrated loudness; -70.0 for digital silence,
      None without audio. ``silence_ratio``: share of 400 ms blocks under -60 LUFS.
    - ``av_offset_ms``: sound events against picture events, positive when the sound is
      late (``_sync``); None when not estimable.
    - ``phash``: 64-bit perceptual hash of the middle frame, 16 hex digits (imagehash);
      the Hamming distance between two tells how alike they look.
    """

    duration_s: float
    fps: float
    width: int
    height: int
    has_audio: bool
    shot_count: int
    cut_times: tuple[float, ...]
    flicker: float | None
    motion: float | None
    loudness_lufs: float | None
    silence_ratio: float | None
    av_offset_ms: float | None
    phash: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (``cut_times`` as a list)."""
        out = asdict(self)
        out["cut_times"] = list(self.cut_times)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VideoMetrics:
        values = {f.name: data[f.name] for f in fields(cls)}
        values["cut_times"] = tuple(float(t) for t in values["cut_times"])
        return cls(**values)


def metric_names() -> list[str]:
    """The metric columns, in order."""
    return [f.name for f in fields(VideoMetrics)]


def measure(path: Path) -> VideoMetrics:
    """Measure one file (no cache). Raises MediaError for a file that cannot be decoded."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="wan-metrics") as pool:
        sound = pool.submit(_sound, path)
        video = decode_video(path)
        scores = _picture.cut_scores(video)
        cuts = _picture.cut_frames(video, scores)
        energy = _picture.motion_energy(video)
        picture_events = (video.start + video.times[1:], _picture.change_energy(scores))
        has_audio, lufs, silence, onsets = sound.result()
    offset = _sync.av_offset_ms(picture_events, onsets) if onsets is not None else None
    return VideoMetrics(
        duration_s=round(video.duration_s, 3),
        fps=round(video.fps, 3),
        width=video.width,
        height=video.height,
        has_audio=has_audio,
        shot_count=len(cuts) + 1,
        cut_times=tuple(round(float(video.times[c]), 3) for c in cuts),
        flicker=_rounded(_picture.flicker(video, cuts)),
        motion=_rounded(_picture.motion(energy, cuts)),
        loudness_lufs=_rounded(lufs, 2),
        silence_ratio=_rounded(silence),
        av_offset_ms=_rounded(offset, 1),
        phash=_picture.phash(video),
    )


def _sound(path: Path) -> tuple[bool, float | None, float | None, Any]:
    track = _audio.decode_audio(path)
    if track is None:
        return False, None, None, None
    lufs, silence = _audio.loudness(track)
    return True, lufs, silence, _audio.onset_envelope(track)


def _rounded(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)
