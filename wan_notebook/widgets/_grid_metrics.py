"""Measurements on a grid: badges on each tile, tiles sorted by one, a table under a matrix.

``GridView`` gets ``show_metrics(*names)``, ``sort_by(name)`` and ``metrics_table()`` from
:class:`GridMetricsMixin`. Nothing is measured until one of them is called; from then on each
tile is measured once its video is on disk, on a one-thread pool (the kernel and the cell stay
free, and playback keeps a core), with ``research.metrics``, which caches by sha256 in the
journal. Painting reads ``research.cached_metrics`` first, so a re-run cell paints at once.

The front end gets four traits of :class:`MetricGrid`: ``badges`` (tile key -> badge dicts,
``_metric_badges``), ``order`` (tile keys in display order: the browser moves the tiles' nodes,
so their videos keep playing in their sync group), ``sort_note`` (what they are sorted by)
and ``metric_table`` (metric names shown as a table under the grid).
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import traitlets

from ..errors import BadValueError, MediaError, WanError
from . import _metric_badges as fmt
from ._slots import in_latest_request
from .seed_grid import SeedGrid

if TYPE_CHECKING:
    from ..jobs import Job
    from ..research import VideoMetrics
    from ..store import Result

__all__ = ["GridMetrics", "GridMetricsMixin", "MetricGrid"]

TileEntry = tuple[dict[str, Any], tuple["Job", "Result | None"]]

_pool: ThreadPoolExecutor | None = None


def _measure_later(fn: Callable[..., object], *args: object) -> None:
    # One thread: a measurement decodes a whole file (with a sound thread of its own);
    # two at once on a 2-core machine would stall the grid's playback.
    global _pool  # one per kernel, made on first use
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wan-grid-metrics")
    _pool.submit(in_latest_request(fn), *args)


class MetricGrid(SeedGrid):
    """A ``SeedGrid`` whose tiles can show measurements as badges, and be reordered."""

    badges = traitlets.Dict().tag(sync=True)
    """Tile key -> list of badge dicts (``_metric_badges``); a tile not in it shows none."""

    order = traitlets.List(traitlets.Unicode()).tag(sync=True)
    """Tile keys in display order (a plain grid); ``[]`` = the order of ``tiles``."""

    metric_table = traitlets.List(traitlets.Unicode()).tag(sync=True)
    """Metric names shown in a table under the grid, one row per tile; ``[]`` = no table."""

    sort_note = traitlets.Unicode("").tag(sync=True)
    """Says what the tiles are sorted by ("" while in the seeds' order)."""


class GridMetrics:
    """Which metrics a grid shows and sorts by, what is measured, and painting it."""

    def __init__(self, grid: MetricGrid, tiles: Callable[[], list[TileEntry]]) -> None:
        self.grid = grid
        self._tiles = tiles
        self.names: list[str] = []
        self.sort: tuple[str, bool] | None = None
        self._measured: dict[str, VideoMetrics] = {}  # sha256 (or path) -> metrics
        self._failed: dict[str, str] = {}  # sha256 -> why
        self._pending: set[str] = set()
        self._lock = threading.RLock()

    def wanted(self) -> list[str]:
        """The metrics to measure and paint: the badges', then the sort's."""
        sort = [self.sort[0]] if self.sort and self.sort[0] not in self.names else []
        return [*self.names, *sort]

    def refresh(self) -> None:
        """Paint what is known and queue every unmeasured video (tiles just done, too)."""
        from ..research import cached_metrics

        with self._lock:
            for _, (_, result) in self._tiles():
                ident = _ident(result)
                if ident is None or self._known(ident) or ident in self._pending:
                    continue
                try:
                    cached = cached_metrics(result) if result is not None else None
                except (OSError, WanError):
                    cached = None
                if cached is not None:
                    self._measured[ident] = cached
                else:
                    self._pending.add(ident)
                    _measure_later(self._measure, ident, result)
            self._paint()

    def measured(self, result: Result | None) -> VideoMetrics | None:
        ident = _ident(result)
        return self._measured.get(ident) if ident is not None else None

    def _known(self, ident: str) -> bool:
        return ident in self._measured or ident in self._failed

    def _measure(self, ident: str, result: Result) -> None:
        from ..research import metrics

        try:
            found: VideoMetrics | None = metrics(result)
            why = ""
        except (MediaError, OSError, WanError) as exc:
            found, why = None, str(exc)
        with self._lock:
            self._pending.discard(ident)
            if found is not None:
                self._measured[ident] = found
            else:
                self._failed[ident] = why
            self._paint()

    def _paint(self) -> None:
        entries = self._tiles()
        badges, values = {}, {}
        for tile, (_, result) in entries:
            key, ident = tile["key"], _ident(result)
            if ident is None:
                continue
            measured = self._measured.get(ident)
            if measured is not None:
                badges[key] = [fmt.badge(n, measured) for n in self.names]
                if self.sort:
                    name = self.sort[0]
                    values[key] = fmt.sort_value(name, getattr(measured, name))
            elif ident in self._failed:
                badges[key] = [fmt.error_badge(n, self._failed[ident]) for n in self.names]
            else:
                badges[key] = [fmt.pending_badge(n) for n in self.names]
        keys = [tile["key"] for tile, _ in entries]
        order = fmt.sorted_keys(keys, values, descending=self.sort[1]) if self.sort else []
        with self.grid.hold_sync():
            self.grid.badges = badges if self.names else {}
            self.grid.order = order
            self.grid.sort_note = fmt.sort_note(*self.sort) if self.sort else ""


def _ident(result: Result | None) -> str | None:
    if result is None or result.path is None:
        return None
    return result.sha256 or str(result.path)


class GridMetricsMixin:
    """``show_metrics``, ``sort_by`` and ``metrics_table`` of a ``GridView``."""

    grid: MetricGrid
    _grid_metrics: GridMetrics | None = None

    def _tiles(self) -> list[TileEntry]:
        raise NotImplementedError  # the GridView's

    def _metrics_of(self, where: str) -> GridMetrics:
        from ..research import _deps

        _deps.require(where, _deps.MEASURE)
        if self._grid_metrics is None:
            self._grid_metrics = GridMetrics(self.grid, self._tiles)
        return self._grid_metrics

    def _refresh_metrics(self) -> None:
        """Called whenever the tiles change: measure new videos, repaint (if asked for)."""
        if self._grid_metrics is not None:
            self._grid_metrics.refresh()

    def _is_matrix(self) -> bool:
        return bool(self.grid.row_labels and self.grid.col_labels)

    def show_metrics(self, *names: str, table: bool | None = None) -> None:
        """Show these metrics as badges on each tile (none: hide them); ``table=True``
        also shows them as a table under the grid (a ``compare()`` matrix does by default).

        Videos are measured in the background, once each (cached in the journal)."""
        checked = fmt.check_names("show_metrics()", names)
        if table is not None and not isinstance(table, bool):
            raise TypeError(f"show_metrics(): table must be True or False, not {table!r}")
        metrics = self._metrics_of("show_metrics()")
        metrics.names = checked
        with_table = self._is_matrix() if table is None else table
        self.grid.metric_table = checked if with_table else []
        metrics.refresh()

    def sort_by(self, name: str | None, *, descending: bool = False) -> None:
        """Order the tiles by a metric (ascending; ``descending=True``: largest first);
        tiles not measured yet go last, and move as their values arrive.
        ``sort_by(None)``: back to the seeds' order. Playback stays in sync."""
        if not isinstance(descending, bool):
            raise TypeError(f"sort_by(): descending must be True or False, not {descending!r}")
        if self._is_matrix():
            raise BadValueError(
                "sort_by(): a compare() matrix keeps prompts in rows and seeds in columns;"
                " show_metrics(...) adds its table, metrics_table() gives the data to sort"
            )
        sort = None
        if name is not None:
            sort = (fmt.check_names("sort_by()", [name], sortable=True)[0], descending)
        metrics = self._metrics_of("sort_by()")
        metrics.sort = sort
        metrics.refresh()

    def metrics_table(self, *names: str) -> Any:
        """One row per tile (prompt, seed, task, key, then the metrics): a typed pandas
        DataFrame, or a list of dicts without pandas. Measures what is not measured yet
        (and waits for it); a tile without a video has empty metrics. Default columns: the
        metrics shown, else all of them."""
        from ..research import metrics as measure

        checked = fmt.check_names("metrics_table()", names)
        metrics = self._metrics_of("metrics_table()")
        checked = checked or metrics.names or list(fmt.METRICS)
        rows = []
        for tile, (job, result) in sorted(self._tiles(), key=lambda e: (e[0]["row"], e[0]["col"])):
            found = metrics.measured(result)
            if found is None and result is not None and result.path is not None:
                try:
                    found = measure(result)
                except (MediaError, OSError) as exc:
                    warnings.warn(f"{result.path.name}: not measured ({exc})", stacklevel=2)
            rows.append(_table_row(tile, job, found, checked))
        return _as_frame(rows, checked)


def _table_row(
    tile: dict[str, Any], job: Job, found: VideoMetrics | None, names: Sequence[str]
) -> dict[str, Any]:
    values = found.to_dict() if found is not None else {}
    base = {"prompt": tile["prompt"], "seed": tile["seed"], "task_uuid": job.task_uuid}
    return base | {"key": tile["key"]} | {n: values.get(n) for n in names}


def _as_frame(rows: list[dict[str, Any]], names: Sequence[str]) -> Any:
    import importlib.util

    if importlib.util.find_spec("pandas") is None:
        return rows
    from ..research._frame import METRIC_COLUMNS, typed_frame

    columns = {"prompt": "string", "seed": "Int64", "task_uuid": "string", "key": "string"}
    return typed_frame(rows, columns | {n: METRIC_COLUMNS[n] for n in names})
