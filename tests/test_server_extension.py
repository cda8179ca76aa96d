"""The server extension serves the widget bundle under the server's base URL."""

from __future__ import annotations

import logging
import socket
from typing import Any

import pytest

from tests.fresh_imports import loaded_by_import
from wan_notebook import _server_extension as _server
from wan_notebook._server_extension import STATIC_DIR
from wan_notebook.widgets import bundle_available
from wan_notebook.widgets._base import BUNDLE_VERSION

tornado_web = pytest.importorskip("tornado.web")
httpclient = pytest.importorskip("tornado.httpclient")
pytestmark = pytest.mark.skipif(not bundle_available(), reason="front-end bundle not built")


class FakeServerApp:
    """What the extension uses of a jupyter_server ServerApp: ``web_app`` and ``log``."""

    def __init__(self, base_url: str) -> None:
        self.web_app = tornado_web.Application(base_url=base_url)
        self.log = logging.getLogger("test-server-ext")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def fetch(app: FakeServerApp, path: str) -> Any:
    port = free_port()
    server = app.web_app.listen(port, address="127.0.0.1")
    try:
        client = httpclient.AsyncHTTPClient()
        return await client.fetch(f"http://127.0.0.1:{port}{path}", raise_error=False)
    finally:
        server.stop()


def test_the_extension_names_its_own_module() -> None:
    points = _server._jupyter_server_extension_points()
    assert points == [{"module": "wan_notebook._server_extension"}]


@pytest.mark.parametrize("base_url", ["/", "/user/ann/"])
async def test_serves_the_bundle_under_the_base_url(base_url: str) -> None:
    app = FakeServerApp(base_url)
    _server._load_jupyter_server_extension(app)
    js = await fetch(app, f"{base_url}wan-notebook/static/widgets.js?v={BUNDLE_VERSION}")
    assert js.code == 200
    assert js.body == (STATIC_DIR / "widgets.js").read_bytes()
    assert "javascript" in js.headers["Content-Type"]
    assert "max-age" in js.headers.get("Cache-Control", "")  # versioned: cached for good
    css = await fetch(app, f"{base_url}wan-notebook/static/widgets.css")
    assert css.code == 200
    assert css.headers["Content-Type"].startswith("text/css")


async def test_nothing_outside_the_static_folder() -> None:
    app = FakeServerApp("/")
    _server._load_jupyter_server_extension(app)
    escape = await fetch(app, "/wan-notebook/static/..%2F_version.py")
    assert escape.code in (403, 404)
    missing = await fetch(app, "/wan-notebook/static/nope.js")
    assert missing.code == 404


def test_loading_the_extension_imports_none_of_the_widgets() -> None:
    # Every Jupyter server imports it at start; the widgets' stack took 0.26 s there.
    widgets = ("anywidget", "ipywidgets", "IPython", "wan_notebook.widgets")
    assert loaded_by_import("wan_notebook._server_extension", widgets) == []
