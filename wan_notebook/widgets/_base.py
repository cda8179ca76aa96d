"""Shared base of the wan-notebook anywidgets.

Every widget class renders with the same front-end bundle (``static/widgets.js`` and
``static/widgets.css``, built from ``js/`` by esbuild) and tells it which view to draw
through the read-only ``_kind`` trait.

Saved widget state stays small. anywidget syncs ``_esm`` and ``_css`` on every model, and
nbclient (``jupyter nbconvert --execute``, papermill) saves the state of every model into
the notebook: with the whole bundle, ~37 KB per widget. So ``_esm`` is a ~2 KB loader
(``static/bootstrap.js``) and ``_css`` is not synced; the loader fetches the bundle once per
page from the Jupyter server (``{base_url}wan-notebook/static/``, served by
:mod:`wan_notebook._server_extension`), or else asks the kernel for it
(``{"type": "need_bundle"}``, answered here): VS Code and Colab have no such server. To
save no widget state at all: ``jupyter nbconvert --execute
--NotebookClient.store_widget_state=False``. ``WAN_WIDGET_BUNDLE=embed`` puts the whole
bundle into every model again (self-contained state, e.g. for an HTML export with live
widgets); ``=dev`` loads it from the files with anywidget's hot reload.

If the bundle has not been built (a source checkout without ``npm run build``), importing
still works: the widgets render a short note saying how to build it.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any, ClassVar

import anywidget
import traitlets

from .._server_extension import STATIC_DIR

__all__ = ["BUNDLE_VERSION", "STATIC_DIR", "WanWidget", "bundle_available", "bundle_message"]

_ESM_PATH = STATIC_DIR / "widgets.js"
_CSS_PATH = STATIC_DIR / "widgets.css"
_BOOTSTRAP_PATH = STATIC_DIR / "bootstrap.js"
_VERSION_MARK = "__WAN_BUNDLE_VERSION__"

# Multi-line on purpose: anywidget treats a one-line string ending in a file
# suffix as a path.
_MISSING_BUNDLE_ESM = """
export default {
  render({ model, el }) {
    el.textContent =
      "wan-notebook: the widget front end is not built. " +
      "Run `npm ci && npm run build` in the js/ folder, then re-run this cell.";
  },
};
"""

_REPR_MAX_CHARS = 40


def bundle_available() -> bool:
    """Whether the built front-end bundle is present."""
    return _ESM_PATH.is_file()


def _bundle_version() -> str:
    if not bundle_available():
        return ""
    digest = hashlib.sha256(_ESM_PATH.read_bytes())
    if _CSS_PATH.is_file():
        digest.update(_CSS_PATH.read_bytes())
    return digest.hexdigest()[:12]


BUNDLE_VERSION = _bundle_version()
"""Hash of the built bundle: the cache key of its URL (``?v=``) in the browser."""


def _esm_and_css() -> tuple[Any, Any]:
    mode = os.environ.get("WAN_WIDGET_BUNDLE", "").strip().lower()
    if not bundle_available():
        return _MISSING_BUNDLE_ESM, ""
    if mode == "dev":  # file paths: anywidget watches them (ANYWIDGET_HMR=1)
        return _ESM_PATH, _CSS_PATH
    if mode == "embed" or not _BOOTSTRAP_PATH.is_file():
        return _ESM_PATH.read_text(), _CSS_PATH.read_text() if _CSS_PATH.is_file() else ""
    loader = _BOOTSTRAP_PATH.read_text().replace(_VERSION_MARK, BUNDLE_VERSION)
    # Two lines at least: anywidget takes a one-line string ending in ".js" for a path.
    return f"//\n{loader}", None


_ESM, _CSS = _esm_and_css()


def bundle_message() -> dict[str, str]:
    """The answer to a view's ``need_bundle``: the bundle's JavaScript and CSS."""
    css = _CSS_PATH.read_text() if _CSS_PATH.is_file() else ""
    return {"type": "bundle", "version": BUNDLE_VERSION, "js": _ESM_PATH.read_text(), "css": css}


def _short_repr(value: object) -> str:
    text = repr(value)
    if isinstance(value, str) and len(value) > _REPR_MAX_CHARS:
        text = repr(value[: _REPR_MAX_CHARS - 1] + "…")
    return text


class WanWidget(anywidget.AnyWidget):
    """Base class: loads the shared bundle and gives a stable ``repr``.

    Subclasses set ``_kind`` (the view the bundle renders) and
    ``_repr_traits`` (the traits shown by ``repr``, in order, skipped while
    they hold their default value unless listed in ``_repr_always``).
    """

    _esm = _ESM
    if _CSS is not None:  # no `_css` trait at all when the loader brings the styles
        _css = _CSS

    _kind = traitlets.Unicode("", read_only=True).tag(sync=True)

    _repr_traits: ClassVar[tuple[str, ...]] = ()
    _repr_always: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.on_msg(self._answer_bundle_request)

    def _answer_bundle_request(self, _widget: object, content: Any, _buffers: object) -> None:
        wanted = isinstance(content, dict) and content.get("type") == "need_bundle"
        if wanted and bundle_available():
            self.send(bundle_message())

    def __repr__(self) -> str:
        """``Name(trait=value, ...)``: no memory address, so nbval can compare it."""
        parts = []
        for name in self._repr_traits:
            value: Any = getattr(self, name)
            if name not in self._repr_always and value == self.trait_defaults(name):
                continue
            parts.append(f"{name}={_short_repr(value)}")
        return f"{type(self).__name__}({', '.join(parts)})"
