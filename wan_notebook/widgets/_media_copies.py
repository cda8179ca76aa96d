"""Copies of a result that a weaker host can play, made once with PyAV and kept beside it.

- :func:`compat_copy` (``name.compat.mp4``): H.264 video and MP3 sound in MP4, for hosts
  without AAC, Opus or VP9 decoders (VS Code's Electron has none of them: an MP4 with AAC
  plays silently there, a WEBM not at all). The video is remuxed when it already is H.264
  (fast: only the sound is re-encoded), re-encoded otherwise.
- :func:`tile_copy` (``name.tile<width>.silent.mp4``): a small silent H.264 copy for a grid
  tile, so a 16-tile grid of 1080p results does not make the browser decode 16 full streams
  (nor 16 sound tracks: the tile you hear plays its original).

A copy is reused while it is newer than its original, and written through a temp file
(``_files.atomic_writer``): a half-written copy is never served. Needs PyAV (the ``local``
extra); without it no copy is made and the views keep the original.
"""

from __future__ import annotations

import contextlib
import pathlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from fractions import Fraction
from typing import Any
from urllib.parse import quote

from .._files import atomic_writer
from ..errors import CopyError

__all__ = [
    "CopyError",
    "compat_copy",
    "copy_answer",
    "copy_name",
    "in_background",
    "sibling_url",
    "tile_copy",
]

_COMPAT = "compat"


def copy_name(original: pathlib.Path, kind: str) -> pathlib.Path:
    """``fox.mp4`` -> ``fox.compat.mp4`` (or ``fox.tile480.mp4``), beside the original."""
    return original.with_name(f"{original.stem}.{kind}.mp4")


def sibling_url(url: str, name: str) -> str:
    """The URL of file ``name`` in the same folder as ``url`` ("" stays "")."""
    if not url:
        return ""
    folder, _, _ = url.partition("?")[0].rpartition("/")
    return f"{folder}/{quote(name)}" if folder or url.startswith("/") else quote(name)


_workers: ThreadPoolExecutor | None = None


def in_background(fn: Callable[..., object], *args: object) -> Future[object]:
    """Run ``fn(*args)`` on a small shared pool (two threads: PyAV leaves the GIL while
    it codes, and the kernel must stay free for the user's cells)."""
    global _workers  # one pool per kernel, made on first use
    if _workers is None:
        _workers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="wan-copy")
    return _workers.submit(fn, *args)


def _fresh(copy: pathlib.Path, original: pathlib.Path) -> bool:
    try:
        return copy.stat().st_mtime >= original.stat().st_mtime
    except OSError:
        return False


def _av() -> Any:
    try:
        import av
    except ImportError as exc:  # pragma: no cover - the test extra installs PyAV
        msg = "making a playable copy needs PyAV: pip install 'wan-notebook[local]'"
        raise CopyError(msg) from exc
    return av


def compat_copy(original: pathlib.Path) -> pathlib.Path | None:
    """The H.264 + MP3 copy of ``original``, made if needed; ``None`` when the file is
    already H.264 with MP3 (or no) sound in MP4, so nothing would change."""
    dest = copy_name(original, _COMPAT)
    if _fresh(dest, original):
        return dest
    with _open_streams(original, "a playable copy") as (av, source, video, audio):
        remux_video = video.codec_context.name == "h264"
        fix_audio = audio is not None and audio.codec_context.name not in ("mp3", "mp3float")
        if remux_video and not fix_audio and original.suffix.lower() == ".mp4":
            return None
        with atomic_writer(dest, "w+b", durable=False) as fh:
            _write(av, source, video, audio, fh, remux_video=remux_video)
    return dest


def copy_answer(
    original: pathlib.Path, reason: str, src: str, fallback_src: str
) -> tuple[pathlib.Path | None, dict[str, str]]:
    """The compat copy of ``original`` (made if needed) and the message that tells the
    browser where it is (``{"type": "copy", ...}``), or ``None`` and why not
    (``{"type": "no_copy", "message": ...}``). ``reason``: what the host cannot decode,
    ``"video"`` or ``"audio"``; ``src``/``fallback_src``: the original's URLs."""
    try:
        copy = compat_copy(original)
    except CopyError as exc:
        return None, {"type": "no_copy", "message": str(exc)}
    if copy is None:
        return None, {"type": "no_copy", "message": "The file needs no copy."}
    note = (
        "Playing an H.264 copy: this browser cannot play the original."
        if reason == "video"
        else "Playing a copy with MP3 sound: this browser cannot decode the original's."
    )
    urls = {
        "src": sibling_url(src, copy.name),
        "fallback_src": sibling_url(fallback_src, copy.name),
    }
    return copy, {"type": "copy", **urls, "mime": "video/mp4", "note": note}


@contextlib.contextmanager
def _open_streams(original: pathlib.Path, what: str) -> Iterator[tuple[Any, Any, Any, Any]]:
    """PyAV, ``original`` opened with it, its video stream and its audio stream (or None).
    A file without video, or any read or write error in the block, is a ``CopyError``."""
    av = _av()
    try:
        with av.open(str(original)) as source:
            video = next(iter(source.streams.video), None)
            audio = next(iter(source.streams.audio), None)
            if video is None:
                raise CopyError(f"{original.name} has no video track")
            yield av, source, video, audio
    except (OSError, av.FFmpegError) as exc:
        raise CopyError(f"cannot make {what} of {original.name}: {exc}") from exc


def _write(av: Any, source: Any, video: Any, audio: Any, fh: Any, *, remux_video: bool) -> None:
    with av.open(fh, "w", format="mp4", options={"movflags": "+faststart"}) as out:
        if remux_video:
            out_video = out.add_stream_from_template(video)
        else:
            out_video = _h264_stream(out, video, video.codec_context.width)
        out_audio = _mp3_stream(out, audio) if audio is not None else None
        streams = [s for s in (video, audio) if s is not None]
        index = 0
        for packet in source.demux(*streams):
            if packet.stream is video:
                if remux_video:
                    if packet.dts is None:
                        continue
                    packet.stream = out_video
                    out.mux(packet)
                else:
                    for frame in packet.decode():
                        out.mux(out_video.encode(_video_frame(frame, out_video, index)))
                        index += 1
            elif out_audio is not None:
                _mux_mp3(out, out_audio, packet)
        if not remux_video:
            out.mux(out_video.encode())
        if out_audio is not None:
            out.mux(out_audio.encode())


def _mp3_stream(out: Any, audio: Any) -> Any:
    stream = out.add_stream("libmp3lame", rate=audio.codec_context.sample_rate)
    stream.bit_rate = 160_000
    return stream


def _mux_mp3(out: Any, stream: Any, packet: Any) -> None:
    for frame in packet.decode():
        frame.pts = None  # the encoder re-times its own 1152-sample frames
        out.mux(stream.encode(frame))


def _h264_stream(out: Any, video: Any, width: int, *, crf: int = 20) -> Any:
    """An H.264 output stream of ``width`` px (even), the height in proportion."""
    ctx = video.codec_context
    height = max(2, round(ctx.height * width / max(1, ctx.width) / 2) * 2)
    rate = video.average_rate or Fraction(24)
    stream = out.add_stream("libx264", rate=rate)
    stream.width, stream.height, stream.pix_fmt = max(2, width // 2 * 2), height, "yuv420p"
    stream.options = {"preset": "veryfast", "crf": str(crf)}
    stream.codec_context.gop_size = max(1, round(float(rate) / 2))  # keyframe each 0.5 s
    return stream


def _video_frame(frame: Any, stream: Any, index: int) -> Any:
    if (frame.width, frame.height, frame.format.name) != (stream.width, stream.height, "yuv420p"):
        frame = frame.reformat(width=stream.width, height=stream.height, format="yuv420p")
    frame.pts, frame.time_base = index, 1 / Fraction(stream.codec_context.framerate)
    return frame


def tile_copy(original: pathlib.Path, width: int) -> pathlib.Path:
    """A small silent H.264 copy of ``original``, ``width`` px wide, made if needed
    (``name.tile<width>.silent.mp4``).

    Silent because a grid is heard through one sound element playing the heard tile's
    original (js/src/grid_sound.js): in Chromium a playing element's clock follows its
    sound track, which takes 50-100 ms to start at each Play and loop and stalls under
    CPU load, while video-only tiles keep within a few ms of each other.
    """
    width = max(16, int(width) // 2 * 2)
    dest = copy_name(original, f"tile{width}.silent")
    if _fresh(dest, original):
        return dest
    with _open_streams(original, "a tile copy") as (av, source, video, _audio):
        video.thread_type = "AUTO"
        with (
            atomic_writer(dest, "w+b", durable=False) as fh,
            av.open(fh, "w", format="mp4", options={"movflags": "+faststart"}) as out,
        ):
            stream = _h264_stream(out, video, width, crf=26)
            index = 0
            for packet in source.demux(video):
                for frame in packet.decode():
                    out.mux(stream.encode(_video_frame(frame, stream, index)))
                    index += 1
            out.mux(stream.encode())
    return dest
