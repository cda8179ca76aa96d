"""Small pieces of HTML every output shares: escaping, money that is never TeX, dead widgets.

Notebook 7, JupyterLab and nbconvert run MathJax over HTML outputs with ``$...$`` as inline
math, so "$0.00 spent; cap $0.40" turns into italic TeX. Entities do not help (MathJax reads
the DOM's text, where ``&#36;`` is a ``$`` again); the ignore classes of MathJax 3
(``mathjax_ignore``: Lab, Notebook 7) and MathJax 2 (``tex2jax_ignore``: nbconvert) do.
"""

from __future__ import annotations

import html
from typing import Final

__all__ = ["DEAD_WIDGET_STYLE", "NO_TEX", "Shown", "escape", "money", "no_tex"]

NO_TEX: Final = "tex2jax_ignore mathjax_ignore"
"""Classes that keep MathJax 2 and 3 away from an element and everything inside it."""

escape = html.escape


def no_tex(markup: str, *, tag: str = "div") -> str:
    """``markup`` inside an element that MathJax leaves alone (so ``$`` stays a dollar)."""
    return f'<{tag} class="{NO_TEX}">{markup}</{tag}>'


def money(usd: float | None, *, estimate: bool = False) -> str:
    """``$0.50`` (or ``~$0.50`` for an estimate); ``""`` when unknown. Plain text."""
    if usd is None or usd < 0:
        return ""
    return f"{'~' if estimate else ''}${usd:.2f}"


def cost_pair(estimated: float | None, billed: float | None) -> str:
    """``est. $0.75 · billed $0.75``: the estimate beside what was billed, each if known.

    Both are shown, never compared: the API's own examples bill 1.5033 for an estimated
    1.50 (issue 11). Mirrors ``costText`` of js/src/progress.js (the job card). Plain text.
    """
    parts = [f"est. {money(estimated)}" if money(estimated) else ""]
    parts.append(f"billed {money(billed)}" if money(billed) else "")
    return " · ".join(p for p in parts if p)


# A saved widget output whose model is gone (the notebook reopened without widget state)
# renders as a bare text line in JupyterLab and Notebook 7: "Error displaying widget: model
# not found" (its output element, a child of the output row, gets the class jupyter-widgets;
# a live widget's element with that class sits deeper), or "Loading widget..." with no
# kernel. These rules, shipped in each static fallback, hide such an output when a static
# fallback comes right after it: the first hides the whole row of the error, the second any
# output there that holds only text. A live widget has neither the class on its output
# element nor an element-free output, so it stays. (:has() cannot nest, hence two rules.)
_NEXT_IS_STATIC: Final = ":has(+* .wan-static)"
DEAD_WIDGET_STYLE: Final = (
    f"<style>.jp-OutputArea-child:has(>.jupyter-widgets){_NEXT_IS_STATIC},"
    f".jp-OutputArea-child{_NEXT_IS_STATIC}>.jp-OutputArea-output:not(:has(*))"
    "{display:none}</style>"
)


class Shown:
    """An output with HTML for notebooks and a plain sentence for text views.

    IPython's ``HTML`` object would give ``<IPython.core.display.HTML object>`` as its text;
    this gives the sentence. ``data`` is the HTML (as on ``IPython.display.HTML``).
    """

    def __init__(self, html_text: str, text: str) -> None:
        self.data = html_text
        self.text = text

    def _repr_html_(self) -> str:
        return self.data

    def _repr_pretty_(self, p: object, cycle: bool) -> None:
        p.text(self.text)  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return self.text
