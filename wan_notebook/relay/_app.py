"""The relay as an ASGI app (Starlette): its routes, its limits, and its life.

Starting (the lifespan): take the ledger (one relay per ledger), read the roster, start the
upstream (and the local engine when asked), and start the worker, which picks up every
task left open by an earlier run. Stopping undoes it in reverse.

Limits: a request body over ``max_body`` gets 413 before it is read; uvicorn closes
connections past ``max_connections`` with 503 (``_server``). Every answer says how long the
relay itself took (``Server-Timing: relay;dur=<ms>``), which the benchmark reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import AsyncIterator
from typing import Final

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .._files import sweep_temp_files
from ..request.catalog import VIDEO_MIME_BY_SUFFIX
from . import _teacher as teacher
from ._answers import error
from ._api import api
from ._config import RelayConfig
from ._ledger import Ledger
from ._roster import Roster
from ._state import Relay
from ._upstream import Upstream
from ._worker import Worker

_MEDIA_NAME: Final = re.compile(r"^[A-Za-z0-9-]{1,64}\.[a-z0-9]{2,4}$")


class Limits:
    """ASGI middleware: refuse oversized bodies (413) and time each answer."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.max_body:
            body = {"errors": [error("requestTooLarge", "bad or too large Content-Length")]}
            await JSONResponse(body, 413)(scope, receive, send)
            return
        seen = 0
        answered = False

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                raise ValueError("request body over the limit")
            return message

        async def timed(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.start":
                answered = True
                took = (time.perf_counter() - started) * 1000
                headers = [
                    *message.get("headers", []),
                    (b"server-timing", f"relay;dur={took:.3f}".encode()),
                ]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, limited, timed)
        except ValueError:
            if seen <= self.max_body or answered:
                raise
            body = {"errors": [error("requestTooLarge", "the request body is over the limit")]}
            await JSONResponse(body, 413)(scope, receive, send)


async def media(request: Request) -> Response:
    """A result file the relay keeps (an unguessable name, as Runware's URLs are)."""
    relay: Relay = request.app.state.relay
    name = request.path_params["name"]
    path = relay.config.media_dir / name
    if not _MEDIA_NAME.match(name) or not path.is_file():
        return JSONResponse({"errors": [error("notFound", "no such file")]}, 404)
    mime = VIDEO_MIME_BY_SUFFIX.get(path.suffix, "application/octet-stream")
    return FileResponse(path, media_type=mime, headers={"Cache-Control": "no-store"})


async def health(request: Request) -> Response:
    return JSONResponse({"ok": True, "service": "wan-notebook relay"})


def build_app(config: RelayConfig) -> Starlette:
    """The relay's app; its lifespan starts and stops everything it needs."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        ledger = Ledger(config.db)
        try:
            roster = Roster(config.roster)
            config.media_dir.mkdir(parents=True, exist_ok=True)
            sweep_temp_files(config.media_dir)  # downloads a killed relay left half done
            upstream = await Upstream.start(config)
        except BaseException:
            ledger.close()
            raise
        worker = Worker(ledger, upstream, config.media_dir, config.poll_interval)
        app.state.relay = Relay(config, roster, ledger, upstream, worker)
        running = asyncio.create_task(worker.run(), name="wan-relay-worker")
        try:
            yield
        finally:
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running
            await worker.close()
            await upstream.close()
            ledger.close()

    routes = [
        Route("/v1", api, methods=["POST"]),
        Route("/v1/", api, methods=["POST"]),
        Route("/media/{name}", media, methods=["GET", "HEAD"]),
        Route("/health", health, methods=["GET"]),
        Route("/", teacher.page, methods=["GET"]),
        Route("/show/{task_id:int}", teacher.show, methods=["GET"]),
        Route("/login", teacher.login, methods=["POST"]),
        Route("/logout", teacher.logout, methods=["POST"]),
        Route("/teacher/budget", teacher.set_budget, methods=["POST"]),
        Route("/teacher/pause", teacher.set_paused, methods=["POST"]),
        Route("/teacher/state", teacher.state, methods=["GET"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(Limits, max_body=config.max_body)
    return app
