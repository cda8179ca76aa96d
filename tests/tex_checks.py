"""Is every ``$`` of some HTML inside an element MathJax ignores? (finding 2 of issue 12)"""

from __future__ import annotations

from html.parser import HTMLParser

from wan_notebook.display import NO_TEX

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}  # fmt: skip
# MathJax skips the text of these tags anyway (its default skipHtmlTags).
_SKIPPED = {"script", "noscript", "style", "textarea", "pre", "code"}


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: is MathJax kept out here?
        self.exposed: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        ignored = tag in _SKIPPED or all(c in classes for c in NO_TEX.split())
        self.stack.append(ignored or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if "$" in data and not (self.stack and self.stack[-1]):
            self.exposed.append(data.strip())


def dollars_mathjax_would_read(html: str) -> list[str]:
    """The text runs with a ``$`` that MathJax would scan for TeX (empty: all safe)."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.exposed
