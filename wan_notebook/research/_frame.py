"""``results_frame()``: every stored video as one typed pandas row, for analysis.

Rows come from the journal of the media folder (finished tasks whose files are still there),
in the order the tasks were made. Every column has a real dtype: text is ``string``, counts
are ``Int64``, amounts ``Float64``, flags ``boolean`` (all nullable: <NA> means unknown or not
sent), ``created`` is a UTC timestamp: no ``object`` column, so the table survives parquet
unchanged. ``cut_times`` is JSON text (``json.loads`` gives the list of seconds), not an Arrow
list column: pandas cannot read such a column back from parquet (pandas#57411, open in
pandas 3.1).

Request columns hold what was sent: ``shot_type``, ``prompt_extend`` and ``audio`` are <NA>
when the request left them to the API's default. ``size`` is the requested "WxH" (the metric
columns ``width`` and ``height`` are measured from the file).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

from ..errors import MediaError
from ..settings import get_settings
from ..store import Result, Store
from . import _deps
from ._measure import metric_names
from ._metrics import metrics as measure_metrics

if TYPE_CHECKING:
    import pandas as pd

# Column -> pandas dtype, or "datetime" (UTC) or "json" (JSON text, a string column).
COLUMNS: Final[dict[str, str]] = {
    "task_uuid": "string",
    "video_uuid": "string",
    "prompt": "string",
    "negative_prompt": "string",
    "seed": "Int64",
    "size": "string",
    "duration": "Int64",
    "shot_type": "string",
    "prompt_extend": "boolean",
    "audio": "boolean",
    "format": "string",
    "model": "string",
    "engine": "string",
    "estimated_cost": "Float64",
    "cost": "Float64",
    "created": "datetime",
    "path": "string",
    "sha256": "string",
    "bytes": "Int64",
}
METRIC_COLUMNS: Final[dict[str, str]] = {
    "duration_s": "Float64",
    "fps": "Float64",
    "width": "Int64",
    "height": "Int64",
    "has_audio": "boolean",
    "shot_count": "Int64",
    "cut_times": "json",
    "flicker": "Float64",
    "motion": "Float64",
    "loudness_lufs": "Float64",
    "silence_ratio": "Float64",
    "av_offset_ms": "Float64",
    "phash": "string",
}
_HISTORY_ALL: Final = 1_000_000


class _Task(Protocol):
    """What a row reads of a journal task (the store's ``TaskRow``)."""

    @property
    def task_uuid(self) -> str: ...
    @property
    def request(self) -> dict[str, Any]: ...
    @property
    def prompt(self) -> str: ...
    @property
    def engine(self) -> str: ...
    @property
    def created(self) -> float: ...
    @property
    def estimated_cost(self) -> float | None: ...
    @property
    def cost(self) -> float | None: ...
    @property
    def results_expected(self) -> int: ...


def results_frame(
    metrics: bool = False,
    *,
    limit: int | None = None,
    text: str | None = None,
    since: float | None = None,
    max_cost: float | None = None,
    media_dir: str | Path | None = None,
) -> pd.DataFrame:
    """One row per stored video; ``metrics=True`` adds the ``VideoMetrics`` columns
    (measured once per file, then read from the cache).

    Filters, as the history's: the newest ``limit`` tasks, ``text`` in the prompt, finished
    at or after ``since`` (epoch seconds), costing at most ``max_cost`` USD. ``media_dir``:
    another media folder than the current one.
    """
    _check("metrics", metrics, (bool,))
    _check("limit", limit, (int,))
    _check("text", text, (str,))
    _check("since", since, (int, float))
    _check("max_cost", max_cost, (int, float))
    _check("media_dir", media_dir, (str, Path))
    _deps.require("results_frame()", _deps.TABLES)
    store = Store.open(media_dir if media_dir is not None else get_settings().media_dir)
    entries = store.history(
        limit if limit is not None else _HISTORY_ALL, text=text, since=since, max_cost=max_cost
    )
    pairs = [(entry.task, result) for entry in entries for result in entry.results]
    pairs.sort(key=lambda pair: (pair[0].created, pair[0].task_uuid, pair[1].key))
    rows = [
        _row(task, result) | (_metric_values(result) if metrics else {}) for task, result in pairs
    ]
    return typed_frame(rows, {**COLUMNS, **METRIC_COLUMNS} if metrics else COLUMNS)


def typed_frame(rows: list[dict[str, Any]], columns: Mapping[str, str]) -> pd.DataFrame:
    """A DataFrame of ``rows`` with exactly ``columns``, each of its declared dtype."""
    import pandas as pd

    data: dict[str, Any] = {}
    for name, kind in columns.items():
        values = [row.get(name) for row in rows]
        if kind == "datetime":
            data[name] = pd.to_datetime(pd.Series(values, dtype="Float64"), unit="s", utc=True)
        elif kind == "json":
            texts = [None if v is None else json.dumps(v) for v in values]
            data[name] = pd.Series(texts, dtype="string")
        else:
            data[name] = pd.Series(values, dtype=kind)
    return pd.DataFrame(data, columns=list(columns))


def _row(task: _Task, result: Result) -> dict[str, Any]:
    request = task.request
    alibaba = (request.get("providerSettings") or {}).get("alibaba") or {}
    width, height = result.width or request.get("width"), result.height or request.get("height")
    expected = max(1, task.results_expected)
    return {
        "task_uuid": task.task_uuid,
        "video_uuid": result.video_uuid or None,
        "prompt": task.prompt or request.get("positivePrompt"),
        "negative_prompt": request.get("negativePrompt"),
        "seed": result.seed if result.seed is not None else request.get("seed"),
        "size": f"{width}x{height}" if width and height else None,
        "duration": request.get("duration"),
        "shot_type": alibaba.get("shotType"),
        "prompt_extend": alibaba.get("promptExtend"),
        "audio": alibaba.get("audio"),
        "format": result.format or request.get("outputFormat"),
        "model": request.get("model"),
        "engine": task.engine or None,
        # The API bills per video: a task's amounts are split over its videos.
        "estimated_cost": task.estimated_cost / expected
        if task.estimated_cost is not None
        else None,
        "cost": result.cost if result.cost is not None else _share(task.cost, expected),
        "created": task.created,
        "path": str(result.path),
        "sha256": result.sha256,
        "bytes": result.bytes,
    }


def _metric_values(result: Result) -> dict[str, Any]:
    try:
        return measure_metrics(result).to_dict()
    except (MediaError, FileNotFoundError) as exc:
        warnings.warn(f"{result.path.name}: not measured ({exc})", stacklevel=3)
        return dict.fromkeys(metric_names())


def _share(amount: float | None, parts: int) -> float | None:
    return amount / parts if amount is not None else None


def _check(name: str, value: object, kinds: tuple[type, ...]) -> None:
    # bool is an int to Python, never a count or an amount here.
    wrong = isinstance(value, bool) and bool not in kinds
    if value is not None and (wrong or not isinstance(value, kinds)):
        allowed = " or ".join(k.__name__ for k in kinds)
        raise TypeError(f"results_frame(): {name} must be {allowed}, not {type(value).__name__}")
