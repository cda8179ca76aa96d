"""Playable copies made once beside a result: H.264 + MP3 for VS Code, small tile copies."""

from __future__ import annotations

import os
import pathlib
from fractions import Fraction
from typing import Any

import pytest

from wan_notebook.widgets._media_copies import (
    CopyError,
    compat_copy,
    copy_name,
    sibling_url,
    tile_copy,
)

av = pytest.importorskip("av")
np = pytest.importorskip("numpy")

FPS = 24


def write(path: pathlib.Path, *, video: str, audio: str | None, size: tuple[int, int]) -> None:
    """One second of a moving bar, with a tone if ``audio`` names an encoder."""
    width, height = size
    with av.open(str(path), "w") as out:
        vs = out.add_stream(video, rate=FPS)
        vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
        if video == "libx264":
            vs.options = {"preset": "ultrafast"}
        rate = 48000
        aus = out.add_stream(audio, rate=rate) if audio else None
        for i in range(FPS):
            img = np.full((height, width, 3), 60, np.uint8)
            img[:, i * 4 : i * 4 + 4] = 255
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, FPS)
            out.mux(vs.encode(frame))
        out.mux(vs.encode())
        if aus is not None:
            fmt = "flt" if audio == "libopus" else "fltp"
            step = 960 if audio == "libopus" else 1024
            tone = (0.1 * np.sin(np.arange(rate) * 0.05)).astype(np.float32)
            for start in range(0, rate, step):
                chunk = tone[start : start + step].reshape(1, -1)
                af = av.AudioFrame.from_ndarray(chunk, format=fmt, layout="mono")
                af.sample_rate, af.pts = rate, start
                out.mux(aus.encode(af))
            out.mux(aus.encode())


def streams(path: pathlib.Path) -> dict[str, Any]:
    with av.open(str(path)) as f:
        found = {s.type: s.codec_context.name for s in f.streams}
        video = f.streams.video[0]
        found["width"] = video.codec_context.width
        found["seconds"] = round(float(f.duration or 0) / 1e6, 1)
        found["video_packets"] = [p.size for p in f.demux(video) if p.dts is not None and p.size]
    return found


@pytest.fixture
def aac_mp4(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "fox.mp4"
    write(path, video="libx264", audio="aac", size=(320, 180))
    return path


def test_an_aac_mp4_gets_mp3_sound_and_the_same_video_packets(aac_mp4: pathlib.Path) -> None:
    copy = compat_copy(aac_mp4)
    assert copy == aac_mp4.with_name("fox.compat.mp4")
    before, after = streams(aac_mp4), streams(copy)
    assert (after["video"], after["audio"]) == ("h264", "mp3float")
    assert after["video_packets"] == before["video_packets"]  # remuxed, not re-encoded
    assert after["seconds"] == pytest.approx(before["seconds"], abs=0.1)


def test_the_copy_is_made_once_and_remade_when_the_original_changes(
    aac_mp4: pathlib.Path,
) -> None:
    copy = compat_copy(aac_mp4)
    assert copy is not None
    made = copy.stat().st_mtime_ns
    assert compat_copy(aac_mp4) == copy
    assert copy.stat().st_mtime_ns == made  # reused
    later = copy.stat().st_mtime + 5
    os.utime(aac_mp4, (later, later))
    compat_copy(aac_mp4)
    assert copy.stat().st_mtime_ns != made
    assert not [p for p in aac_mp4.parent.iterdir() if p.name.startswith(".")]  # no temp left


def test_a_vp9_opus_webm_gets_an_h264_mp3_mp4(tmp_path: pathlib.Path) -> None:
    webm = tmp_path / "cat.webm"
    write(webm, video="libvpx-vp9", audio="libopus", size=(320, 180))
    copy = compat_copy(webm)
    assert copy is not None
    assert copy.name == "cat.compat.mp4"
    info = streams(copy)
    assert (info["video"], info["audio"], info["width"]) == ("h264", "mp3float", 320)
    assert info["seconds"] == pytest.approx(1.0, abs=0.15)


def test_nothing_to_do_for_a_silent_h264_mp4(tmp_path: pathlib.Path) -> None:
    silent = tmp_path / "silent.mp4"
    write(silent, video="libx264", audio=None, size=(320, 180))
    assert compat_copy(silent) is None
    assert not copy_name(silent, "compat").exists()


def test_an_unreadable_file_is_a_copy_error(tmp_path: pathlib.Path) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video")
    with pytest.raises(CopyError, match=r"broken\.mp4"):
        compat_copy(broken)
    with pytest.raises(CopyError, match=r"broken\.mp4"):
        tile_copy(broken, 320)


def test_a_tile_copy_is_small_and_silent(tmp_path: pathlib.Path) -> None:
    """A grid hears one tile at a time, from its original: copies carry no sound track,
    whose clock would stall under load and pull the tile out of step."""
    big = tmp_path / "big.mp4"
    write(big, video="libx264", audio="aac", size=(1280, 720))
    copy = tile_copy(big, 321)
    assert copy.name == "big.tile320.silent.mp4"
    info = streams(copy)
    assert (info["video"], info.get("audio"), info["width"]) == ("h264", None, 320)
    assert info["seconds"] == pytest.approx(1.0, abs=0.15)
    assert copy.stat().st_size < big.stat().st_size
    assert tile_copy(big, 320) == copy


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/files/wan_media/fox.mp4", "/files/wan_media/fox.compat.mp4"),
        ("/user/ann/files/a%20b/fox.mp4?x=1", "/user/ann/files/a%20b/fox.compat.mp4"),
        ("wan_media/fox.mp4", "wan_media/fox.compat.mp4"),
        ("fox.mp4", "fox.compat.mp4"),
        ("", ""),
    ],
)
def test_sibling_url(url: str, expected: str) -> None:
    assert sibling_url(url, "fox.compat.mp4") == expected


def test_a_tile_copy_of_a_webm_is_silent_h264(tmp_path: pathlib.Path) -> None:
    webm = tmp_path / "cat.webm"
    write(webm, video="libvpx-vp9", audio="libopus", size=(640, 360))
    info = streams(tile_copy(webm, 320))
    assert (info["video"], info.get("audio"), info["width"]) == ("h264", None, 320)
    assert info["seconds"] == pytest.approx(1.0, abs=0.15)
