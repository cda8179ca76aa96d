"""The engine's connections: one I/O thread waits on all of them, a fixed pool serves them.

``ThreadingHTTPServer`` gives every connection a thread for its whole life, so 300 slow or
idle clients are 300 threads. ``PooledHTTPServer`` keeps the stdlib request handling but
changes who waits: one thread (``wan-engine-io``) accepts connections and watches every
idle one with a selector. A connection goes to a worker of a pool of ``workers`` threads
only once a complete request head has arrived (peeked at, not read), and comes back after
its request. So an idle keep-alive connection costs a file descriptor, not a thread; a
client that does not finish its head within ``head_timeout`` is closed without ever
holding a worker; at most ``max_connections`` are open (the oldest waiting one makes room).

The handler class is a ``BaseHTTPRequestHandler`` whose object lives as long as its
connection: ``setup()`` once, ``handle_one_request()`` per request, ``finish()`` at close.
"""

from __future__ import annotations

import contextlib
import queue
import selectors
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, Final

_HEAD_LIMIT: Final = 64 * 1024  # a request head longer than this is refused (stdlib: 64 KB)
_ACCEPTS_PER_WAKE: Final = 64


@dataclass(eq=False)
class _Conn:
    sock: socket.socket
    handler: BaseHTTPRequestHandler
    since: float  # monotonic: when it began waiting (for a head, or idle)
    busy: bool = False
    partial: bool = False  # part of a head has come: looked at again each tick
    peeked: int = 0  # bytes of the partial head seen at the last look


class PooledHTTPServer(HTTPServer):
    """An ``HTTPServer`` whose connections share a bounded pool of worker threads."""

    workers = 32
    head_timeout = 10.0  # seconds for a whole request head, from its first byte or idle
    idle_timeout = 300.0  # seconds an idle keep-alive connection is kept
    max_connections = 1024
    tick = 0.05  # seconds between looks at partial heads and timeouts

    def __init__(self, address: tuple[Any, ...], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._handler_class = handler
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="wan-engine-http")
        self._selector = selectors.DefaultSelector()
        self._conns: dict[socket.socket, _Conn] = {}
        self._lock = threading.Lock()
        self._back: queue.SimpleQueue[_Conn] = queue.SimpleQueue()  # from workers to I/O
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._stop = threading.Event()
        self._stopped = threading.Event()
        self._stopped.set()

    # ----- the I/O thread ------------------------------------------------------------------

    def serve_forever(self, poll_interval: float = 0.05) -> None:
        self._stopped.clear()
        self.socket.setblocking(False)
        self._selector.register(self.socket, selectors.EVENT_READ, "accept")
        self._selector.register(self._wake_r, selectors.EVENT_READ, "wake")
        try:
            while not self._stop.is_set():
                for key, _ in self._selector.select(min(poll_interval, self.tick)):
                    if key.data == "accept":
                        self._accept()
                    elif key.data == "wake":
                        with contextlib.suppress(OSError):
                            self._wake_r.recv(4096)
                    else:
                        self._look(key.data)
                self._take_back()
                self._sweep(time.monotonic())
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop the I/O thread (connections stay open until ``server_close``)."""
        self._stop.set()
        self._wake()
        self._stopped.wait()

    def server_close(self) -> None:
        """Close the listening socket, every connection, and the pool."""
        super().server_close()
        with self._lock:
            conns = list(self._conns.values())
            self._conns.clear()
        for conn in conns:
            self._close(conn, watched=False)
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._selector.close()
        self._wake_r.close()
        self._wake_w.close()

    def open_connections(self) -> int:
        with self._lock:
            return len(self._conns)

    def _accept(self) -> None:
        for _ in range(_ACCEPTS_PER_WAKE):
            try:
                sock, address = self.socket.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            if not self._make_room():
                with contextlib.suppress(OSError):
                    sock.close()
                continue
            cls = self._handler_class
            handler = cls.__new__(cls)  # set up here; its requests are handled by workers
            handler.request, handler.client_address, handler.server = sock, address, self
            try:
                handler.setup()
            except OSError:
                sock.close()
                continue
            conn = _Conn(sock, handler, time.monotonic())
            with self._lock:
                self._conns[sock] = conn
            self._watch(conn)

    def _make_room(self) -> bool:
        with self._lock:
            if len(self._conns) < self.max_connections:
                return True
            waiting = [c for c in self._conns.values() if not c.busy]
        if not waiting:
            return False
        self._close(min(waiting, key=lambda c: c.since))
        return True

    def _watch(self, conn: _Conn) -> None:
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.register(conn.sock, selectors.EVENT_READ, conn)

    def _unwatch(self, conn: _Conn) -> None:
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.unregister(conn.sock)

    def _look(self, conn: _Conn) -> None:
        """Data came: serve it once a whole head is there; until then, look each tick."""
        try:
            data = conn.sock.recv(_HEAD_LIMIT, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client went away
            self._close(conn)
        elif b"\r\n\r\n" in data or b"\n\n" in data or len(data) >= _HEAD_LIMIT:
            self._unwatch(conn)
            conn.busy, conn.partial = True, False
            try:
                self._pool.submit(self._serve, conn)
            except RuntimeError:  # the pool is shut down: the server is stopping
                self._close(conn)
        elif not conn.partial or len(data) != conn.peeked:
            # Level-triggered readiness would spin on a partial head: poll it instead.
            self._unwatch(conn)
            if not conn.partial:
                conn.since = time.monotonic()
            conn.partial, conn.peeked = True, len(data)

    def _sweep(self, now: float) -> None:
        with self._lock:
            waiting = [c for c in self._conns.values() if not c.busy]
        for conn in waiting:
            limit = self.head_timeout if conn.partial else self.idle_timeout
            if now - conn.since > limit:
                self._close(conn)
            elif conn.partial:
                self._look(conn)

    def _take_back(self) -> None:
        while True:
            try:
                conn = self._back.get_nowait()
            except queue.Empty:
                return
            conn.busy, conn.since = False, time.monotonic()
            self._watch(conn)

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")

    # ----- workers --------------------------------------------------------------------------

    def _serve(self, conn: _Conn) -> None:
        """Answer the request(s) that arrived, then hand the connection back (or close it)."""
        handler = conn.handler
        try:
            while True:
                handler.close_connection = True
                handler.handle_one_request()
                if handler.close_connection or not _buffered(conn):
                    break
        except Exception:  # noqa: BLE001 (a broken connection must not kill the worker)
            handler.close_connection = True
        if handler.close_connection or self._stop.is_set():
            self._close(conn, watched=False)
        else:
            self._back.put(conn)
            self._wake()

    def _close(self, conn: _Conn, *, watched: bool = True) -> None:
        if watched:  # only the I/O thread touches the selector
            self._unwatch(conn)
        with self._lock:
            self._conns.pop(conn.sock, None)
        with contextlib.suppress(Exception):
            conn.handler.finish()
        with contextlib.suppress(OSError):
            conn.sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            conn.sock.close()


def _buffered(conn: _Conn) -> bool:
    """True when the handler's read buffer already holds the next request (pipelining),
    which the selector cannot see."""
    rfile = getattr(conn.handler, "rfile", None)
    if rfile is None or not hasattr(rfile, "peek"):
        return False
    timeout = conn.sock.gettimeout()
    try:
        conn.sock.setblocking(False)
        return bool(rfile.peek(1))
    except OSError:
        return False
    finally:
        with contextlib.suppress(OSError):
            conn.sock.settimeout(timeout)
