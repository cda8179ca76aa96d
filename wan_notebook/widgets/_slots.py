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
    _unpin_routes(widget)
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
        context = contextvars.Context()
        context.run(_header_only_parent)
        return context.run(function, *args, **kwargs)

    return run


# ----- comm routes (ipykernel 7 with comms over subshells) -----------------------------------
# JupyterLab 4.4+ and Notebook 7 send widget messages to a kernel subshell, which handles
# them while a cell runs. But ipykernel 7 sends a comm's next browser message to the subshell
# of the request the comm last answered: a widget made by a cell (its comm_open answers the
# cell), or updated with the cell's full parent, has its clicks queued behind that cell, so
# Cancel cannot end a cell's ``job.wait()`` (issue 10, finding 10).


def _header_only_parent() -> None:
    """In this context, the latest request's header alone is the shell parent: messages
    still go out as part of that request, and pin no comm route (a header has no "header"
    key, which is what ipykernel reads a route from)."""
    kernel = getattr(_ipython(), "kernel", None)
    var = getattr(kernel, "_shell_parent", None)
    if kernel is not None and isinstance(var, contextvars.ContextVar):
        try:
            header = kernel.get_parent("shell").get("header")
        except Exception:  # noqa: BLE001 - an older or other kernel: nothing to keep
            header = None
        if isinstance(header, dict) and header.get("msg_id"):
            var.set(dict(header))


def _unpin_routes(widget: Any) -> None:
    """Let the browser's choice of subshell route the messages of ``widget`` and of the
    widgets inside it (see above), instead of the cell that made them."""
    stack, seen = [widget], set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        comm = getattr(item, "comm", None)
        lock = getattr(comm, "_reply_subshell_lock", None)
        if lock is not None:
            with lock:
                vars(comm).pop("_reply_subshell_id", None)
        stack.extend(getattr(item, "children", None) or ())


def _ipython() -> Any:
    from IPython import get_ipython

    return get_ipython()
