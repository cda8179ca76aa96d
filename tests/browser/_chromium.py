"""Headless Chromium from the system package, started through Playwright.

No browser download: ``executable_path`` points at ``/usr/bin/chromium`` (or
``$WAN_CHROMIUM``). Playwright is imported only for type checking here.
"""

from __future__ import annotations

import os
import pathlib
import shutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
"""Command-line flags for the system Chromium (root, no GPU, no network chatter)."""


def chromium_executable() -> str | None:
    """The Chromium binary: ``$WAN_CHROMIUM`` or ``/usr/bin/chromium``; None if absent."""
    candidate = os.environ.get("WAN_CHROMIUM") or "/usr/bin/chromium"
    if pathlib.Path(candidate).is_file():
        return candidate
    return shutil.which("chromium")


def launch_chromium(playwright: Playwright) -> Browser:
    """Start headless Chromium from the system package (never a download)."""
    executable = chromium_executable()
    if executable is None:
        msg = "Chromium not found; install Debian's `chromium` or set WAN_CHROMIUM"
        raise RuntimeError(msg)
    return playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
