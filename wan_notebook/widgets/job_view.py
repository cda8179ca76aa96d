"""JobView: one job's live view, a progress card that becomes a player per result.

When the job ends, a static HTML output (``display.static_html``: poster, ``<video>`` tag,
metadata) is written under the live view too, so a saved notebook reopened without widget
state, an nbconvert export or GitHub still show the result; while the live widget is on
screen, the bundle's CSS hides that duplicate.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as W
from IPython.display import HTML, display

from .._status import TERMINAL_STATUSES
from ..display import browser_urls, poster_data_uri, short_error, static_html
from .player import Player
from .progress import ProgressCard

if TYPE_CHECKING:
    from ..jobs import Job
    from ..store import Result

__all__ = ["JobView", "job_widget", "player_for", "show_job"]


class JobView:
    """A progress card bound to a job, replaced by players when the job is done."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.card = ProgressCard(
            prompt=job.request.positive_prompt,
            seed=job.request.seed,
            task_uuid=job.task_uuid,
            estimated_cost=job.estimated_cost,
            engine=job.engine or "",
        )
        self.card.on_cancel(job.cancel)
        self.box = W.VBox([self.card])
        self.box.add_class("wan-live")
        self._fallback: Any = None
        self._shown_results = False
        job.on_change(self._update)
        self._update(job)

    def display(self) -> None:
        display(self.box)
        # An empty output now, filled with the static fallback when the job ends.
        self._fallback = display(HTML(""), display_id=True)
        if self.job.status in TERMINAL_STATUSES:
            self._finish()

    def _update(self, job: Job) -> None:
        card = self.card
        with card.hold_sync():
            card.status = job.status
            card.started_at = job.started_at or 0.0
            card.finished_at = job.finished_at or 0.0
            card.progress = job.progress if job.progress is not None else -1.0
            card.progress_source = job.progress_source or ""
            card.cost = job.cost if job.cost is not None else -1.0
            card.cached = bool(job.cached)
            card.error = short_error(job.error)
            if job.results and job.results[0].seed is not None:
                card.seed = job.results[0].seed
        if job.status in TERMINAL_STATUSES:
            self._finish()

    def _finish(self) -> None:
        if not self._shown_results and self.job.results:
            self._shown_results = True
            players = [player_for(self.job, r) for r in self.job.results if r.path is not None]
            self.box.children = (self.card, *players)
        if self._fallback is not None and self.job.status in ("done", "failed"):
            self._fallback.update(HTML(static_html(self.job)))
            self._fallback = None


def player_for(job: Job, result: Result) -> Player:
    """A player for one result file of a job."""
    path = Path(result.path or "")
    src, fallback = browser_urls(path)
    return Player.from_file(
        path,
        src=src,
        fallback_src=fallback,
        prompt=job.request.positive_prompt,
        seed=result.seed,
        duration=float(result.duration or 0.0),
        cost=result.cost if result.cost is not None else -1.0,
        width=result.width or 0,
        height=result.height or 0,
        download_name=path.name,
        poster=poster_data_uri(path) or "",
    )


def show_job(job: Job) -> JobView:
    """Display a job's live view (and, when it ends, its static fallback) in this cell."""
    view = JobView(job)
    view.display()
    return view


def job_widget(job: Job) -> Any:
    """The live widget of a job, for a parent widget to hold.

    ``JobView.box``, not ``show_job``: a click handler must not call ``display()``, whose
    output would go to the log console; the form or gallery puts the box in its own slot.
    """
    return JobView(job).box
