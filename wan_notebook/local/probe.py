"""``probe(path)``: what a media file holds, read back with PyAV.

The renderer reports what it wrote through it (``RenderInfo``); ``wan-notebook demo`` and
the tests describe results with it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import av

from ..errors import BadValueError
from ._checks import require


def probe(path: Path | str) -> dict[str, Any]:
    """Describe a media file with PyAV: container, streams and their real extents.

    Stream durations and the frame count come from the packets themselves (demuxed, not
    decoded), so they are right for WEBM too, whose streams carry no duration. The first
    video and audio streams are also summarised at the top level.
    """
    require(path, (str, os.PathLike), "path", "a path")
    path = Path(path)
    try:
        with av.open(str(path)) as container:
            streams = [_describe(s) for s in container.streams]
            spans = _packet_spans(container)
            fmt_name = container.format.name
            duration = container.duration / av.time_base if container.duration else None
    except (av.FFmpegError, OSError) as exc:
        msg = f"cannot probe {str(path)!r}: {exc}"
        raise BadValueError(msg) from exc
    for s in streams:
        start, end, count = spans.get(s["index"], (0.0, 0.0, 0))
        s["duration"] = round(end - max(start, 0.0), 6)
        s["packets"] = count
        if s["type"] == "video":
            s["frames"] = count
    video = next((s for s in streams if s["type"] == "video"), None)
    audio = next((s for s in streams if s["type"] == "audio"), None)
    return {
        "path": str(path),
        "format": fmt_name,
        "bytes": path.stat().st_size,
        "duration": duration
        if duration is not None
        else max((s["duration"] for s in streams), default=0.0),
        "streams": streams,
        "video_codec": video["codec"] if video else None,
        "audio_codec": audio["codec"] if audio else None,
        "width": video["width"] if video else None,
        "height": video["height"] if video else None,
        "fps": video["fps"] if video else None,
        "frames": video["frames"] if video else 0,
        "sample_rate": audio["sample_rate"] if audio else None,
        "channels": audio["channels"] if audio else None,
    }


def _describe(stream: Any) -> dict[str, Any]:
    ctx = stream.codec_context
    info: dict[str, Any] = {
        "index": stream.index,
        "type": stream.type,
        "codec": ctx.name if ctx else None,
    }
    if stream.type == "video":
        rate = stream.average_rate or stream.guessed_rate
        info.update(
            width=ctx.width,
            height=ctx.height,
            pix_fmt=ctx.pix_fmt,
            fps=float(rate) if rate else None,
        )
    elif stream.type == "audio":
        info.update(sample_rate=ctx.sample_rate, channels=ctx.channels)
    return info


def _packet_spans(container: Any) -> dict[int, tuple[float, float, int]]:
    spans: dict[int, tuple[float, float, int]] = {}
    for packet in container.demux():
        if packet.pts is None or packet.time_base is None:
            continue
        start = float(packet.pts * packet.time_base)
        end = float((packet.pts + (packet.duration or 0)) * packet.time_base)
        lo, hi, count = spans.get(packet.stream_index, (start, end, 0))
        spans[packet.stream_index] = (min(lo, start), max(hi, end), count + 1)
    return spans
