"""Static fallbacks: a finished job, a grid of jobs or a form's videos, as plain HTML.

Each is the body of the output written under a live view (see ``widgets._slots``). A grid
stays a grid: a table whose rows and columns carry the live grid's labels (prompts, seeds),
each cell a small ``<figure>`` with its seed and cost. A table needs no stylesheet, so the
layout holds in nbconvert, an untrusted notebook and other renderers that drop styles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from .._text import shorten
from ._markup import escape, money
from ._posters import TILE_POSTER_BYTES, TILE_POSTER_SIDE
from ._sentences import job_sentence
from ._static import CAPTION_STYLE, figure_html, short_error, static_block
from ._table import grid_table, reflow

if TYPE_CHECKING:
    from ..jobs import Job
    from ..store import Result

__all__ = [
    "StaticTile",
    "static_grid_html",
    "static_html",
    "static_jobs_html",
    "static_result_html",
]

_PROMPT: Final = "margin:2px 0 6px;font:13px/1.4 sans-serif"


@dataclass(frozen=True)
class StaticTile:
    """One cell of a static grid: where it goes, its job, and the result shown (if any)."""

    row: int
    col: int
    job: Job
    result: Result | None


def static_html(job: Job) -> str:
    """Poster, video and metadata of a finished job (a grid for several results)."""
    return static_block(_job_inner(job), task=job.task_uuid)


def static_result_html(result: Result) -> str:
    """One stored result on its own (no job around it: no prompt, no engine)."""
    return static_block(figure_html(result), task=result.task_uuid)


def static_jobs_html(jobs: Sequence[Job]) -> str:
    """Several separate jobs one under the other, newest first (a form's generations)."""
    return static_block("".join(_job_inner(job) for job in reversed(jobs) if job.done))


def _job_inner(job: Job) -> str:
    results = [r for r in job.results if r.path is not None]
    if len(results) > 1:
        tiles = [StaticTile(0, i, job, r) for i, r in enumerate(results)]
        return _grid_inner(tiles, (), (), job.request.positive_prompt)
    # One video at most here: the estimate beside the billed cost, as on the live card.
    parts = [
        figure_html(
            r,
            engine=job.engine,
            prompt=job.request.positive_prompt,
            estimated_cost=job.estimated_cost,
        )
        for r in results
    ]
    if job.status != "done" or not results:
        parts.append(f'<div style="{CAPTION_STYLE}">{escape(job_sentence(job))}</div>')
    return "".join(parts)


def static_grid_html(
    tiles: Sequence[StaticTile],
    *,
    row_labels: Sequence[str] = (),
    col_labels: Sequence[str] = (),
    prompt: str = "",
    task: str = "",
) -> str:
    """Tiles as a table: labelled rows and columns for a matrix, else rows of four."""
    inner = _grid_inner(tiles, row_labels, col_labels, prompt)
    return static_block(inner, task=task)


def _grid_inner(
    tiles: Sequence[StaticTile], row_labels: Sequence[str], col_labels: Sequence[str], prompt: str
) -> str:
    # A matrix keeps its places; a plain grid flows in rows of four, as the live one does.
    matrix = bool(row_labels or col_labels)
    places = [(t.row, t.col) for t in tiles] if matrix else reflow(len(tiles))
    table = grid_table(
        {place: _tile(t) for place, t in zip(places, tiles, strict=True)},
        row_labels=row_labels,
        col_labels=col_labels,
    )
    intro = f'<div style="{_PROMPT}">{escape(shorten(prompt, 300))}</div>' if prompt else ""
    return f'<div class="wan-static-grid">{intro}{table}</div>'


def _tile(tile: StaticTile) -> str:
    job, result = tile.job, tile.result
    if result is None or result.path is None:
        text = short_error(job.error) or job_sentence(job)
        return f'<div style="{CAPTION_STYLE}">{escape(text)}</div>'
    seed = f"seed {result.seed}" if result.seed is not None else ""
    # In a matrix the row heading names the prompt; in a plain grid every tile has the same
    # one, shown once above the table: a tile says only its seed and cost.
    return figure_html(
        result,
        width="100%",
        poster_side=TILE_POSTER_SIDE,
        poster_bytes=TILE_POSTER_BYTES,
        caption=[seed, money(result.cost)],
    )
