"""GridView: jobs laid out in a SeedGrid, played in sync; ``grid()`` and ``compare()``.

``grid(request, seeds=[...])`` runs one task per seed; ``compare(prompts=[...], seeds=[...])``
runs every prompt with every seed and labels rows and columns. Both show a ``SeedGrid``
widget (``seed_grid.py``: the anywidget itself, which knows nothing of jobs) whose "Pick" is
readable here as ``view.picked`` (the winning Job) and can be loaded into a Builder with
``view.builder()``. ``show_metrics``, ``sort_by`` and ``metrics_table`` come from
``_grid_metrics``. A job with several results (``numberResults``) gets one tile per result.

Under the grid a static slot (``_slots.StaticSlot``) receives a static copy of the grid, with
its labels, seeds and costs, once every job has ended.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from IPython.display import display

from .._status import TERMINAL_STATUSES
from .._text import shorten
from ..display import (
    StaticTile,
    browser_urls,
    group_sentence,
    live_sentence,
    short_error,
    static_grid_html,
)
from ..request.catalog import FORMATS
from ..request.models import VideoRequest
from ._advice_note import show_rewrite_note
from ._args import check_type, int_list, str_list
from ._grid_metrics import GridMetricsMixin, MetricGrid
from ._remote import job_remote_fields
from ._slots import StaticSlot, in_latest_request, show_static, show_widget

if TYPE_CHECKING:
    from ..jobs import Job, JobGroup
    from ..store import Result

__all__ = ["GridView", "compare", "grid", "show_group"]

_ROW_LABEL = 48  # characters of a prompt shown as a row heading
_RESULT_SEP = "#"  # a tile key "<taskUUID>#<n>": result n of a job with several


class GridView(GridMetricsMixin):
    """Jobs in a synchronized grid; ``picked`` is the job whose tile was picked."""

    def __init__(
        self,
        group: JobGroup,
        *,
        row_labels: Sequence[str] = (),
        col_labels: Sequence[str] = (),
        positions: Sequence[tuple[int, int]] | None = None,
    ) -> None:
        self.group = group
        self.jobs: list[Job] = list(group)
        self._positions = list(positions) if positions else [(0, i) for i in range(len(self.jobs))]
        self.grid = MetricGrid(row_labels=list(row_labels), col_labels=list(col_labels))
        self.grid.add_class("wan-live")
        self._slot: StaticSlot | None = None
        self._updating = threading.RLock()
        self._pick_callbacks: list[Callable[[Job | None], Any]] = []
        self.grid.on_pick(self._picked_in_browser)
        for job in self.jobs:
            job.on_change(in_latest_request(self._update))
        self._update(None)

    # ----- the winner ----------------------------------------------------------------------

    @property
    def picked(self) -> Job | None:
        """The job whose tile was picked in the browser (or set here)."""
        task, _, _ = self.grid.picked.partition(_RESULT_SEP)
        return next((j for j in self.jobs if j.task_uuid == task), None)

    @picked.setter
    def picked(self, job: Job | None) -> None:
        self.grid.picked = self._keys(job)[0] if job is not None else ""

    @property
    def picked_result(self) -> Result | None:
        """The result whose tile was picked (one of several results of a job, too)."""
        job = self.picked
        if job is None or not job.results:
            return None
        _, _, index = self.grid.picked.partition(_RESULT_SEP)
        number = int(index) if index.isdigit() else 0
        return job.results[min(number, len(job.results) - 1)]

    @property
    def picked_seed(self) -> int | None:
        job = self.picked
        if job is None:
            return None
        result = self.picked_result
        return result.seed if result is not None else job.request.seed

    def on_pick(self, callback: Callable[[Job | None], Any]) -> None:
        """Call ``callback(job)`` when a tile is picked in the browser."""
        self._pick_callbacks.append(callback)

    def _picked_in_browser(self, _key: str) -> None:
        for callback in list(self._pick_callbacks):
            callback(self.picked)

    def builder(self) -> Any:
        """A Builder loaded with the picked job's request and its seed."""
        from .builder import Builder

        job = self.picked or (self.jobs[0] if self.jobs else None)
        if job is None:
            return Builder()
        return Builder.from_request(job.request.with_changes(seed=self.picked_seed))

    # ----- waiting, like a JobGroup ----------------------------------------------------------

    def wait(self, timeout: float | None = None) -> GridView:
        self.group.wait(timeout)
        return self

    def __await__(self) -> Any:
        return self._await().__await__()

    async def _await(self) -> GridView:
        await self.group
        return self

    def cancel(self) -> None:
        self.group.cancel()

    def __iter__(self) -> Iterator[Job]:
        return iter(self.jobs)

    def __len__(self) -> int:
        return len(self.jobs)

    def __repr__(self) -> str:
        done = sum(j.status == "done" for j in self.jobs)
        return f"GridView({done}/{len(self.jobs)} done, picked={self.grid.picked or None!r})"

    # ----- display ---------------------------------------------------------------------------

    def _ipython_display_(self) -> None:
        seeds = [job.request.seed for job in self.jobs]
        show_rewrite_note(job.request for job in self.jobs)  # once, above the grid (issue 11)
        show_widget(self.grid, live_sentence(f"Wan 2.6 grid of {self._videos()} videos", seeds))
        if self._ended():
            self._update(None)
            show_static(*self._static())
            return
        self._slot = StaticSlot(
            "This grid had not finished when the notebook was saved; run the cell again"
            " (stored results are reused)."
        )
        self._update(None)

    def _videos(self) -> int:
        return sum(job.request.results for job in self.jobs)

    def _ended(self) -> bool:
        return all(job.status in TERMINAL_STATUSES for job in self.jobs)

    def _update(self, _job: Job | None) -> None:
        # Jobs report from their loop thread while display runs on the kernel's: one at a
        # time, so an older picture of the tiles never overwrites a newer one.
        with self._updating:
            tiles = self._tiles()
            # The files behind the tiles (kernel side only): previews, compat copies, bytes.
            self.grid.set_files({t["key"]: r.path for t, (_, r) in tiles if r and r.path})
            self.grid.tiles = [tile for tile, _ in tiles]
            self._refresh_metrics()  # measures videos just arrived, if metrics were asked for
            if self._slot is not None and self._ended():
                self._slot.fill(*self._static())
                self._slot = None

    def _static(self) -> tuple[str, str]:
        """The grid's static copy (HTML) and its sentence."""
        static = [StaticTile(t["row"], t["col"], job, r) for t, (job, r) in self._tiles()]
        html = static_grid_html(
            static,
            row_labels=self.grid.row_labels,
            col_labels=self.grid.col_labels,
            prompt=self._shared_prompt(),
        )
        return html, group_sentence(self.jobs)

    def _shared_prompt(self) -> str:
        prompts = {job.request.positive_prompt for job in self.jobs}
        return prompts.pop() if len(prompts) == 1 else ""

    def _keys(self, job: Job) -> list[str]:
        count = job.request.results
        if count == 1:
            return [job.task_uuid]
        return [f"{job.task_uuid}{_RESULT_SEP}{i}" for i in range(count)]

    def _tiles(self) -> list[tuple[dict[str, Any], tuple[Job, Result | None]]]:
        out = []
        for job, (row, col) in zip(self.jobs, self._positions, strict=True):
            results = [r for r in job.results if r.path is not None]
            keys = self._keys(job)
            for i, key in enumerate(keys):
                result = results[i] if i < len(results) else None
                position = (row, col * len(keys) + i)
                out.append((self._tile(job, key, result, position), (job, result)))
        return out

    def _tile(
        self, job: Job, key: str, result: Result | None, position: tuple[int, int]
    ) -> dict[str, Any]:
        src, fallback = browser_urls(Path(result.path)) if result and result.path else ("", "")
        seed = result.seed if result and result.seed is not None else job.request.seed
        if result is not None and result.cost is not None:
            cost = result.cost
        else:
            cost = job.cost / job.request.results if job.cost is not None else -1.0
        return {
            "key": key,
            "seed": seed,
            "prompt": job.request.positive_prompt,
            "status": job.status,
            "progress": job.progress if job.progress is not None else -1.0,
            "cost": cost,
            "src": src,
            "fallback_src": fallback,
            **job_remote_fields(job, result),
            "mime": FORMATS[job.request.output_format or "MP4"][1],
            "error": short_error(job.error),
            "row": position[0],
            "col": position[1],
        }


def show_group(group: JobGroup, **labels: Any) -> GridView:
    """Display a group of jobs in a grid in this cell."""
    view = GridView(group, **labels)
    display(view)
    return view


def grid(
    request: VideoRequest | str | Mapping[str, Any],
    /,
    *,
    seeds: Sequence[int],
    new: bool = False,
    show: bool = True,
    **fields: Any,
) -> GridView:
    """One job per seed, shown in a synchronized grid. Returns at once."""
    from .. import jobs

    what = "a VideoRequest, a prompt string or a dict of request fields"
    check_type("grid()", "request", request, (VideoRequest, str, Mapping), what)
    seeds = int_list("grid()", "seeds", seeds)
    group = jobs.seed_sweep(request, seeds, new=new, **fields)
    view = GridView(group, col_labels=[f"seed {s}" for s in seeds])
    if show:
        display(view)
    return view


def compare(
    prompts: Sequence[str],
    seeds: Sequence[int],
    *,
    new: bool = False,
    show: bool = True,
    **fields: Any,
) -> GridView:
    """Every prompt with every seed: rows are prompts, columns are seeds."""
    from .. import jobs

    prompts = str_list("compare()", "prompts", prompts)
    seeds = int_list("compare()", "seeds", seeds)
    requests: list[VideoRequest] = []
    positions: list[tuple[int, int]] = []
    for row, prompt in enumerate(prompts):
        base = VideoRequest.build(prompt, **fields)
        for col, seed in enumerate(seeds):
            requests.append(base.with_changes(seed=seed))
            positions.append((row, col))
    group = jobs.generate_many(requests, new=new)
    view = GridView(
        group,
        row_labels=[shorten(p, _ROW_LABEL) for p in prompts],
        col_labels=[f"seed {s}" for s in seeds],
        positions=positions,
    )
    if show:
        display(view)
    return view


def show_job(job: Job) -> Any:
    """Display a job's live view (and, when it ends, its static fallback) in this cell.

    A job with several results shows as a synchronized grid (returns its ``GridView``).
    """
    if job.request.results > 1:
        from ..jobs import JobGroup  # the jobs layer is below; imported only when needed

        return show_group(JobGroup([job]))
    from .job_view import JobView

    view = JobView(job)
    view.display()
    return view
