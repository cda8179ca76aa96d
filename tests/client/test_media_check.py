"""Is a downloaded file the video asked for? Header facts against real clips and bad files."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from tests.client.conftest import SAMPLE_SECONDS, SAMPLE_SIZE
from wan_notebook.client._answers import VideoResult
from wan_notebook.client._media_check import (
    ExpectedVideo,
    check_video,
    expected_video,
    read_header,
)
from wan_notebook.local.probe import probe
from wan_notebook.request.models import VideoRequest

W, H = SAMPLE_SIZE


@pytest.mark.parametrize(("fmt", "container"), [("MP4", "mp4"), ("WEBM", "webm"), ("MOV", "mov")])
def test_the_header_agrees_with_a_full_probe(
    videos: dict[str, Path], fmt: str, container: str
) -> None:
    info = read_header(videos[fmt])
    full = probe(videos[fmt])  # PyAV, every packet demuxed
    assert info.container == container and not info.truncated
    assert (info.width, info.height) == (full["width"], full["height"]) == SAMPLE_SIZE
    assert info.duration == pytest.approx(full["duration"], abs=0.05)
    assert check_video(videos[fmt], ExpectedVideo(fmt, W, H, SAMPLE_SECONDS)) == []


@pytest.mark.parametrize(
    ("asked", "problem"),
    [
        (ExpectedVideo("WEBM", W, H, SAMPLE_SECONDS), "container is mp4, not WEBM"),
        (ExpectedVideo("MOV", W, H, SAMPLE_SECONDS), "container is mp4, not MOV"),
        (ExpectedVideo("MP4", 1280, 720, SAMPLE_SECONDS), "video is 256x144, not 1280x720"),
        (ExpectedVideo("MP4", W, H, 5.0), "lasts 2.00 s, not 5 s"),
    ],
)
def test_each_mismatch_is_named(
    videos: dict[str, Path], asked: ExpectedVideo, problem: str
) -> None:
    assert check_video(videos["MP4"], asked) == [problem]


def test_duration_within_ten_percent_passes_and_beyond_fails(videos: dict[str, Path]) -> None:
    assert check_video(videos["MP4"], ExpectedVideo("MP4", duration=2.2)) == []
    assert check_video(videos["MP4"], ExpectedVideo("MP4", duration=2.25)) != []


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html><body>Service unavailable</body></html>",
        b'{"errors": [{"code": "notFound"}]}',
        b"",
        b"x",
    ],
    ids=["html", "json", "empty", "one-byte"],
)
def test_what_is_not_a_video_is_refused(tmp_path: Path, body: bytes) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(body)
    (problem,) = check_video(path, ExpectedVideo("MP4", W, H, SAMPLE_SECONDS))
    assert problem.startswith("not a video container")


def test_a_file_cut_short_is_refused(videos: dict[str, Path], tmp_path: Path) -> None:
    data = videos["MP4"].read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) * 2 // 3])  # the moov is first; the mdat is cut
    assert "the file is cut short" in check_video(cut, ExpectedVideo("MP4", W, H, SAMPLE_SECONDS))
    webm = videos["WEBM"].read_bytes()
    cut.write_bytes(webm[: len(webm) // 2])
    assert "the file is cut short" in check_video(cut, ExpectedVideo("WEBM", W, H, SAMPLE_SECONDS))


def test_a_webm_without_duration_is_timed_by_its_last_cluster(
    videos: dict[str, Path], tmp_path: Path
) -> None:
    data = bytearray(videos["WEBM"].read_bytes())
    at = data.index(b"\x44\x89\x88")  # Duration, an 8-byte float
    data[at : at + 11] = b"\xec\x89" + b"\0" * 9  # the same 11 bytes as a Void element
    path = tmp_path / "live.webm"
    path.write_bytes(bytes(data))
    info = read_header(path)
    assert info.duration == pytest.approx(SAMPLE_SECONDS, rel=0.1)
    assert check_video(path, ExpectedVideo("WEBM", W, H, SAMPLE_SECONDS)) == []


def test_an_audio_only_file_has_no_video_track(tmp_path: Path) -> None:
    import av

    path = tmp_path / "sound.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("aac", rate=48000)
        frame = av.AudioFrame(format="fltp", layout="stereo", samples=1024)
        for plane in frame.planes:
            plane.update(b"\0" * plane.buffer_size)
        frame.sample_rate = 48000
        for i in range(50):
            frame.pts = i * 1024
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    assert "no video track" in check_video(path, ExpectedVideo("MP4", W, H, 1.0))


def test_a_64_bit_mvhd_is_read(tmp_path: Path) -> None:
    mvhd = struct.pack(">B3xQQIQ", 1, 0, 0, 1000, 5000) + b"\0" * 80
    moov = _box(b"moov", _box(b"mvhd", mvhd) + _track(640, 360))
    path = tmp_path / "v1.mp4"
    path.write_bytes(_box(b"ftyp", b"isom\0\0\0\0isom") + moov)
    info = read_header(path)
    assert (info.container, info.width, info.height, info.duration) == ("mp4", 640, 360, 5.0)


def test_expected_video_follows_the_request_and_skips_the_size_of_tiny_or_small_results() -> None:
    request = VideoRequest.build("a fox", size="1920x1080", duration=10, fmt="WEBM")
    assert expected_video(request) == ExpectedVideo("WEBM", 1920, 1080, 10.0)
    for mode in ("tiny", "small"):
        local = VideoResult.model_validate(
            {
                "taskUUID": "u",
                "videoUUID": "v",
                "videoURL": "http://127.0.0.1:8123/media/v.webm",
                "localRenderMode": mode,
            }
        )
        assert expected_video(request, local) == ExpectedVideo("WEBM", None, None, 10.0)


def test_a_render_mode_claimed_by_a_server_elsewhere_does_not_skip_the_size_check() -> None:
    request = VideoRequest.build("a fox", size="1920x1080", duration=10, fmt="WEBM")
    for url in ("https://im.runware.ai/video/v.webm", None):
        claimed = VideoResult.model_validate(
            {"taskUUID": "u", "videoUUID": "v", "videoURL": url, "localRenderMode": "tiny"}
        )
        assert expected_video(request, claimed) == ExpectedVideo("WEBM", 1920, 1080, 10.0)


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _track(width: int, height: int) -> bytes:
    tkhd = b"\0" * 76 + struct.pack(">II", width << 16, height << 16)
    hdlr = b"\0" * 8 + b"vide" + b"\0" * 12
    return _box(b"trak", _box(b"tkhd", tkhd) + _box(b"mdia", _box(b"hdlr", hdlr)))
