"""Encoding with PyAV, and ``render()``: a spec to a finished file, atomically.

Each output format has one ``Encoding`` (MP4 and MOV: H.264 + AAC, faststart; WEBM: VP9 +
Opus). ``render`` paints frames and the soundtrack on worker threads while this thread feeds
the encoders, writes to the package's temp name beside the target (``_files.temp_path``) and
moves the file into place only when it is complete. The muxers run bit-exact (no random IDs
or version strings); equal specs paint equal frames, and WEBM bytes are checked equal, but
x264 was once seen to write different MP4 bytes for the same frames (tests/render_cache.py).
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Final, Literal

import av
import numpy as np
from av.audio.stream import AudioStream
from av.container import OutputContainer
from av.video.stream import VideoStream

from ..._files import temp_path
from ...request import catalog
from .._checks import require, require_callable
from ..probe import probe
from ._audio import load_audio, soundtrack
from ._picture import Painter, make_painter
from ._plan import finish_sound, mark_frames, plan
from ._spec import F32, SAMPLE_RATE, RenderInfo, RenderSpec, shot_bounds, spec_key, validate


@dataclass(frozen=True)
class Encoding:
    """How one output format is written: container, codecs and their native sample format."""

    muxer: str
    video: Literal["libx264", "libvpx-vp9"]
    audio: Literal["aac", "libopus"]
    audio_frame: int  # samples per encoder frame
    sample_format: str  # what the audio encoder takes natively
    options: dict[str, str]


ENCODINGS: Final[dict[str, Encoding]] = {
    "MP4": Encoding("mp4", "libx264", "aac", 1024, "fltp", {"movflags": "+faststart"}),
    "WEBM": Encoding("webm", "libvpx-vp9", "libopus", 960, "flt", {}),
    "MOV": Encoding("mov", "libx264", "aac", 1024, "fltp", {"movflags": "+faststart"}),
}


def _crf(quality: int, worst: int, best: int) -> int:
    """Map outputQuality 20-99 linearly onto an encoder's crf scale."""
    low, high = catalog.QUALITY_RANGE
    u = (quality - low) / (high - low)
    return round(worst + u * (best - worst))


def add_video(container: OutputContainer, spec: RenderSpec, fmt: Encoding) -> VideoStream:
    if fmt.video == "libx264":
        # ultrafast: 1.35 CPU-s per 720p 5 s clip against veryfast's 3.06, files ~40% larger
        # (bench/bench_render.py). The engine stands in for a remote model: speed matters more
        # than bytes, and the stream (no CABAC, no B-frames) also decodes cheaper in a grid.
        options = {"preset": "ultrafast", "crf": str(_crf(spec.quality, 40, 18))}
    else:  # realtime + cpu-used 8 + row-mt: ~5x faster than libvpx's default deadline
        options = {
            "deadline": "realtime",
            "cpu-used": "8",
            "row-mt": "1",
            "crf": str(_crf(spec.quality, 52, 20)),
        }
    stream = container.add_stream(fmt.video, rate=spec.fps, options=options)
    stream.width, stream.height, stream.pix_fmt = spec.width, spec.height, "yuv420p"
    stream.codec_context.gop_size = 2 * spec.fps  # a keyframe every 2 s keeps seeking snappy
    stream.codec_context.color_range = 1  # limited (MPEG) range, what swscale produced
    stream.codec_context.colorspace = 6  # BT.601 (smpte170m): the matrix swscale used
    if fmt.video == "libx264":
        stream.codec_context.thread_type = "FRAME"  # x264 frame threads: ~15% faster than slices
    else:
        stream.codec_context.bit_rate = 0  # constant quality (crf only)
    return stream


def add_audio(container: OutputContainer, fmt: Encoding) -> AudioStream:
    # FFmpeg's "fast" AAC coder: about a quarter of the default coder's CPU time at the same
    # bitrate (bench/bench_render.py). As with x264's ultrafast, the engine stands in for a
    # remote model: speed matters more than the last bit of sound quality.
    options = {"aac_coder": "fast"} if fmt.audio == "aac" else {}
    stream = container.add_stream(fmt.audio, rate=SAMPLE_RATE, layout="stereo", options=options)
    stream.codec_context.format = fmt.sample_format
    stream.bit_rate = 128_000
    return stream


def audio_frame(pcm: F32, start: int, fmt: Encoding) -> av.AudioFrame:
    chunk = pcm[:, start : start + fmt.audio_frame]
    if fmt.sample_format == "flt":  # interleaved L R L R ...
        data = np.ascontiguousarray(chunk.T).reshape(1, -1)
    else:
        data = np.ascontiguousarray(chunk)
    frame = av.AudioFrame.from_ndarray(data, format=fmt.sample_format, layout="stereo")
    frame.sample_rate = SAMPLE_RATE
    frame.pts = start
    frame.time_base = Fraction(1, SAMPLE_RATE)
    return frame


@dataclass
class _AudioFeed:
    """Pushes audio up to the current video time, so the file is interleaved as it grows."""

    container: OutputContainer
    stream: AudioStream
    pcm: F32
    fmt: Encoding
    sent: int = 0

    def until(self, samples: int) -> None:
        samples = min(samples, self.pcm.shape[1])
        while self.sent < samples:
            frame = audio_frame(self.pcm, self.sent, self.fmt)
            self.container.mux(self.stream.encode(frame))
            self.sent += frame.samples

    def finish(self) -> None:
        self.until(self.pcm.shape[1])
        self.container.mux(self.stream.encode(None))


_LOOKAHEAD: Final = 6  # frames painted ahead of the encoder


def render(
    spec: RenderSpec,
    out_path: Path,
    *,
    progress: Callable[[float], None] | None = None,
) -> RenderInfo:
    """Render `spec` to `out_path` atomically and return what the file holds.

    `progress(fraction)` is called after every encoded frame and with 1.0 once the file is
    in place; an exception raised from it aborts the render and leaves no file behind.
    Raises ValueError naming the field for a bad spec or an unreadable input file.
    """
    started = time.perf_counter()
    validate(spec)
    require(out_path, (str, os.PathLike), "out_path", "a path")
    require_callable(progress, "progress")
    out_path = Path(out_path)
    key = spec_key(spec)
    n_frames = round(spec.duration * spec.fps)
    n_samples = round(n_frames / spec.fps * SAMPLE_RATE)  # exactly the video's length
    cuts = shot_bounds(key, spec, n_frames)
    marks = mark_frames(key, spec, cuts)
    painter = make_painter(spec, key, cuts, marks)
    pcm = load_audio(Path(spec.audio_input), n_samples) if spec.audio_input else None
    if pcm is not None:
        pcm = finish_sound(key, spec, pcm, marks)

    tmp = temp_path(out_path)  # the package's one temp naming, which recovery sweeps
    # Painting and the soundtrack run on worker threads while this one feeds the encoders:
    # numpy, swscale and avcodec_send_frame release the GIL, so both cores stay busy.
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="wan-render")
    try:
        if pcm is None and spec.audio:
            sound: Future[F32] | None = pool.submit(_generated, key, spec, cuts, marks, n_samples)
        else:
            sound = _done(pcm) if pcm is not None else None
        _encode(spec, painter, sound, pool, tmp, n_frames, progress)
        os.replace(tmp, out_path)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        tmp.unlink(missing_ok=True)

    info = probe(out_path)
    if progress is not None:
        progress(1.0)
    return RenderInfo(
        path=out_path,
        width=int(info["width"]),
        height=int(info["height"]),
        duration=float(info["duration"]),
        fps=float(info["fps"]),
        video_codec=str(info["video_codec"]),
        audio_codec=info["audio_codec"],
        frames=int(info["frames"]),
        bytes=int(info["bytes"]),
        seconds_taken=time.perf_counter() - started,
        plan=plan(spec, cuts, marks),
    )


def _generated(key: bytes, spec: RenderSpec, cuts: list[int], marks: list[int], n: int) -> F32:
    return finish_sound(key, spec, soundtrack(key, spec, cuts, n), marks)


def _done(value: F32) -> Future[F32]:
    future: Future[F32] = Future()
    future.set_result(value)
    return future


def _encode(
    spec: RenderSpec,
    painter: Painter,
    sound: Future[F32] | None,
    pool: ThreadPoolExecutor,
    path: Path,
    n_frames: int,
    progress: Callable[[float], None] | None,
) -> None:
    fmt = ENCODINGS[spec.fmt.upper()]
    # bitexact: no random segment UID or version strings in the container.
    options = {**fmt.options, "fflags": "+bitexact"}
    with av.open(str(path), "w", format=fmt.muxer, options=options) as out:
        video = add_video(out, spec, fmt)
        audio = add_audio(out, fmt) if sound is not None else None
        feed: _AudioFeed | None = None
        ahead = deque(pool.submit(painter.frame, i) for i in range(min(_LOOKAHEAD, n_frames)))
        for i in range(n_frames):
            frame = ahead.popleft().result()
            if i + _LOOKAHEAD < n_frames:
                ahead.append(pool.submit(painter.frame, i + _LOOKAHEAD))
            out.mux(video.encode(frame))
            if sound is not None and audio is not None:
                # Waiting here (not at the end) keeps packet order, and so the bytes, fixed.
                feed = feed or _AudioFeed(out, audio, sound.result(), fmt)
                feed.until(round((i + 1) / spec.fps * SAMPLE_RATE))
            if progress is not None:
                progress((i + 1) / (n_frames + 1))
        out.mux(video.encode(None))
        if feed is not None:
            feed.finish()
