"""One decoding pass over a video: its frames, reduced to small luma images.

The decoder runs frame-threaded on every core; each decoded frame goes through one ffmpeg
filter graph, ``scale`` (area-averaged, longest side ``ANALYSIS_SIDE`` pixels) ->
``format=gray``, so the picture is reduced in C before Python sees it. The scaling adds a few
percent to the decoding (``bench/bench_metrics.py``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ..errors import MediaError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

ANALYSIS_SIDE: Final = 256  # pixels of the longest side every picture metric sees


@dataclass(frozen=True)
class VideoTrack:
    """What the picture metrics read: the stream's facts and its reduced frames."""

    width: int  # of the file, not of the analysis
    height: int
    fps: float
    duration_s: float
    start: float  # seconds of the first frame, on the container's clock
    times: NDArray[np.float64]  # (n,) seconds from the first frame
    luma: NDArray[np.uint8]  # (n, h, w) reduced luma


def analysis_size(width: int, height: int) -> tuple[int, int]:
    """The reduced size: longest side ``ANALYSIS_SIDE``, even, never upscaled."""
    scale = min(1.0, ANALYSIS_SIDE / max(width, height))
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def decode_video(path: Path) -> VideoTrack:
    """Decode every frame of the first video stream once. Raises MediaError if the file has
    no video stream or cannot be decoded."""
    import av
    import numpy as np

    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise MediaError(f"{path.name}: no video stream to measure")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            graph, size = _graph(stream)
            frames: list[Any] = []
            for frame in container.decode(stream):
                graph.vpush(frame)
                frames += _drain(graph)
            graph.vpush(None)
            frames += _drain(graph)
            rate = stream.average_rate or stream.guessed_rate
            width, height = stream.codec_context.width, stream.codec_context.height
            container_s = container.duration / av.time_base if container.duration else None
    except av.FFmpegError as exc:
        raise MediaError(f"{path.name}: cannot decode the video ({exc})") from exc
    if not frames:
        raise MediaError(f"{path.name}: the video stream has no frames")
    stamps = np.array([f.time if f.time is not None else np.nan for f in frames], np.float64)
    fps = float(rate) if rate else _fps_from(stamps)
    times = _times(stamps, fps)
    start = float(stamps[0]) if np.isfinite(stamps[0]) else 0.0
    luma = np.stack([_gray(f, size) for f in frames])
    duration = container_s if container_s else float(times[-1]) + 1.0 / fps
    return VideoTrack(width, height, fps, duration, start, times, luma)


def _graph(stream: Any) -> tuple[Any, tuple[int, int]]:
    import av

    size = analysis_size(stream.codec_context.width, stream.codec_context.height)
    graph = av.filter.Graph()
    chain = [
        graph.add_buffer(template=stream),
        graph.add("scale", f"{size[0]}:{size[1]}:flags=area"),
        graph.add("format", "gray"),
        graph.add("buffersink"),
    ]
    for a, b in itertools.pairwise(chain):
        a.link_to(b)
    graph.configure()
    return graph, size


def _drain(graph: Any) -> list[Any]:
    import av

    out = []
    while True:
        try:
            out.append(graph.vpull())
        except (av.BlockingIOError, av.EOFError):
            return out


def _gray(frame: Any, size: tuple[int, int]) -> NDArray[np.uint8]:
    import numpy as np

    plane = frame.planes[0]
    rows = np.frombuffer(plane, np.uint8).reshape(size[1], plane.line_size)
    return rows[:, : size[0]]


def _fps_from(stamps: NDArray[np.float64]) -> float:
    import numpy as np

    steps = np.diff(stamps[np.isfinite(stamps)])
    steps = steps[steps > 0]
    return float(1.0 / np.median(steps)) if steps.size else 24.0


def _times(stamps: NDArray[np.float64], fps: float) -> NDArray[np.float64]:
    """Seconds from the first frame; frames without a timestamp get their index / fps."""
    import numpy as np

    if not np.isfinite(stamps).all():
        return np.arange(stamps.size, dtype=np.float64) / fps
    relative: NDArray[np.float64] = stamps - stamps[0]
    return relative
