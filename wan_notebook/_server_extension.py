"""Jupyter server extension: serves the widgets' front-end bundle to the browser.

It imports nothing of the widgets (nor anywidget, ipywidgets or IPython): every Jupyter
server loads it at start, and from inside ``widgets/`` it took 0.26 s, which the server
logged as a slow extension at each start.

The widgets' ``_esm`` is a small loader (see ``_base``) that imports
``{base_url}wan-notebook/static/widgets.js?v=<hash>`` once per page; this extension serves
the package's ``static/`` folder there, so neither a live nor a reopened notebook needs the
bundle inside its widget state. Enabled by ``jupyter-config/jupyter_server_config.d/
wan_notebook.json`` (installed with the package), or by hand::

    jupyter server extension enable wan_notebook._server_extension

Files are public, like Jupyter's own ``/static/``: the bundle holds no secret. The ``v``
query (the bundle's hash) lets browsers cache them for good.
"""

from __future__ import annotations

import pathlib
from typing import Any

__all__ = ["ROUTE", "STATIC_DIR"]

STATIC_DIR = pathlib.Path(__file__).resolve().parent / "static"
"""The built front end (``widgets.js``, ``widgets.css``, ``bootstrap.js``)."""

ROUTE = "wan-notebook/static/"
"""Where the files are served, under the server's base URL."""


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Add the static route to the server's web application."""
    from jupyter_server.utils import url_path_join
    from tornado.web import StaticFileHandler

    web_app = serverapp.web_app
    pattern = url_path_join(web_app.settings.get("base_url", "/"), ROUTE, "(.*)")
    web_app.add_handlers(".*$", [(pattern, StaticFileHandler, {"path": str(STATIC_DIR)})])
    serverapp.log.info("wan-notebook: serving the widget bundle at %s", pattern)
