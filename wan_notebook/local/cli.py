"""The engine's own command line: ``serve`` (a local preview engine — not Wan 2.6).

It is ``python -m wan_notebook.local serve``, what the launcher runs in its child process,
and also ``wan-notebook serve`` (``wan_notebook._cli`` adds it with ``add_serve``):

    wan-notebook serve [--host 127.0.0.1] [--port 0] [--key K|random] [--delay 3]
                       [--workers N] [--http-workers N] [--credit USD] [--faults JSON|@file]
                       [--render-mode full|small|tiny] [--media-dir DIR] [--ready-file PATH]

When it listens it prints one JSON line to stdout, ``{"url": "http://127.0.0.1:PORT/v1",
"pid": ...}`` (also written to ``--ready-file``). The key is never printed when you choose
it (``--key K`` or the ``WAN_ENGINE_KEY`` environment variable, which is how the launcher
passes it); without one a random key is made and shown once on stderr as ``key: ...``.
Hosts other than loopback need ``--public``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from .._files import write_atomic
from .._net import is_loopback
from .._version import __version__

Handler = Callable[[argparse.Namespace], int]


def add_serve(sub: Any) -> None:
    """Add the ``serve`` subcommand to an argparse subparsers object."""
    p = sub.add_parser(
        "serve",
        help="run the local engine (a local preview engine — not Wan 2.6)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port (default 0: a free one)")
    p.add_argument("--public", action="store_true", help="allow binding a non-loopback host")
    p.add_argument("--public-url", help="scheme://host:port used in result URLs (behind a proxy)")
    p.add_argument("--key", help="API key clients must send; 'random' (default) makes one")
    p.add_argument("--delay", type=float, default=3.0, help="seconds each clip reads 'processing'")
    p.add_argument("--workers", type=int, help="render threads (default: CPU count)")
    p.add_argument(
        "--http-workers", type=int, default=32, help="threads serving requests (default 32)"
    )
    p.add_argument("--credit", type=float, help="balance in USD (default: unlimited)")
    p.add_argument("--faults", help="fault injection knobs as JSON, or @file.json")
    p.add_argument(
        "--render-mode",
        choices=("full", "small", "tiny"),
        default="full",
        help="small: each clip at a quarter of its width and height; "
        "tiny: one small clip per format and duration, for load tests only",
    )
    p.add_argument("--media-dir", type=Path, help="where files live (default: a temp folder)")
    p.add_argument("--ttl-scale", type=float, default=1.0, help="multiply every ttl (tests)")
    p.add_argument("--fetch-timeout", type=float, default=5.0, help="seconds per input URL fetch")
    p.add_argument("--no-progress", action="store_true", help="omit progress on processing items")
    p.add_argument("--ready-file", type=Path, help="also write the ready JSON line here")
    p.add_argument(
        "--exit-on-stdin-eof",
        action="store_true",
        help="stop when stdin closes (the launcher uses this to tie us to its life)",
    )
    p.add_argument("--verbose", action="store_true", help="log each request to stderr")
    p.set_defaults(handler=serve)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m wan_notebook.local serve ...``: the engine alone, without the client side."""
    parser = argparse.ArgumentParser(
        prog="python -m wan_notebook.local", description="the wan-notebook local engine"
    )
    parser.add_argument("--version", action="version", version=f"wan-notebook {__version__}")
    add_serve(parser.add_subparsers(dest="command", metavar="COMMAND"))
    return run(parser, argv)


def run(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    """Run the subcommand ``argv`` names (its ``handler`` default); help and 2 without one."""
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    return handler(args)


# ----- serve -----------------------------------------------------------------------------------


def _load_faults(text: str | None) -> Any:
    from .faults import FaultConfig

    if not text:
        return FaultConfig()
    raw = Path(text[1:]).read_text() if text.startswith("@") else text
    knobs = json.loads(raw)
    if not isinstance(knobs, dict):
        raise ValueError("--faults must be a JSON object")
    return FaultConfig.from_json(knobs)


def serve(args: argparse.Namespace) -> int:
    """Run the engine until SIGTERM/SIGINT (or stdin EOF with ``--exit-on-stdin-eof``)."""
    from .._secrets import register_secret
    from ._config import ENGINE_NOTE, EngineConfig
    from .launcher import KEY_ENV, new_key
    from .server import start_server

    if not (is_loopback(args.host) or args.public):
        print(
            f"refusing to bind {args.host}: not loopback; add --public to serve other machines",
            file=sys.stderr,
        )
        return 2
    key = args.key if args.key and args.key != "random" else os.environ.get(KEY_ENV) or None
    generated = key is None
    key = key or new_key()
    register_secret(key)
    try:
        faults = _load_faults(args.faults)
        config = EngineConfig(
            api_key=key,
            delay=args.delay,
            workers=args.workers,
            http_workers=args.http_workers,
            credit=args.credit,
            render_mode=args.render_mode,
            progress=not args.no_progress,
            ttl_scale=args.ttl_scale,
            media_dir=args.media_dir,
            fetch_timeout=args.fetch_timeout,
            faults=faults,
        )
        server = start_server(
            config, host=args.host, port=args.port, public_url=args.public_url, verbose=args.verbose
        )
    except (ValueError, OSError) as exc:
        print(f"wan-notebook serve: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if args.exit_on_stdin_eof:
        threading.Thread(target=_watch_stdin, args=(stop,), daemon=True, name="wan-stdin").start()
    url = f"{args.public_url.rstrip('/') if args.public_url else server.root_url}/v1"
    ready = json.dumps({"url": url, "pid": os.getpid()})
    print(f"wan-notebook {__version__}: {ENGINE_NOTE}; listening on {url}", file=sys.stderr)
    if generated:
        print(f"key: {key}", file=sys.stderr)
    if args.ready_file:
        write_atomic(args.ready_file, ready + "\n", durable=False)
    print(ready, flush=True)
    sys.stderr.flush()
    while not stop.wait(1.0):  # wake up now and then so signals are handled promptly
        pass
    print("wan-notebook serve: stopping", file=sys.stderr)
    server.close()
    return 0


def _watch_stdin(stop: threading.Event) -> None:
    """The launcher holds our stdin pipe; EOF means it exited (even by kill -9)."""
    # os.read on the raw descriptor: a daemon thread blocked in the buffered sys.stdin
    # would abort the interpreter at exit (it cannot take the buffer's lock).
    try:
        fd = sys.stdin.fileno()
        while os.read(fd, 65536):
            pass
    except (OSError, ValueError):
        pass
    stop.set()
