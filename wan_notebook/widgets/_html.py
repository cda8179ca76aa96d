"""The look of the ipywidgets forms (the Builder and the history gallery), written once.

The forms style their text with the classes of one stylesheet, ``STYLE``, rather than inline
styles repeated in every string. Each form holds that sheet in a hidden ``stylesheet()``
widget: the anywidget bundle's CSS is loaded only while one of its widgets is on the page,
and a form is plain ipywidgets. The sheet also hides a live form's static slot (its saved
previews) while the form is on screen, as the bundle's CSS does for the anywidgets.
Controls get stable CSS classes (``styled``); the browser tests find controls by them.
"""

from __future__ import annotations

import html
from typing import Any, Final, TypeVar

import ipywidgets as W

from ..display import NO_TEX
from ..errors import WanError

__all__ = [
    "RED",
    "STYLE",
    "code_block",
    "count_html",
    "error_html",
    "escape",
    "mark",
    "note",
    "row",
    "styled",
    "stylesheet",
]

RED: Final = "#d32f2f"
_INVALID_BORDER: Final = f"2px solid {RED}"

STYLE: Final = f"""<style>
.wan-note {{ color: #666; font-size: 12px; }}
.wan-aside {{ color: #555; }}
.wan-error {{ color: {RED}; }}
.wan-error-box {{ color: {RED}; border: 1px solid {RED}; border-radius: 4px;
  padding: 4px 8px; background: #fff5f5; }}
.wan-error-box ul {{ margin: 2px 0; }}
.wan-code {{ white-space: pre-wrap; word-break: break-all; margin: 0; padding: 6px;
  background: #f6f8fa; border-radius: 4px; font-size: 12px; }}
.wan-builder-title h4 {{ margin: 4px 0; }}
.wan-builder-cost span {{ font-size: 14px; }}
.wan-history-thumb {{ width: 100%; aspect-ratio: 16/9; object-fit: contain;
  background: #222; border-radius: 4px; }}
.wan-history-prompt {{ font-size: 13px; line-height: 1.3; margin: 4px 0;
  overflow-wrap: anywhere; }}
.wan-history-meta {{ color: #666; font-size: 12px; line-height: 1.4; margin-bottom: 4px; }}
.jp-OutputArea-child:has(.wan-live) ~ .jp-OutputArea-child .wan-static {{ display: none; }}
</style>"""

_T = TypeVar("_T")

escape = html.escape


def stylesheet() -> Any:
    """A hidden widget that carries ``STYLE`` (put one in every form)."""
    sheet = W.HTML(STYLE, layout=W.Layout(display="none"))
    sheet.add_class("wan-style")
    return sheet


def styled(widget: _T, name: str) -> _T:
    """Give a widget its stable CSS class, ``wan-<name>`` (e.g. ``builder-prompt``)."""
    widget.add_class(f"wan-{name}")  # type: ignore[attr-defined]
    return widget


def row(*children: Any) -> Any:
    """Controls side by side, wrapping on a narrow page."""
    return W.HBox(list(children), layout=W.Layout(align_items="center", flex_flow="row wrap"))


def mark(widget: Any, invalid: bool, css_class: str) -> None:
    """Outline a control in red and give it ``css_class``, or clear both."""
    # The border is the widget's own layout, so it shows without the stylesheet too.
    if invalid:
        widget.add_class(css_class)
        widget.layout.border = _INVALID_BORDER
    else:
        widget.remove_class(css_class)
        widget.layout.border = None


def note(text: str, *, css: str = "wan-note", tag: str = "span") -> str:
    """Quiet text: ``wan-note`` for help under a control, ``wan-aside`` for a remark."""
    return f'<{tag} class="{css}">{escape(text)}</{tag}>'


def count_html(length: int, limit: int) -> str:
    """``length / limit`` in grey, or in bold red past the limit."""
    # Inline, not a class: the colour is the message, and it changes with every keystroke.
    color, weight = (RED, "bold") if length > limit else ("#666", "normal")
    return (
        f'<span style="color:{color};font-weight:{weight};font-size:12px">{length} / {limit}</span>'
    )


def code_block(text: str, css: str) -> str:
    """Code as a wrapped ``<pre>`` (``css`` names it for tests and the browser)."""
    return f'<pre class="wan-code {css}">{escape(text)}</pre>'


def error_html(exc: BaseException) -> str:
    """An exception in red: a WanError's own short text and hint, else ``Type: message``."""
    text = str(exc) if isinstance(exc, WanError) else f"{type(exc).__name__}: {exc}"
    body = escape(text).replace("\n", "<br>")
    hint = getattr(exc, "hint", "")
    if hint:
        body += "<br>" + note(str(hint), css="wan-aside")
    return f'<div class="wan-error {NO_TEX}">{body}</div>'
