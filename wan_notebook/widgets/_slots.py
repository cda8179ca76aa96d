"""How a live view goes on the page: its widget output, then a static slot right under it.

A widget's output is its widget-view bundle with a ``text/plain`` sentence that stays true
when the notebook is saved (``display.live_sentence``) and an empty ``text/html``: renderers
that cannot show the widget (nbconvert without widget state, an untrusted notebook) pick
that instead of a raw ``VBox(children=...)`` repr, and show nothing there.

The static slot is a second output with a display id. It says what is pending at first, and
is filled with the static fallback (``display.static_html`` ...) and a state sentence when
the jobs end. While the live view is on screen the bundle's CSS hides it (``.wan-live``);
reopened without widget models, it is what people see, and its style rule hides the dead
widget output above it (``display._markup.DEAD_WIDGET_STYLE``).
"""

from __future__ import annotations

import contextvars
import functools
import threading
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from IPython.display import display

from ..display import pending_html

__all__ = [
    "StaticSlot",
    "in_latest_request",
    "show_static",
    "show_widget",
    "widget_bundle",
    "with_sentence",
]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_P = ParamSpec("_P")
_R = TypeVar("_R")


def widget_bundle(widget: Any, text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The widget's own display bundle, with ``text`` as its plain text and an empty HTML."""
    return with_sentence(widget._repr_mimebundle_(), text)


def with_sentence(shown: Any, text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A widget's ``_repr_mimebundle_`` result with ``text`` and an empty HTML put in."""
    data, metadata = shown if isinstance(shown, tuple) else (shown, {})
    data = {**data, "text/plain": text, "text/html": ""}
    return data, dict(metadata or {})


def show_widget(widget: Any, text: str) -> None:
    """Display a live widget in this cell, with ``text`` for text-only renderers."""
    data, metadata = widget_bundle(widget, text)
    display(data, metadata=metadata, raw=True)


def show_static(html: str, text: str) -> None:
    """A static output that is final already (what a slot is once filled)."""
    display({"text/html": html, "text/plain": text}, raw=True)


class StaticSlot:
    """An output under a live view, filled with its static fallback (again on each change)."""

    def __init__(self, pending: str, *, task: str = "") -> None:
        self._lock = threading.Lock()  # jobs end on the loop thread, a re-display on another
        self._handle: Any = display(
            {"text/html": pending_html(pending, task=task), "text/plain": pending},
            raw=True,
            display_id=True,
        )

    def fill(self, html: str, text: str) -> None:
        """Replace the pending note with the fallback (``html``) and its sentence."""
        data = {"text/html": html, "text/plain": text}
        with self._lock:
            in_latest_request(self._handle.update)(data, raw=True)


def in_latest_request(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``function`` run in an empty context, as in a thread people start themselves: what it
    sends goes out as part of the request the kernel handles now (or handled last).

    For job callbacks. A job ends on its own time, usually while another cell runs
    (``job.wait()``), and its context would give the parent of the cell that started it.
    Front ends route comm messages and display updates by their ids whatever the parent;
    nbclient (so nbconvert --execute, papermill) keeps only the messages of the cell it is
    running: it would drop the update, and the saved file keep the pending note and the
    widget state of the start.
    """

    @functools.wraps(function)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        return contextvars.Context().run(function, *args, **kwargs)

    return run
