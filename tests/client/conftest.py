"""Fixtures for the transport's tests: real video samples and a loopback media host.

``videos`` renders one short clip per format with the local engine's renderer (once per
session). ``media_host`` is a small HTTP server on 127.0.0.1 that serves whatever a test
sets for a path, for shapes a real server never sends: an HTML page as a video, a body that
trickles, a file that stalls half-way.
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from wan_notebook.client import close_all_clients

SAMPLE_SIZE = (256, 144)
SAMPLE_SECONDS = 2.0


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    """Each test's connection pools close with its event loop (no socket left to the GC)."""
    yield
    await close_all_clients()


@pytest.fixture(scope="session")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One real clip per format (256x144, 2 s, with audio), rendered once."""
    from wan_notebook.local.render import RenderSpec, render

    folder = tmp_path_factory.mktemp("videos")
    out = {}
    for fmt, ext in (("MP4", ".mp4"), ("WEBM", ".webm"), ("MOV", ".mov")):
        path = folder / f"sample{ext}"
        render(RenderSpec(*SAMPLE_SIZE, duration=SAMPLE_SECONDS, fmt=fmt, prompt="a fox"), path)
        out[fmt] = path
    return out


@dataclass
class Served:
    """How one path answers: ``body`` in ``chunks`` of ``chunk`` bytes every ``pause`` s,
    honouring Range unless ``ranges`` is False; ``stall_after`` bytes (first answer only)
    then silence until the client gives up."""

    body: bytes
    content_type: str = "video/mp4"
    chunk: int = 64 * 1024
    pause: float = 0.0
    ranges: bool = True
    stall_after: int | None = None
    answers: int = 0


@dataclass
class MediaHost:
    url: str
    paths: dict[str, Served] = field(default_factory=dict)
    requests: list[httpx.Headers] = field(default_factory=list)  # names case-insensitive

    def serve(self, path: str, body: bytes, **how: Any) -> str:
        self.paths[path] = Served(body, **how)
        return f"{self.url}{path}"


@pytest.fixture
def media_host() -> Iterator[MediaHost]:
    host: dict[str, MediaHost] = {}
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            state = host["h"]
            state.requests.append(httpx.Headers(list(self.headers.items())))
            served = state.paths.get(self.path)
            if served is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            served.answers += 1
            start = 0
            span = self.headers.get("Range")
            if span and served.ranges:
                start = int(span.split("=")[1].rstrip("-"))
            data = served.body[start:]
            self.send_response(206 if start else 200)
            self.send_header("Content-Type", served.content_type)
            self.send_header("Content-Length", str(len(data)))
            if start:
                self.send_header(
                    "Content-Range", f"bytes {start}-{len(served.body) - 1}/{len(served.body)}"
                )
            self.end_headers()
            limit = served.stall_after if served.answers == 1 else None
            sent = 0
            try:
                while sent < len(data) and not stop.is_set():
                    if limit is not None and sent >= limit:
                        stop.wait(30)  # silence: the client must give up on its own
                        return
                    piece = data[sent : sent + served.chunk]
                    self.wfile.write(piece)
                    self.wfile.flush()
                    sent += len(piece)
                    if served.pause:
                        time.sleep(served.pause)
            except OSError:
                return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    host["h"] = MediaHost(f"http://127.0.0.1:{server.server_address[1]}")
    yield host["h"]
    stop.set()
    server.shutdown()
    server.server_close()
