"""Shared base of the wan-notebook anywidgets.

Every widget class loads the same front-end bundle (``static/widgets.js`` and
``static/widgets.css``, built from ``js/`` by esbuild) and tells it which view
to draw through the read-only ``_kind`` trait.

If the bundle has not been built (a source checkout without ``npm run build``),
importing still works: the widgets render a short note saying how to build it.
"""

from __future__ import annotations

import pathlib
from typing import Any, ClassVar

import anywidget
import traitlets

__all__ = ["STATIC_DIR", "WanWidget", "bundle_available"]

STATIC_DIR = pathlib.Path(__file__).resolve().parent.parent / "static"
_ESM_PATH = STATIC_DIR / "widgets.js"
_CSS_PATH = STATIC_DIR / "widgets.css"

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

    _esm = _ESM_PATH if _ESM_PATH.is_file() else _MISSING_BUNDLE_ESM
    _css = _CSS_PATH if _CSS_PATH.is_file() else ""

    _kind = traitlets.Unicode("", read_only=True).tag(sync=True)

    _repr_traits: ClassVar[tuple[str, ...]] = ()
    _repr_always: ClassVar[tuple[str, ...]] = ()

    def __repr__(self) -> str:
        """``Name(trait=value, ...)``: no memory address, so nbval can compare it."""
        parts = []
        for name in self._repr_traits:
            value: Any = getattr(self, name)
            if name not in self._repr_always and value == self.trait_defaults(name):
                continue
            parts.append(f"{name}={_short_repr(value)}")
        return f"{type(self).__name__}({', '.join(parts)})"
