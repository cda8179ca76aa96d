"""The local engine's HTTP layer: Runware's ``POST /v1`` plus media files and test hooks.

Standard library only (``ThreadingHTTPServer``, HTTP/1.1 keep-alive, one thread per
connection). Routes:

- ``POST /v1``: a JSON array of tasks; auth by ``Authorization: Bearer <key>`` or a first
  ``{"taskType": "authentication", "apiKey": ...}`` task. Fault injection strikes here.
- ``GET|HEAD /media/<uuid><ext>``: results and uploads, with single byte ranges.
- ``GET /_engine/health`` (no auth), ``GET /_engine/stats``, ``POST /_engine/stats/reset``,
  ``GET|POST /_engine/faults`` (Bearer key): for tests and benchmarks.

The key is compared in constant time and never logged or echoed.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import math
import os
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, BinaryIO, Final
from urllib.parse import urlsplit

from .._version import __version__
from ..errors import FaultConfigError
from .engine import Engine, EngineConfig, error_item
from .faults import FaultConfig
from .launcher import EngineHandle

log = logging.getLogger(__name__)

MAX_BODY: Final = 64 * 1024 * 1024  # a 30 MB video as base64 fits
AUTH_DOCS: Final = "https://runware.ai/docs/platform/authentication"
_HOST_OK = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
_MEDIA_NAME = re.compile(r"^/media/([0-9a-f-]{36}\.[a-z0-9]{2,4})$")
_CHUNK = 256 * 1024

_FAULT_ANSWERS: Final[dict[str, tuple[int, str, str]]] = {
    "429": (429, "rateLimitExceeded", "too many requests; retry after the Retry-After delay"),
    "500": (500, "internalServerError", "internal server error (injected fault)"),
    "503": (503, "serviceUnavailable", "temporarily unavailable (injected fault)"),
    "402": (402, "insufficientCredits", "the balance is too low (injected fault)"),
}


class EngineServer(ThreadingHTTPServer):
    """The HTTP server that owns an ``Engine``."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 256  # load tests open many connections at once
    allow_reuse_address = True

    def __init__(
        self,
        engine: Engine,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        public_url: str | None = None,
        verbose: bool = False,
    ) -> None:
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.engine = engine
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self.public_url = public_url.rstrip("/") if public_url else None
        self.verbose = verbose
        super().__init__((host, port), _Handler)

    @property
    def root_url(self) -> str:
        host, port = self.server_address[:2]
        text = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{text}]" if ":" in text else text
        return f"http://{shown}:{port}"

    def key_ok(self, presented: str | None) -> bool:
        if presented is None:
            return False
        return hmac.compare_digest(presented.encode(), self.engine.config.api_key.encode())

    def track(self, conn: socket.socket, *, open_: bool) -> None:
        with self._connections_lock:
            if open_:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def close(self) -> None:
        """Stop accepting, end idle keep-alive connections, then stop the engine."""
        self.shutdown()
        self.server_close()
        with self._connections_lock:
            open_connections = list(self._connections)
        for conn in open_connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self.engine.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = f"wan-notebook-local/{__version__}"
    sys_version = ""
    server: EngineServer

    timeout = 300  # seconds an idle keep-alive connection is kept

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without this, Nagle + delayed ACK
        # add ~40 ms to every keep-alive answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, open_=True)

    def finish(self) -> None:
        self.server.track(self.connection, open_=False)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    # ----- routing -------------------------------------------------------------------------

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if path in ("/v1", "/v1/"):
            self._api()
        elif path == "/_engine/stats/reset":
            if self._admin():
                self.server.engine.stats.reset()
                self._json(200, {"ok": True})
        elif path == "/_engine/faults":
            if self._admin():
                self._set_faults()
        else:
            self._discard_body()
            self._json(404, {"errors": [error_item("notFound", f"no route POST {path}")]})

    def do_GET(self) -> None:
        self._get(head=False)

    def do_HEAD(self) -> None:
        self._get(head=True)

    def _get(self, *, head: bool) -> None:
        path = urlsplit(self.path).path
        engine = self.server.engine
        match = _MEDIA_NAME.match(path)
        if match:
            self._media(match.group(1), head=head)
        elif path == "/_engine/health":
            self._json(200, engine.health(), head=head)
        elif path == "/_engine/stats":
            if self._admin():
                self._json(200, engine.stats_snapshot(), head=head)
        elif path == "/_engine/faults":
            if self._admin():
                self._json(200, engine.faults.config.to_json(), head=head)
        else:
            self._json(404, {"errors": [error_item("notFound", f"no route GET {path}")]}, head=head)

    # ----- POST /v1 ------------------------------------------------------------------------

    def _api(self) -> None:
        engine = self.server.engine
        engine.stats.count("http_requests")
        raw = self._read_body()
        if raw is None:
            return
        header_key = self._bearer()
        try:
            tasks: Any = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            tasks = None
        auth_task = _auth_task(tasks)
        presented = [k for k in (header_key, auth_task) if k is not None]
        if not presented or not all(self.server.key_ok(k) for k in presented):
            self._unauthorized(missing=not presented)
            return
        if not isinstance(tasks, list):
            err = error_item("invalidRequestBody", "the body must be a JSON array of task objects")
            self._json(400, {"errors": [err]})
            return
        kinds = {str(t.get("taskType")) for t in tasks if isinstance(t, dict)}
        fault = engine.faults.for_post(kinds)
        if fault is not None:
            engine.stats.fault(fault)
            if self._strike(fault):
                return
        answer = engine.run(tasks, self._base_url())
        if fault == "drop_after":  # the tasks are in; the client never hears so
            self._drop()
            return
        self._json(answer.status, answer.body())

    def _strike(self, fault: str) -> bool:
        """Act out a fault; True when the request is answered (or dropped) already."""
        config = self.server.engine.faults.config
        if fault in _FAULT_ANSWERS:
            status, code, message = _FAULT_ANSWERS[fault]
            headers = {"Retry-After": str(math.ceil(config.retry_after))} if fault == "429" else {}
            self._json(status, {"errors": [error_item(code, message)]}, headers=headers)
            return True
        if fault == "drop":
            self._drop()
            return True
        if fault == "malformed":
            body = (
                b'{"data": [{"taskType": "videoInference", "taskUU'
                if config.malformed == "json"
                else (b'{"data": "unavailable"}')
            )
            self._send(200, body, "application/json")
            return True
        if fault == "slow":
            time.sleep(config.slow_seconds)
        return False

    def _bearer(self) -> str | None:
        value = self.headers.get("Authorization", "")
        scheme, _, token = value.partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token.strip() else None

    def _unauthorized(self, *, missing: bool) -> None:
        message = (
            "no API key: send Authorization: Bearer <key>"
            if missing
            else "the API key is not valid"
        )
        err = error_item(
            "invalidApiKey",
            message,
            parameter="apiKey",
            task_type="authentication",
            documentation=AUTH_DOCS,
        )
        self._json(401, {"errors": [err]})

    def _admin(self) -> bool:
        if self.server.key_ok(self._bearer()):
            return True
        self._discard_body()
        self._unauthorized(missing=self._bearer() is None)
        return False

    def _set_faults(self) -> None:
        raw = self._read_body()
        if raw is None:
            return
        try:
            knobs = json.loads(raw or b"{}")
            if not isinstance(knobs, dict):
                raise FaultConfigError("the body must be a JSON object of fault knobs")
            config = FaultConfig.from_json(knobs)
        except (ValueError, TypeError) as exc:
            self._json(400, {"errors": [error_item("invalidFaults", str(exc))]})
            return
        self.server.engine.faults.replace(config)
        self._json(200, config.to_json())

    def _base_url(self) -> str:
        if self.server.public_url:
            return self.server.public_url
        host = self.headers.get("Host", "")
        return f"http://{host}" if _HOST_OK.match(host) else self.server.root_url

    # ----- media ---------------------------------------------------------------------------

    def _media(self, name: str, *, head: bool) -> None:
        engine = self.server.engine
        stored = engine.storage.get(name)
        handle: BinaryIO | None = None
        if stored is not None:
            try:
                handle = stored.path.open("rb")
            except OSError:  # deleted between lookup and open (ttl)
                handle = None
        if stored is None or handle is None:
            self._json(
                404,
                {"errors": [error_item("notFound", "no such file (expired or never existed)")]},
                head=head,
            )
            return
        with handle:
            size = os.fstat(handle.fileno()).st_size
            span = _parse_range(self.headers.get("Range"), size)
            headers = {
                "Accept-Ranges": "bytes",
                "ETag": f'"{stored.uuid}"',
                "Cache-Control": "no-store",
            }
            if isinstance(span, str):  # unsatisfiable
                headers["Content-Range"] = f"bytes */{size}"
                self._send(416, b"", "text/plain", headers=headers, head=head)
                return
            start, end = span if span is not None else (0, size - 1)
            length = end - start + 1 if size else 0
            status = 206 if span is not None else 200
            if span is not None:
                headers["Content-Range"] = f"bytes {start}-{end}/{size}"
            self._headers(status, stored.mime, length, headers)
            if head:
                return
            engine.stats.count("downloads")
            truncate = engine.faults.truncates()
            if truncate:
                engine.stats.fault("truncate")
            handle.seek(start)
            self._copy(handle, length // 2 if truncate else length)
            if truncate:
                self._drop()

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

    # ----- low-level -----------------------------------------------------------------------

    def _read_body(self) -> bytes | None:
        """The request body, or None after answering 400/413 for a bad one."""
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
        return self.rfile.read(length) if length else b""

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


def _auth_task(tasks: Any) -> str | None:
    """The apiKey of an authentication task (first in the array, per the docs), if any."""
    if isinstance(tasks, list) and tasks and isinstance(tasks[0], dict):
        first = tasks[0]
        if first.get("taskType") == "authentication":
            key = first.get("apiKey")
            return key if isinstance(key, str) else ""
    return None


def _parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
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


# ----- in-process engines --------------------------------------------------------------------


def start_server(
    config: EngineConfig,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    public_url: str | None = None,
    verbose: bool = False,
) -> EngineServer:
    """Build an engine and its server and start serving on a daemon thread."""
    engine = Engine(config)
    try:
        server = EngineServer(engine, host, port, public_url=public_url, verbose=verbose)
    except OSError:
        engine.close()
        raise
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="wan-engine-http",
        daemon=True,
    )
    thread.start()
    return server


def serve_in_thread(
    *, api_key: str | None = None, host: str = "127.0.0.1", port: int = 0, **knobs: Any
) -> EngineHandle:
    """An engine in this process (fast to start; tests use it). Knobs: ``EngineConfig`` fields."""
    from .._secrets import register_secret
    from .launcher import new_key

    key = api_key or new_key()
    register_secret(key)
    faults = knobs.pop("faults", None)
    if isinstance(faults, dict):
        knobs["faults"] = FaultConfig.from_json(faults)
    elif faults is not None:
        knobs["faults"] = faults
    server = start_server(EngineConfig(api_key=key, **knobs), host=host, port=port)
    return EngineHandle(
        base_url=f"{server.root_url}/v1", api_key=key, pid=os.getpid(), stopper=server.close
    )
