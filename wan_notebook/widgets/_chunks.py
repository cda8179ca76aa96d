"""Video bytes to the browser in chunks, as custom comm messages (never a synced trait).

The last resort of a view whose URLs all failed (VS Code's output view cannot load notebook
files; Colab has no ``/files/``). A trait would put the bytes into the widget state, and a
message of more than about 10 MB hits the server's websocket limit, so the file goes as
``bytes_start`` then one ``bytes_chunk`` per 4 MB (``js/src/byte_transfer.js`` reassembles
them), read from disk one chunk at a time.
"""

from __future__ import annotations

import itertools
import math
import pathlib
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["CHUNK_BYTES", "Sender", "send_bytes", "unreadable_message"]

CHUNK_BYTES = 4 * 1024 * 1024
"""Largest buffer in one message."""

Sender = Callable[..., Any]
"""``widget.send``: ``send(content, buffers=[...])``."""

_transfer_ids = itertools.count(1)


def _pieces(source: pathlib.Path | bytes, chunk: int) -> Iterator[bytes]:
    if isinstance(source, bytes):
        view = memoryview(source)
        for start in range(0, len(source), chunk):
            yield bytes(view[start : start + chunk])
        return
    with source.open("rb") as file:
        while piece := file.read(chunk):
            yield piece


def send_bytes(
    send: Sender,
    source: pathlib.Path | bytes,
    *,
    mime: str,
    key: str = "",
    chunk: int = CHUNK_BYTES,
) -> int:
    """Send a file (or bytes) in chunks of at most ``chunk`` bytes; return the bytes sent.

    Raises ``OSError`` when the file cannot be read (before anything is sent when it is
    missing or unreadable from the start).
    """
    size = len(source) if isinstance(source, bytes) else source.stat().st_size
    transfer = f"t{next(_transfer_ids)}"
    keyed = {"key": key} if key else {}
    chunks = math.ceil(size / chunk)
    pieces = _pieces(source, chunk)
    first = next(pieces, b"")  # opens the file: an unreadable one fails here, before bytes_start
    send(
        {
            "type": "bytes_start",
            "transfer": transfer,
            "size": size,
            "mime": mime,
            "chunks": chunks,
            **keyed,
        }
    )
    sent = 0
    for index, piece in enumerate(itertools.chain([first] if first else [], pieces)):
        send(
            {"type": "bytes_chunk", "transfer": transfer, "index": index, **keyed}, buffers=[piece]
        )
        sent += len(piece)
    return sent


def unreadable_message(path: pathlib.Path | None, exc: OSError | None = None) -> str:
    """What a view shows when there are no bytes to send."""
    if path is None:
        return "The video could not be loaded."
    reason = (exc.strerror if exc is not None else None) or (type(exc).__name__ if exc else "")
    return f"Cannot read {path.name}: {reason}." if reason else f"Cannot read {path.name}."
