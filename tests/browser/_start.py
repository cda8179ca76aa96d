"""Start a Jupyter server and a page for it; stop both when done."""

from __future__ import annotations

import contextlib
import pathlib
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ._frontend import JupyterFrontend
from ._server import App, JupyterServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@contextlib.contextmanager
def running_frontend(
    app: App, browser: Browser, workdir: pathlib.Path, **options: Any
) -> Iterator[JupyterFrontend]:
    """``start_frontend`` for a ``with`` block: the server is shut down on exit."""
    frontend = start_frontend(app, browser, workdir, **options)
    try:
        yield frontend
    finally:
        frontend.shutdown()


def start_frontend(
    app: App,
    browser: Browser,
    workdir: pathlib.Path,
    *,
    prepare: Callable[[pathlib.Path], None] | None = None,
    env: Mapping[str, str | None] | None = None,
) -> JupyterFrontend:
    """Start a server with its root in ``workdir/root`` and a page for it.

    ``prepare(root)`` runs before the server starts (e.g. to copy fixtures in);
    ``env`` is extra environment for the server and its kernels (see
    :class:`JupyterServer`).
    """
    root = workdir / "root"
    root.mkdir(parents=True, exist_ok=True)
    if prepare is not None:
        prepare(root)
    server = JupyterServer(app, root, workdir / "home", env=env).start()
    try:
        return JupyterFrontend(server, browser)
    except Exception:
        server.stop()
        raise
