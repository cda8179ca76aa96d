"""``wan-notebook relay``: run a classroom relay, and manage its roster.

    wan-notebook relay --port 8000 --upstream local|URL --roster roster.csv \\
                       --teacher-token T [--db relay.sqlite] [--host 127.0.0.1] [--public]
                       [--public-url URL] [--max-in-flight 4] [--ssl-certfile F --ssl-keyfile F]
    wan-notebook relay add-student NAME --budget 5 [--roster roster.csv]
    wan-notebook relay roster [--roster roster.csv] [--db relay.sqlite]

A URL upstream takes the teacher's key from ``RUNWARE_API_KEY`` only, never from the command
line (other users of the machine can read command lines). The teacher token may come from
``WAN_TEACHER_TOKEN`` instead of ``--teacher-token``; without either a random one is made
and shown once. New student tokens are shown once; the roster keeps only their hashes.

Students then run, in their notebook: ``%wan connect http://HOST:PORT/v1`` (which asks for
the token), or set ``WAN_BASE_URL=http://HOST:PORT/v1`` and ``RUNWARE_API_KEY=<token>``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._secrets import register_secret
from ..errors import BadValueError

DEFAULT_ROSTER = Path("roster.csv")
DEFAULT_DB = Path("relay.sqlite")


def _roster_option(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument("--roster", type=Path, default=default, help="the roster CSV")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``relay`` (and its ``add-student`` / ``roster`` commands) to a subparsers object."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "relay",
        help="run a classroom relay: one key for a class, a budget per student",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _configure(p)
    return p


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 = a free one)")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    p.add_argument("--public", action="store_true", help="allow binding a non-loopback host")
    p.add_argument("--public-url", help="scheme://host:port students reach (behind a proxy)")
    p.add_argument("--upstream", default="local", help="'local' (the engine) or a Runware URL")
    p.add_argument("--teacher-token", help="the teacher's token (or WAN_TEACHER_TOKEN)")
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help="the ledger (SQLite)")
    p.add_argument("--max-in-flight", type=int, default=4, help="running tasks per student")
    p.add_argument("--poll-interval", type=float, default=0.5, help="seconds between polls")
    p.add_argument("--local-delay", type=float, default=3.0, help="local engine: s per clip")
    p.add_argument("--local-render", choices=("full", "tiny"), default="full")
    p.add_argument("--ssl-certfile", help="serve https with this certificate (PEM)")
    p.add_argument("--ssl-keyfile", help="the certificate's private key (PEM)")
    _roster_option(p, DEFAULT_ROSTER)
    p.set_defaults(handler=_serve)
    sub = p.add_subparsers(dest="relay_command", metavar="COMMAND")
    add = sub.add_parser("add-student", help="add a student; prints their token once")
    add.add_argument("name")
    add.add_argument("--budget", type=float, required=True, help="USD")
    _roster_option(add, argparse.SUPPRESS)  # given here or before the command
    add.set_defaults(handler=_add_student)
    show = sub.add_parser("roster", help="list the students (and spend, with --db)")
    _roster_option(show, argparse.SUPPRESS)
    show.add_argument("--db", type=Path, default=argparse.SUPPRESS)
    show.set_defaults(handler=_show_roster)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m wan_notebook.relay ARGS`` (= ``wan-notebook relay ARGS``)."""
    parser = argparse.ArgumentParser(
        prog="wan-notebook relay",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _configure(parser)
    args = parser.parse_args(argv)
    result: int = args.handler(args)
    return result


def _serve(args: argparse.Namespace) -> int:
    from ._config import RelayConfig
    from ._server import serve

    tls_problem = _tls_problem(args.ssl_certfile, args.ssl_keyfile)
    if tls_problem:
        print(f"wan-notebook relay: {tls_problem}", file=sys.stderr)
        return 2
    token = args.teacher_token or os.environ.get("WAN_TEACHER_TOKEN")
    made = token is None
    token = token or "wan-teacher-" + secrets.token_urlsafe(18)
    register_secret(token)
    upstream_key = os.environ.get("RUNWARE_API_KEY") if args.upstream != "local" else None
    try:
        config = RelayConfig(
            roster=args.roster, teacher_token=token, upstream=args.upstream,
            upstream_key=upstream_key, db=args.db, host=args.host, port=args.port,
            public=args.public, public_url=args.public_url, max_in_flight=args.max_in_flight,
            poll_interval=args.poll_interval, local_delay=args.local_delay,
            local_render=args.local_render,
        )  # fmt: skip
    except ValueError as exc:
        print(f"wan-notebook relay: {exc}", file=sys.stderr)
        return 2
    if made:
        print(f"teacher token (shown once): {token}", file=sys.stderr)
    print(
        f"wan-notebook relay: roster {args.roster}, ledger {args.db}, upstream {args.upstream}",
        file=sys.stderr,
    )
    return serve(config, ssl_certfile=args.ssl_certfile, ssl_keyfile=args.ssl_keyfile)


def _tls_problem(certfile: str | None, keyfile: str | None) -> str | None:
    """Why the TLS options cannot work, before anything starts (a key alone would otherwise
    be ignored and the relay would serve plain http)."""
    if keyfile and not certfile:
        return "--ssl-keyfile needs --ssl-certfile (the certificate, PEM)"
    for flag, path in (("--ssl-certfile", certfile), ("--ssl-keyfile", keyfile)):
        if path and not Path(path).is_file():
            return f"{flag} {path}: no such file"
    return None


def _add_student(args: argparse.Namespace) -> int:
    from ._roster import Roster

    if not args.budget >= 0:
        print("wan-notebook relay: --budget must be 0 or more", file=sys.stderr)
        return 2
    try:
        roster = Roster(args.roster)
        if roster.get(args.name) is not None:
            raise BadValueError(f"{args.name!r} is on the roster already")
        token = roster.add(args.name, args.budget)
    except ValueError as exc:
        print(f"wan-notebook relay: {exc}", file=sys.stderr)
        return 2
    print(f"{args.name}: budget ${args.budget:.2f}; token (shown once, hand it over now):")
    print(token)
    return 0


def _show_roster(args: argparse.Namespace) -> int:
    from ._ledger import Ledger
    from ._roster import Roster

    try:
        roster = Roster(args.roster)
    except ValueError as exc:
        print(f"wan-notebook relay: {exc}", file=sys.stderr)
        return 2
    spent: dict[str, float] = {}
    db = getattr(args, "db", None)
    if db is not None and Path(db).exists():
        ledger = Ledger(Path(db), readonly=True)
        try:
            spent = {name: s.spent for name, s in ledger.standings().items()}
        finally:
            ledger.close()
    print(f"{'student':24} {'spent':>9} {'budget':>9}")
    for s in roster.students:
        print(f"{s.name:24} {spent.get(s.name, 0.0):>9.2f} {s.budget:>9.2f}")
    return 0
