"""A grid of static tiles as an HTML table: the one layout that survives every renderer.

nbconvert, an untrusted notebook and GitHub drop stylesheets and many inline styles, but a
table stays a table: rows and columns, with headings. The inline styles here only undo what
notebook front ends do to rendered tables (right-aligned, padded, zebra-striped cells).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from ._markup import escape

__all__ = ["TILE_WIDTH", "grid_table", "reflow"]

TILE_WIDTH: Final = 248  # px of a tile's column at most (the table shrinks to fit the page)
COLUMNS: Final = 4  # a plain grid's columns when it has no labels
_LABEL_EM: Final = 12  # width of the row headings (prompts) of a matrix
_HEAD: Final = "font:600 12px/1.3 sans-serif;opacity:.8;padding:2px 4px;border:none"
_TILE: Final = 'style="vertical-align:top;text-align:left;padding:0;background:none;border:none"'


def reflow(count: int, columns: int = COLUMNS) -> list[tuple[int, int]]:
    """(row, col) of ``count`` tiles in rows of ``columns`` (fewer if there are fewer)."""
    width = min(columns, max(1, count))
    return [(i // width, i % width) for i in range(count)]


def grid_table(
    cells: Mapping[tuple[int, int], str],
    *,
    row_labels: Sequence[str] = (),
    col_labels: Sequence[str] = (),
) -> str:
    """A table of tile HTML by (row, col); headings from the labels, if any."""
    rows = max((r for r, _ in cells), default=-1) + 1
    cols = max([c for _, c in cells] + [len(col_labels) - 1]) + 1
    # Columns of equal width (a fixed layout), and a narrower one for the row headings.
    cols_html = (f'<col style="width:{_LABEL_EM}em">' if row_labels else "") + "<col>" * cols
    head = ""
    if col_labels:
        corner = f"<th {_head_style('center')}></th>" if row_labels else ""
        heads = "".join(f"<th {_head_style('center')}>{escape(c)}</th>" for c in col_labels)
        head = f'<thead style="border:none">{_row(corner + heads)}</thead>'
    body = []
    for r in range(rows):
        label = row_labels[r] if r < len(row_labels) else ""
        lead = f'<th scope="row" {_head_style("left")}>{escape(label)}</th>' if row_labels else ""
        tiles = "".join(f"<td {_TILE}>{cells.get((r, c), '')}</td>" for c in range(cols))
        body.append(_row(lead + tiles))
    width = cols * TILE_WIDTH + (_LABEL_EM * 13 if row_labels else 0)
    return (
        '<table style="border-collapse:separate;border-spacing:8px 6px;table-layout:fixed;'
        f'width:100%;max-width:{width}px;margin:0 -8px;border:none">'
        f"<colgroup>{cols_html}</colgroup>{head}<tbody>{''.join(body)}</tbody></table>"
    )


def _row(cells: str) -> str:
    # Inline, to beat the notebook's zebra stripes and hover colour on rendered tables.
    return f'<tr style="background:none">{cells}</tr>'


def _head_style(align: str) -> str:
    return f'style="{_HEAD};text-align:{align};vertical-align:middle;background:none"'
