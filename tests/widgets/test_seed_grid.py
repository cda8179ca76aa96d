"""SeedGrid: a tile's file in chunks by key, and small tile copies on request."""

from __future__ import annotations

import pathlib
import time
from typing import Any

import pytest

from wan_notebook.widgets import SeedGrid

from .test_widgets import browser_message, four_tiles


def test_grid_sends_a_tiles_file_in_chunks_by_key(
    tmp_path: pathlib.Path, sent_with_buffers: list[tuple[dict[str, Any], list[bytes]]]
) -> None:
    file = tmp_path / "s2.mp4"
    file.write_bytes(b"\x00" * 10)
    grid = SeedGrid(tiles=four_tiles())
    grid.set_files({"s2": file})
    browser_message(grid, {"type": "need_bytes", "key": "s2"})
    (start, _), (chunk, buffers) = sent_with_buffers
    assert (start["type"], start["key"], start["size"]) == ("bytes_start", "s2", 10)
    assert (chunk["type"], chunk["key"], buffers) == ("bytes_chunk", "s2", [file.read_bytes()])
    assert grid.bytes_sent == 10
    assert str(tmp_path) not in str(grid.get_state())  # paths stay in the kernel


def test_grid_without_a_file_for_the_tile_says_so(sent: list[dict[str, Any]]) -> None:
    grid = SeedGrid(tiles=four_tiles())
    browser_message(grid, {"type": "need_bytes", "key": "s1"})
    grid.set_files({"s3": "/nonexistent/s3.mp4"})
    browser_message(grid, {"type": "need_bytes", "key": "s3"})
    assert [(m["type"], m["key"]) for m in sent] == [("no_bytes", "s1"), ("no_bytes", "s3")]
    assert "s3.mp4" in sent[-1]["message"]


def test_grid_tiles_take_a_remote_url_with_its_expiry() -> None:
    grid = SeedGrid(tiles=[{"key": "a", "remote_src": "https://x/a.mp4", "remote_expires": 5}])
    tile = grid.tiles[0]
    assert (tile["remote_src"], tile["remote_expires"]) == ("https://x/a.mp4", 5.0)


def test_need_preview_makes_a_tile_copy_and_answers_with_its_urls(
    tmp_path: pathlib.Path, sent_with_buffers: list[tuple[dict[str, Any], list[bytes]]]
) -> None:
    pytest.importorskip("av")
    from .test_media_copies import write

    clip = tmp_path / "s1.mp4"
    write(clip, video="libx264", audio="aac", size=(640, 360))
    grid = SeedGrid(tiles=[{"key": "s1", "status": "done", "src": "/files/m/s1.mp4"}])
    assert grid.previews is True
    grid.set_files({"s1": clip})
    browser_message(grid, {"type": "need_preview", "key": "s1", "width": 320})
    deadline = time.monotonic() + 30
    while len(sent_with_buffers) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    pending, answer = (m for m, _ in sent_with_buffers[:2])
    assert pending == {"type": "preview_pending", "key": "s1"}
    assert answer == {
        "type": "preview",
        "key": "s1",
        "width": 320,
        "src": "/files/m/s1.tile320.silent.mp4",
        "fallback_src": "",
    }
    assert (tmp_path / "s1.tile320.silent.mp4").is_file()
    browser_message(grid, {"type": "need_bytes", "key": "s1", "variant": "preview"})
    start = sent_with_buffers[2][0]
    assert start["size"] == (tmp_path / "s1.tile320.silent.mp4").stat().st_size


def test_need_preview_without_a_file_or_with_a_silly_width_says_no(
    sent: list[dict[str, Any]],
) -> None:
    grid = SeedGrid(tiles=four_tiles())
    browser_message(grid, {"type": "need_preview", "key": "s1", "width": 320})
    grid.set_files({"s2": "/nonexistent.mp4"})
    browser_message(grid, {"type": "need_preview", "key": "s2", "width": "wide"})
    assert sent == [{"type": "no_preview", "key": "s1"}, {"type": "no_preview", "key": "s2"}]


def _wait_for(messages: list[Any], count: int) -> None:
    deadline = time.monotonic() + 30
    while len(messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_need_copy_answers_with_the_tiles_h264_mp3_copy_and_sends_its_bytes(
    tmp_path: pathlib.Path, sent_with_buffers: list[tuple[dict[str, Any], list[bytes]]]
) -> None:
    """A host without AAC (VS Code): the enlarged tile plays a copy it can hear."""
    pytest.importorskip("av")
    from .test_media_copies import streams, write

    clip = tmp_path / "s1.mp4"
    write(clip, video="libx264", audio="aac", size=(320, 180))
    grid = SeedGrid(tiles=[{"key": "s1", "status": "done", "src": "/files/m/s1.mp4"}])
    grid.set_files({"s1": clip})
    browser_message(grid, {"type": "need_copy", "key": "s1", "reason": "audio"})
    _wait_for(sent_with_buffers, 2)
    (pending, _), (answer, _) = sent_with_buffers
    assert pending == {"type": "copy_pending", "key": "s1"}
    assert answer["type"] == "copy" and answer["key"] == "s1", answer
    assert (answer["src"], answer["fallback_src"]) == ("/files/m/s1.compat.mp4", "")
    assert "MP3" in answer["note"]
    assert streams(tmp_path / "s1.compat.mp4")["audio"] == "mp3float"
    browser_message(grid, {"type": "need_bytes", "key": "s1", "variant": "copy"})
    start = sent_with_buffers[2][0]
    assert start["type"] == "bytes_start" and start["key"] == "s1"
    assert start["size"] == (tmp_path / "s1.compat.mp4").stat().st_size


def test_need_copy_without_a_file_says_no(sent: list[dict[str, Any]]) -> None:
    grid = SeedGrid(tiles=four_tiles())
    browser_message(grid, {"type": "need_copy", "key": "s1", "reason": "video"})
    assert sent == [{"type": "no_copy", "key": "s1", "message": "There is no file to convert."}]
