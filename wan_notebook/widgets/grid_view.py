"""GridView: jobs laid out in a SeedGrid, played in sync; ``grid()`` and ``compare()``.

``grid(request, seeds=[...])`` runs one task per seed; ``compare(prompts=[...], seeds=[...])``
runs every prompt with every seed and labels rows and columns. Both show a ``SeedGrid``
widget (``seed_grid.py``: the anywidget itself, which knows nothing of jobs) whose "Pick" is
readable here as ``view.picked`` (the winning Job) and can be loaded into a Builder with
``view.builder()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from IPython.display import HTML, display

from .._status import TERMINAL_STATUSES
from .._text import shorten
from ..display import browser_urls, short_error, static_html
from ..request.catalog import FORMATS
from ..request.models import VideoRequest
from ._args import check_type, int_list, str_list
from .seed_grid import SeedGrid

if TYPE_CHECKING:
    from ..jobs import Job, JobGroup

__all__ = ["GridView", "compare", "grid", "show_group"]

_ROW_LABEL = 48  # characters of a prompt shown as a row heading


class GridView:
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
        self.grid = SeedGrid(row_labels=list(row_labels), col_labels=list(col_labels))
        self.grid.add_class("wan-live")
        self._fallback: Any = None
        self._pick_callbacks: list[Callable[[Job | None], Any]] = []
        self.grid.on_pick(self._picked_in_browser)
        for job in self.jobs:
            job.on_change(self._update)
        self._update(None)

    # ----- the winner ----------------------------------------------------------------------

    @property
    def picked(self) -> Job | None:
        """The job whose tile was picked in the browser (or set here)."""
        key = self.grid.picked
        return next((j for j in self.jobs if j.task_uuid == key), None)

    @picked.setter
    def picked(self, job: Job | None) -> None:
        self.grid.picked = job.task_uuid if job is not None else ""

    @property
    def picked_seed(self) -> int | None:
        job = self.picked
        if job is None:
            return None
        return job.results[0].seed if job.results else job.request.seed

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
        display(self.grid)
        self._fallback = display(HTML(""), display_id=True)
        self._update(None)

    def _update(self, _job: Job | None) -> None:
        self.grid.tiles = [
            self._tile(j, p) for j, p in zip(self.jobs, self._positions, strict=True)
        ]
        if self._fallback is not None and all(j.status in TERMINAL_STATUSES for j in self.jobs):
            self._fallback.update(HTML("".join(static_html(j) for j in self.jobs)))
            self._fallback = None

    def _tile(self, job: Job, position: tuple[int, int]) -> dict[str, Any]:
        result = next((r for r in job.results if r.path is not None), None)
        src, fallback = browser_urls(Path(result.path)) if result and result.path else ("", "")
        seed = result.seed if result and result.seed is not None else job.request.seed
        return {
            "key": job.task_uuid,
            "seed": seed,
            "prompt": job.request.positive_prompt,
            "status": job.status,
            "progress": job.progress if job.progress is not None else -1.0,
            "cost": job.cost if job.cost is not None else -1.0,
            "src": src,
            "fallback_src": fallback,
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
