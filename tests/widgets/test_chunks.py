"""Video bytes to the browser in chunks of at most 4 MB, read one chunk at a time."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest

from wan_notebook.widgets._chunks import CHUNK_BYTES, send_bytes, unreadable_message


class Recorder:
    def __init__(self) -> None:
        self.messages: list[tuple[dict[str, Any], list[bytes]]] = []

    def __call__(self, content: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        self.messages.append((content, [bytes(b) for b in buffers or []]))


def test_a_60_mb_file_goes_in_15_chunks_of_at_most_4_mb(tmp_path: pathlib.Path) -> None:
    file = tmp_path / "big.mp4"
    payload = bytes(range(256)) * (60 * 1024 * 1024 // 256)
    file.write_bytes(payload)
    send = Recorder()
    assert send_bytes(send, file, mime="video/mp4", key="s3") == len(payload)
    start, *chunks = send.messages
    assert start[0] == {
        "type": "bytes_start",
        "transfer": start[0]["transfer"],
        "size": len(payload),
        "mime": "video/mp4",
        "chunks": 15,
        "key": "s3",
    }
    assert start[1] == []
    assert len(chunks) == 15
    assert [c["index"] for c, _ in chunks] == list(range(15))
    assert all(len(b) == 1 and len(b[0]) <= CHUNK_BYTES for _, b in chunks)
    assert all(c["key"] == "s3" and c["transfer"] == start[0]["transfer"] for c, _ in chunks)
    assert b"".join(b[0] for _, b in chunks) == payload


def test_bytes_in_memory_and_an_empty_file(tmp_path: pathlib.Path) -> None:
    send = Recorder()
    assert send_bytes(send, b"abcdefg", mime="video/webm", chunk=3) == 7
    assert [b for _, b in send.messages[1:]] == [[b"abc"], [b"def"], [b"g"]]
    assert "key" not in send.messages[0][0]
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    send = Recorder()
    assert send_bytes(send, empty, mime="video/mp4") == 0
    assert [m["type"] for m, _ in send.messages] == ["bytes_start"]
    assert send.messages[0][0]["chunks"] == 0


def test_transfers_get_distinct_ids() -> None:
    send = Recorder()
    send_bytes(send, b"a", mime="video/mp4")
    send_bytes(send, b"b", mime="video/mp4")
    ids = {m["transfer"] for m, _ in send.messages}
    assert len(ids) == 2


def test_a_missing_file_raises_before_anything_is_sent(tmp_path: pathlib.Path) -> None:
    send = Recorder()
    with pytest.raises(OSError) as info:
        send_bytes(send, tmp_path / "gone.mp4", mime="video/mp4")
    assert send.messages == []
    assert unreadable_message(tmp_path / "gone.mp4", info.value).startswith("Cannot read gone.mp4:")
    assert unreadable_message(None) == "The video could not be loaded."
