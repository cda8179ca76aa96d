"""The ``wan-notebook`` command: ``demo`` (the main job end to end), ``serve`` (the engine) and
``relay`` (the classroom relay).

Each subcommand lives with what it runs and adds its own parser: ``serve`` comes from the
engine package (``wan_notebook.local.cli``), ``demo`` from ``wan_notebook._demo``. A new
subcommand is one more entry in ``SUBCOMMANDS``. ``python -m wan_notebook`` is the same.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from ._demo import add_demo
from ._version import __version__
from .local.cli import add_serve, run
from .relay._cli import add_parser as add_relay

# Each entry adds one parser to the subparsers, in the order `--help` lists them.
SUBCOMMANDS: list[Callable[[Any], None]] = [add_serve, add_demo, add_relay]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wan-notebook", description="wan-notebook tools")
    parser.add_argument("--version", action="version", version=f"wan-notebook {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_parser(), argv)
