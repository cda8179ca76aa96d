"""Serving the relay with uvicorn: in the foreground (the command) or on a thread (tests).

uvicorn gives the production pieces: HTTP/1.1 keep-alive, ``limit_concurrency`` (503 past
``max_connections``), graceful shutdown on SIGTERM/SIGINT, and TLS (``ssl_certfile`` /
``ssl_keyfile``) for a relay that faces a network without a reverse proxy. The socket is
bound here, so port 0 works and the ready line names the real port.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn

from ..errors import RelayError
from ._app import build_app
from ._config import RelayConfig

READY_TIMEOUT = 60.0


def _bind(config: RelayConfig) -> socket.socket:
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY only on sockets that say so, and
    # without it Nagle + delayed ACK add 40 ms to every answer (headers and body are two
    # writes).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((config.host.strip("[]"), config.port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def root_url(config: RelayConfig, sock: socket.socket) -> str:
    if config.public_url:
        return config.public_url.rstrip("/")
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _server(config: RelayConfig, **tls: Any) -> uvicorn.Server:
    settings = uvicorn.Config(
        build_app(config),
        log_level="warning",
        access_log=False,
        limit_concurrency=config.max_connections,
        timeout_keep_alive=30,
        server_header=False,
        lifespan="on",
        **tls,
    )
    return uvicorn.Server(settings)


def serve(
    config: RelayConfig, *, ssl_certfile: str | None = None, ssl_keyfile: str | None = None
) -> int:
    """Run until SIGTERM/SIGINT; prints ``{"url": ..., "pid": ...}`` once it serves."""
    sock = _bind(config)
    tls = {"ssl_certfile": ssl_certfile, "ssl_keyfile": ssl_keyfile} if ssl_certfile else {}
    server = _server(config, **tls)
    url = root_url(config, sock)
    if ssl_certfile and url.startswith("http://"):
        url = "https://" + url.removeprefix("http://")

    async def announce() -> None:
        while not server.started and not server.should_exit:
            await asyncio.sleep(0.02)
        if server.started:
            print(
                json.dumps({"url": f"{url}/v1", "page": f"{url}/", "pid": os.getpid()}), flush=True
            )

    async def main() -> None:
        waiter = asyncio.create_task(announce())
        await server.serve(sockets=[sock])
        waiter.cancel()

    asyncio.run(main())
    return 0 if server.started else 1


@dataclass
class RunningRelay:
    """A relay serving on a thread of this process (tests and benchmarks)."""

    url: str  # the API URL, http://127.0.0.1:PORT/v1
    server: uvicorn.Server = field(repr=False)
    thread: threading.Thread = field(repr=False)

    @property
    def root_url(self) -> str:
        return self.url.removesuffix("/v1")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)

    def __enter__(self) -> RunningRelay:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_in_thread(config: RelayConfig) -> RunningRelay:
    sock = _bind(config)
    server = _server(config)
    failed: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(server.serve(sockets=[sock]))
        except BaseException as exc:  # noqa: BLE001 - reported to the caller below
            failed.append(exc)
        finally:
            sock.close()

    thread = threading.Thread(target=run, name="wan-relay", daemon=True)
    thread.start()
    deadline = time.monotonic() + READY_TIMEOUT
    while not server.started:
        if failed or not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RelayError(f"the relay did not start: {failed[0] if failed else 'timeout'}")
        time.sleep(0.01)
    return RunningRelay(f"{root_url(config, sock)}/v1", server, thread)
