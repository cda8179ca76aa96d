"""Encoding: containers, codecs, sizes and lengths, bit-exact output, progress and atomic files.

Most clips are small and short to keep the suite quick on 2 cores; the format test renders
the real default, 1280x720 for 5 s with audio, in MP4 (the default format), and WEBM and MOV
at 320x180 (their codecs and containers do not depend on the size).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from tests.local.render.clips import SMALL, ffprobe, stream_end
from wan_notebook.local.probe import probe
from wan_notebook.local.render import RenderSpec, render
from wan_notebook.local.render._encode import ENCODINGS
from wan_notebook.request import catalog


@pytest.mark.parametrize(
    ("fmt", "size", "container", "video", "audio"),
    [
        ("MP4", (1280, 720), "mov,mp4,m4a,3gp,3g2,mj2", "h264", "aac"),
        ("WEBM", (320, 180), "matroska,webm", "vp9", "opus"),
        ("MOV", (320, 180), "mov,mp4,m4a,3gp,3g2,mj2", "h264", "aac"),
    ],
)
def test_each_format_has_its_codecs_and_container(
    tmp_path: Path, fmt: str, size: tuple[int, int], container: str, video: str, audio: str
) -> None:
    out = tmp_path / f"clip{catalog.FORMATS[fmt][0]}"
    info = render(RenderSpec(*size, 5, fmt=fmt, prompt="night market", seed=42), out)

    found = ffprobe(out)
    assert found["format"]["format_name"] == container
    streams = {s["codec_type"]: s for s in found["streams"]}
    assert set(streams) == {"video", "audio"}
    assert streams["video"]["codec_name"] == video
    assert (streams["video"]["width"], streams["video"]["height"]) == size
    assert streams["video"]["avg_frame_rate"] == "30/1"  # Wan 2.6 writes 30 fps
    assert streams["video"]["pix_fmt"] == "yuv420p"
    assert int(streams["video"]["nb_read_packets"]) == 150
    assert streams["audio"]["codec_name"] == audio
    assert (streams["audio"]["sample_rate"], streams["audio"]["channels"]) == ("48000", 2)
    assert float(found["format"]["duration"]) == pytest.approx(5, abs=0.1)
    assert stream_end(out, "audio") == pytest.approx(5, abs=0.1)
    assert stream_end(out, "video") == pytest.approx(5, abs=0.1)
    # RenderInfo and probe() agree with ffprobe.
    assert (info.video_codec, info.audio_codec, info.frames) == (video, audio, 150)
    assert info.bytes == out.stat().st_size
    assert probe(out)["format"] == container


@pytest.mark.parametrize("fmt", catalog.OUTPUT_FORMATS)
def test_every_format_probes_at_30_fps(clip: Callable[..., Path], fmt: str) -> None:
    path = clip(fmt=fmt, duration=1)
    info = probe(path)
    assert info["fps"] == 30.0 and info["frames"] == 30, (fmt, info["fps"], info["frames"])
    rate = next(s for s in ffprobe(path)["streams"] if s["codec_type"] == "video")
    assert rate["avg_frame_rate"] == "30/1"


def test_mp4_is_faststart(clip: Callable[..., Path]) -> None:
    data = clip(audio=True).read_bytes()
    assert 0 <= data.find(b"moov") < data.find(b"mdat")  # the browser can start playing at once


def test_format_tables_cover_every_output_format() -> None:
    assert set(catalog.FORMATS) == set(ENCODINGS) == set(catalog.OUTPUT_FORMATS)
    assert catalog.FORMATS["WEBM"][1] == "video/webm"


@pytest.mark.parametrize(("width", "height"), list(catalog.SIZES.values()))
def test_every_wan_size_renders_at_that_size(tmp_path: Path, width: int, height: int) -> None:
    out = tmp_path / "clip.mp4"
    render(RenderSpec(width, height, duration=0.25, audio=False), out)  # 6 frames is plenty
    video = next(s for s in ffprobe(out)["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (width, height)


@pytest.mark.parametrize("seconds", catalog.DURATIONS)
def test_video_and_audio_last_the_requested_duration(tmp_path: Path, seconds: int) -> None:
    out = tmp_path / "clip.mp4"
    render(RenderSpec(320, 180, seconds), out)
    assert float(ffprobe(out)["format"]["duration"]) == pytest.approx(seconds, abs=0.1)
    assert stream_end(out, "video") == pytest.approx(seconds, abs=0.1)
    assert stream_end(out, "audio") == pytest.approx(seconds, abs=0.1)
    assert probe(out)["frames"] == seconds * 30


def test_audio_off_writes_no_audio_stream(clip: Callable[..., Path]) -> None:
    streams = ffprobe(clip(audio=False))["streams"]
    assert [s["codec_type"] for s in streams] == ["video"]


def test_same_spec_writes_identical_bytes(clip: Callable[..., Path], tmp_path: Path) -> None:
    spec = replace(SMALL, fmt="WEBM", duration=1, audio=True, shot_type="multi")
    again = tmp_path / "again.webm"
    render(spec, again)
    assert clip(spec).read_bytes() == again.read_bytes()


def test_render_info_matches_the_file(tmp_path: Path) -> None:
    out = tmp_path / "clip.mov"
    info = render(replace(SMALL, fmt="MOV", audio=True), out)
    found = probe(out)
    assert info.path == out
    assert (info.width, info.height, info.fps, info.frames) == (640, 360, 30.0, 90)
    assert (info.video_codec, info.audio_codec) == (found["video_codec"], found["audio_codec"])
    assert info.duration == pytest.approx(3, abs=0.1)
    assert info.bytes == out.stat().st_size
    assert info.seconds_taken > 0
    assert (found["sample_rate"], found["channels"]) == (48_000, 2)


def test_progress_rises_to_one(tmp_path: Path) -> None:
    seen: list[float] = []
    render(replace(SMALL, duration=1), tmp_path / "clip.mp4", progress=seen.append)
    assert len(seen) == 31
    assert seen == sorted(seen)
    assert 0 < seen[0] < 0.1
    assert seen[-1] == 1.0


def test_failed_render_leaves_no_file(tmp_path: Path) -> None:
    def cancel(fraction: float) -> None:
        if fraction > 0.5:
            raise KeyboardInterrupt

    out = tmp_path / "clip.mp4"
    out.write_bytes(b"older result")
    with pytest.raises(KeyboardInterrupt):
        render(replace(SMALL, duration=1), out, progress=cancel)
    assert out.read_bytes() == b"older result"  # replaced only when complete
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mp4"]  # no temporary left
