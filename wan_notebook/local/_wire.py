"""HTTP/1.1 plumbing for the engine's handler: request bodies in, answers out, byte ranges.

Standard library only. Bodies come with ``Content-Length`` or chunked and are capped at
``MAX_BODY``; a bad one is answered (400/413) here. Answers are JSON or raw bytes, sent with
``Content-Length`` so connections stay alive. Nothing here knows routes, keys or the engine.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
from http.server import BaseHTTPRequestHandler
from typing import Any, BinaryIO, Final

from ._answers import error_item

MAX_BODY: Final = 64 * 1024 * 1024  # a 30 MB video as base64 fits
_CHUNK: Final = 256 * 1024


class WireHandler(BaseHTTPRequestHandler):
    """Keep-alive request handling without routes; subclasses add ``do_GET`` and the like."""

    protocol_version = "HTTP/1.1"
    # Seconds a read or write may wait inside a request (idle connections wait elsewhere:
    # in the server's selector, see ``_connections``).
    timeout = 30
    _pending = 0  # body bytes not read yet (``_read_body_start``)

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without this, Nagle + delayed ACK
        # add ~40 ms to every keep-alive answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()

    def _read_body(self) -> bytes | None:
        """The request body, or None after answering 400/413 for a bad one."""
        head = self._read_body_start(MAX_BODY)
        return None if head is None else self._read_body_rest(head)

    def _read_body_start(self, size: int) -> bytes | None:
        """The first ``size`` bytes of the body (all of a chunked one); the rest waits for
        ``_read_body_rest``. None after answering 400/413 for a bad body."""
        self._pending = 0
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            status = 413 if length > MAX_BODY else 400
            self._json(
                status,
                {"errors": [error_item("invalidRequestBody", "bad or too large Content-Length")]},
            )
            return None
        head = self.rfile.read(min(size, length)) if length else b""
        self._pending = length - len(head)
        return head

    def _read_body_rest(self, head: bytes) -> bytes:
        rest = self.rfile.read(self._pending) if self._pending > 0 else b""
        self._pending = 0
        return head + rest

    def _read_chunked(self) -> bytes | None:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip() or b"x", 16)
            except ValueError:
                size = -1
            if size < 0 or total + size > MAX_BODY:
                self.close_connection = True
                self._json(400, {"errors": [error_item("invalidRequestBody", "bad chunked body")]})
                return None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline(8)
            total += size

    def _discard_body(self) -> None:
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = 0
        if 0 < length <= MAX_BODY:
            self.rfile.read(length)
        elif length:
            self.close_connection = True

    def _json(
        self, status: int, body: Any, *, head: bool = False, headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body, separators=(",", ":")).encode()
        self._send(status, data, "application/json", headers=headers, head=head)

    def _send(
        self,
        status: int,
        data: bytes,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        head: bool = False,
    ) -> None:
        self._headers(status, content_type, len(data), headers or {})
        if not head and data:
            try:
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

    def _headers(self, status: int, content_type: str, length: int, extra: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()

    def _drop(self) -> None:
        """Close the connection without (the rest of) an answer."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _copy(self, handle: BinaryIO, length: int) -> None:
        remaining = length
        try:
            while remaining > 0:
                chunk = handle.read(min(_CHUNK, remaining))
                if not chunk:
                    break
                self.wfile.write(chunk)
                remaining -= len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """One ``bytes=`` range as (start, end) inclusive; None = whole file; or ``"unsatisfiable"``."""
    if not header:
        return None
    match = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", header)
    if match is None:  # several ranges or another unit: answer with the whole file
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        suffix = int(last)
        if suffix == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - suffix), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # syntactically invalid: ignore the header (RFC 9110 14.1.1)
    if start >= size:
        return "unsatisfiable"
    return start, min(end, size - 1)
