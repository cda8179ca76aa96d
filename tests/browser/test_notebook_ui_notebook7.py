"""Every view of the product in Notebook 7, live, saved and reopened: see notebook_ui.py."""

from __future__ import annotations

from .notebook_ui import NotebookViews


class TestNotebook7(NotebookViews):
    app = "notebook"
