"""Player: the file in chunks over the comm, and a playable copy on request."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest
from ipywidgets.widgets.widget import _remove_buffers

from wan_notebook.widgets import Player

from .test_widgets import browser_message


def test_need_bytes_sends_the_file_as_binary_chunks(
    tmp_path: pathlib.Path, sent_with_buffers: list[tuple[dict[str, Any], list[bytes]]]
) -> None:
    file = tmp_path / "clip.webm"
    file.write_bytes(b"\x1aE\xdf\xa3" * 1000)
    player = Player.from_file(file, src="/files/clip.webm", fallback_src="clip.webm")
    browser_message(player, {"type": "need_bytes"})
    (start, _), (chunk, buffers) = sent_with_buffers
    assert start["type"] == "bytes_start"
    assert (start["size"], start["chunks"], start["mime"]) == (4000, 1, "video/webm")
    assert (chunk["type"], chunk["index"], chunk["transfer"]) == (
        "bytes_chunk",
        0,
        start["transfer"],
    )
    assert buffers == [file.read_bytes()]
    assert player.bytes_sent == 4000
    state, paths, _ = _remove_buffers(player.get_state())
    assert paths == []  # nothing binary in the widget state
    assert "4000" not in str(state)


def test_need_copy_answers_with_the_copys_urls_and_sends_its_bytes(
    tmp_path: pathlib.Path, sent_with_buffers: list[tuple[dict[str, Any], list[bytes]]]
) -> None:
    pytest.importorskip("av")
    from .test_media_copies import write

    clip = tmp_path / "fox.mp4"
    write(clip, video="libx264", audio="aac", size=(160, 90))
    player = Player.from_file(
        clip, src="/files/wan_media/fox.mp4", fallback_src="wan_media/fox.mp4"
    )
    browser_message(player, {"type": "need_copy", "reason": "audio"})
    assert player._copy_job is not None
    player._copy_job.join(timeout=30)
    (answer, _), *_ = sent_with_buffers
    assert answer["type"] == "copy"
    assert answer["src"] == "/files/wan_media/fox.compat.mp4"
    assert answer["fallback_src"] == "wan_media/fox.compat.mp4"
    assert "MP3" in answer["note"]
    browser_message(player, {"type": "need_bytes", "variant": "copy"})
    start = sent_with_buffers[1][0]
    assert (start["type"], start["size"]) == (
        "bytes_start",
        (tmp_path / "fox.compat.mp4").stat().st_size,
    )


def test_need_copy_without_a_file_or_for_a_broken_one_says_no(
    tmp_path: pathlib.Path, sent: list[dict[str, Any]]
) -> None:
    browser_message(Player(), {"type": "need_copy", "reason": "video"})
    broken = tmp_path / "broken.webm"
    broken.write_bytes(b"nope")
    player = Player.from_file(broken, src="/files/broken.webm")
    browser_message(player, {"type": "need_copy", "reason": "video"})
    assert player._copy_job is not None
    player._copy_job.join(timeout=30)
    assert [m["type"] for m in sent] == ["no_copy", "no_copy"]
    assert "broken.webm" in sent[-1]["message"]
