"""Every view of the product in JupyterLab, live, saved and reopened: see notebook_ui.py."""

from __future__ import annotations

from .notebook_ui import NotebookViews


class TestJupyterLab(NotebookViews):
    app = "lab"
