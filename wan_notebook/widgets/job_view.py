"""JobView: one job's live view, a progress card that becomes a player when the job is done.

Once done, card and player read as one piece: the same width (a portrait clip narrows both,
instead of sitting letterboxed in a landscape box), the card keeps status, engine, time and
cost, and the player the video, seed, size and prompt, so nothing is said twice. A job with
several results (``--results 2``) is shown as a synchronized grid instead
(``grid_view.show_group``).

Under the live view a static slot (``_slots.StaticSlot``) receives the job's static fallback
when it ends, so a saved notebook reopened without widget state, an nbconvert export or
GitHub still show the result; while the live widget is on screen, the bundle's CSS hides it.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as W

from .._status import TERMINAL_STATUSES
from ..display import (
    browser_urls,
    frame_width,
    job_sentence,
    live_sentence,
    short_error,
    static_html,
)
from ._remote import job_remote_fields
from ._slots import StaticSlot, in_latest_request, show_static, show_widget
from .player import Player
from .progress import ProgressCard

if TYPE_CHECKING:
    from ..jobs import Job
    from ..store import Result

__all__ = ["JobView", "job_widget", "player_for"]

_GAP = "6px 0 0 0"  # between the card and the player


class JobView:
    """A progress card bound to a job, joined by a player when the job is done."""

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
        self.box.add_class("wan-job")
        self._slot: StaticSlot | None = None
        self._shown_results = False
        # The jobs' thread and the kernel's thread (display) can both finish the view.
        self._finishing = threading.Lock()
        job.on_change(in_latest_request(self._update))
        self._update(job)

    def display(self) -> None:
        """Show the live view and, under it, the slot for the static fallback."""
        show_widget(self.box, live_sentence(f"Wan 2.6 job {self.job.task_uuid[:8]}", self._seeds()))
        if self.job.status in TERMINAL_STATUSES:
            show_static(static_html(self.job), job_sentence(self.job))
            return
        self._slot = StaticSlot(
            f"Wan 2.6 job {self.job.task_uuid[:8]} had not finished when this notebook was saved;"
            " run the cell again (the result is reused if it was stored).",
            task=self.job.task_uuid,
        )
        if self.job.status in TERMINAL_STATUSES:  # it ended while the slot was being made
            self._finish()

    def _seeds(self) -> list[int | None]:
        return [r.seed for r in self.job.results] or [self.job.request.seed]

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
            if job.results and job.results[0].seed is not None and not self._shown_results:
                card.seed = job.results[0].seed
        if job.status in TERMINAL_STATUSES:
            self._finish()

    def _finish(self) -> None:
        with self._finishing:
            if not self._shown_results and self.job.results:
                self._shown_results = True
                players = [player_for(self.job, r) for r in self.job.results if r.path is not None]
                if players:
                    self._merge(players)
            if self._slot is not None:
                self._slot.fill(static_html(self.job), job_sentence(self.job))
                self._slot = None

    def _merge(self, players: list[Player]) -> None:
        width = min(frame_width(p.width, p.height) for p in players)
        for player in players:
            player.cost = -1.0  # the card above shows it
            player.layout.width = f"{width}px"
            player.layout.max_width = "100%"
            player.layout.margin = _GAP
        with self.card.hold_sync():
            self.card.prompt = ""  # the player shows it, with the seed
            self.card.seed = None
        self.card.layout.width = f"{width}px"
        self.card.layout.max_width = "100%"
        self.box.children = (self.card, *players)


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
        **job_remote_fields(job, result),
        # No poster: the player preloads, so it shows the sharp first frame at once; the
        # saved preview's tiny poster would stay, blurred, until Play.
    )


def job_widget(job: Job) -> Any:
    """The live widget of a job, for a parent widget to hold.

    ``JobView.box``, not ``show_job``: a click handler must not call ``display()``, whose
    output would go to the log console; the form or gallery puts the box in its own slot.
    """
    return JobView(job).box
