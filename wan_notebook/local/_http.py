"""The engine's HTTP server and its routes (``Handler``); ``server.py`` starts them.

``EngineServer`` owns one ``Engine`` and checks keys in constant time; its connections
share a bounded pool of threads (``_connections``). ``Handler`` routes each request: auth,
fault injection for ``POST /v1``, media files with single byte ranges, and the
``/_engine`` hooks for tests and benchmarks. The key is never logged or echoed.

The key is checked before the body is parsed: a ``Bearer`` header before a byte of the body
is read; without one, only the body's first task (which must be the authentication task)
is read and decoded first. A body nested deeper than ``MAX_DEPTH`` is a 400.
"""

from __future__ import annotations

import hmac
import json
import math
import os
import re
import socket
import time
from typing import Any, BinaryIO, Final
from urllib.parse import urlsplit

from .._version import __version__
from ..errors import FaultConfigError
from ._answers import error_item
from ._connections import PooledHTTPServer
from ._wire import WireHandler, parse_range
from .engine import Engine
from .faults import FaultConfig

AUTH_DOCS: Final = "https://runware.ai/docs/platform/authentication"
_HOST_OK = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
_MEDIA_NAME = re.compile(r"^/media/([0-9a-f-]{36}\.[a-z0-9]{2,4})$")
MAX_DEPTH: Final = 32  # JSON nesting; a Wan task needs 4 (inputs.frameImages[0].image)
AUTH_PREFIX: Final = 16 * 1024  # bytes read to find the authentication task without a header


_FAULT_ANSWERS: Final[dict[str, tuple[int, str, str]]] = {
    "429": (429, "rateLimitExceeded", "too many requests; retry after the Retry-After delay"),
    "500": (500, "internalServerError", "internal server error (injected fault)"),
    "503": (503, "serviceUnavailable", "temporarily unavailable (injected fault)"),
    "402": (402, "insufficientCredits", "the balance is too low (injected fault)"),
}


class EngineServer(PooledHTTPServer):
    """The HTTP server that owns an ``Engine``."""

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
        workers: int | None = None,
    ) -> None:
        if ":" in host:
            self.address_family = socket.AF_INET6
        if workers is not None:
            self.workers = workers
        self.engine = engine
        self.public_url = public_url.rstrip("/") if public_url else None
        self.verbose = verbose
        super().__init__((host, port), Handler)

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

    def close(self) -> None:
        """Stop accepting, end every connection (idle keep-alive ones too), stop the engine."""
        self.shutdown()
        self.server_close()
        self.engine.close()


class Handler(WireHandler):
    """The engine's routes: the API, media files and the ``/_engine`` hooks."""

    server_version = f"wan-notebook-local/{__version__}"
    sys_version = ""
    server: EngineServer

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
        raw = self._authorized_body()
        if raw is None:
            return
        try:
            tasks: Any = json.loads(raw)
        except RecursionError:
            tasks = _TOO_DEEP
        except (ValueError, UnicodeDecodeError):
            tasks = None
        if tasks is _TOO_DEEP or _deeper_than(tasks, MAX_DEPTH):
            err = error_item("invalidRequestBody", f"JSON nested deeper than {MAX_DEPTH} levels")
            self._json(400, {"errors": [err]})
            return
        auth_task = _auth_task(tasks)  # with a header too: a wrong one is refused
        if auth_task is not None and not self.server.key_ok(auth_task):
            self._unauthorized(missing=False)
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

    def _authorized_body(self) -> bytes | None:
        """The body of an authenticated request; None once a refusal is sent. The key is
        checked first: a wrong one means the body is never read (the connection closes)."""
        header_key = self._bearer()
        if header_key is not None:
            if not self.server.key_ok(header_key):
                self.close_connection = True
                self._unauthorized(missing=False)
                return None
            return self._read_body()
        head = self._read_body_start(AUTH_PREFIX)
        if head is None:
            return None
        key = _first_task_key(head)
        if key is None or not self.server.key_ok(key):
            self.close_connection = True
            self._unauthorized(missing=key is None)
            return None
        return self._read_body_rest(head)

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
            if not isinstance(knobs, dict) or _deeper_than(knobs, MAX_DEPTH):
                raise FaultConfigError("the body must be a JSON object of fault knobs")
            config = FaultConfig.from_json(knobs)
        except (ValueError, TypeError, RecursionError) as exc:
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
            span = parse_range(self.headers.get("Range"), size)
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


_TOO_DEEP: Final = object()


def _deeper_than(value: Any, limit: int) -> bool:
    """True when ``value`` nests lists and objects more than ``limit`` levels deep."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _first_task_key(head: bytes) -> str | None:
    """The apiKey of the authentication task that opens the body, decoding that task only."""
    text = head.decode("utf-8", "ignore").lstrip()
    if not text.startswith("["):
        return None
    try:
        first, _ = json.JSONDecoder().raw_decode(text, len(text) - len(text[1:].lstrip()))
    except (ValueError, RecursionError):
        return None
    return _auth_task([first])


def _auth_task(tasks: Any) -> str | None:
    """The apiKey of an authentication task (first in the array, per the docs), if any."""
    if isinstance(tasks, list) and tasks and isinstance(tasks[0], dict):
        first = tasks[0]
        if first.get("taskType") == "authentication":
            key = first.get("apiKey")
            return key if isinstance(key, str) else ""
    return None
