"""Metric badges, sorting and the metric table of grids bound to real local-engine jobs.

The engine's tiny mode writes one small clip per (format, duration): seeds of one duration
share their bytes (and sha256), clips of 5, 10 and 15 s differ in ``duration_s``.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.wan_checks import wait_until
from wan_notebook import research
from wan_notebook.errors import BadValueError, MissingExtraError
from wan_notebook.jobs import JobGroup, generate
from wan_notebook.research import _deps
from wan_notebook.widgets import grid_view as grids

pytest.importorskip("pandas")


@pytest.fixture
def fast(engine, wan):
    wan.use(engine(render_mode="tiny"))
    return wan


def by_duration(*durations: int) -> grids.GridView:
    jobs = [
        generate("a kite", seed=i + 1, duration=d, size="1280x720") for i, d in enumerate(durations)
    ]
    view = grids.GridView(JobGroup(jobs))
    view.wait(60)
    return view


def states(view: grids.GridView) -> set[str]:
    return {b["state"] for badges in view.grid.badges.values() for b in badges}


def measured(view: grids.GridView) -> bool:
    return bool(view.grid.badges) and states(view) == {"done"}


class CountingMetrics:
    """``research.metrics`` that counts its calls and can be held back."""

    def __init__(self) -> None:
        self.calls = 0
        self.release = threading.Event()
        self.release.set()
        self._real = research.metrics

    def __call__(self, source: Any, **kwargs: Any) -> Any:
        self.calls += 1
        assert self.release.wait(30), "never released"
        return self._real(source, **kwargs)


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> CountingMetrics:
    fake = CountingMetrics()
    monkeypatch.setattr(research, "metrics", fake)
    return fake


def test_badges_are_measured_in_the_background_then_painted(fast, counting) -> None:
    view = grids.grid("a kite", seeds=[1, 2], size="1280x720", show=False)
    view.wait(60)
    counting.release.clear()  # the measurement waits: show_metrics must not
    view.show_metrics("duration_s", "shot_count", "flicker")
    keys = [t["key"] for t in view.grid.tiles]
    assert sorted(view.grid.badges) == sorted(keys)
    assert states(view) == {"pending"}
    assert view.grid.badges[keys[0]][0]["text"] == "duration …"
    counting.release.set()
    wait_until(lambda: measured(view), timeout=30, what="badges measured")
    texts = [b["text"] for b in view.grid.badges[keys[0]]]
    assert texts[:2] == ["5.0 s", "1 shot"] and texts[2].startswith("flicker ")
    assert view.grid.badges[keys[0]][2]["value"] == research.cached_metrics(view.jobs[0]).flicker
    # Both seeds rendered the same bytes: one file, one measurement.
    assert counting.calls == 1
    assert view.grid.metric_table == []  # a seed grid shows no table unless asked


def test_a_rerun_paints_from_the_journal_cache_at_once(fast, counting) -> None:
    first = grids.grid("a kite", seeds=[3, 4], size="1280x720", show=False)
    first.wait(60)
    first.show_metrics("motion")
    wait_until(lambda: measured(first), timeout=30, what="first measured")
    calls = counting.calls
    again = grids.grid("a kite", seeds=[3, 4], size="1280x720", show=False)  # stored results
    again.show_metrics("motion")
    assert measured(again), again.grid.badges  # painted in the call, nothing pending
    assert counting.calls == calls


def test_a_tile_is_measured_when_its_video_arrives(engine, wan) -> None:
    wan.use(engine(render_mode="tiny", delay=1.0))
    view = grids.grid("a kite", seeds=[5], size="1280x720", show=False)
    view.show_metrics("has_audio")  # before the video exists
    assert view.grid.badges == {}
    view.wait(60)
    wait_until(lambda: measured(view), timeout=30, what="measured after arrival")
    assert [b["text"] for b in view.grid.badges[view.jobs[0].task_uuid]] == ["sound"]


def test_sort_by_orders_the_tiles_and_none_restores_them(fast) -> None:
    view = by_duration(10, 5, 15)
    keys = [t["key"] for t in view.grid.tiles]
    view.sort_by("duration_s")
    assert view.grid.badges == {}  # sorting alone draws no badge
    wait_until(lambda: view.grid.order == [keys[1], keys[0], keys[2]], timeout=30)
    wait_until(lambda: all(research.cached_metrics(job) for job in view.jobs), timeout=30)
    view.sort_by("duration_s", descending=True)
    wait_until(lambda: view.grid.order == [keys[2], keys[0], keys[1]], timeout=30)
    assert view.grid.sort_note == "Sorted by duration, largest first; unmeasured last"
    view.show_metrics("duration_s")
    shown = [view.grid.badges[k][0]["value"] for k in view.grid.order]
    assert shown == sorted(shown, reverse=True) and len(set(shown)) == 3
    view.sort_by(None)
    assert (view.grid.order, view.grid.sort_note) == ([], "")
    assert [t["key"] for t in view.grid.tiles] == keys  # the tiles list never moves


def test_unmeasured_tiles_sort_last_in_their_order(fast) -> None:
    view = by_duration(10, 5, 15)
    keys = [t["key"] for t in view.grid.tiles]
    broken = view.jobs[0].video
    assert broken is not None
    broken.path.write_bytes(b"not a video")  # its recorded sha256 is not in the cache
    view.show_metrics("duration_s")
    view.sort_by("duration_s", descending=True)
    wait_until(lambda: "pending" not in states(view), timeout=30)
    assert view.grid.order == [keys[2], keys[1], keys[0]]
    assert view.grid.badges[keys[0]][0]["state"] == "error"
    assert "not measured" in view.grid.badges[keys[0]][0]["title"]


def test_compare_shows_a_table_and_returns_it_as_data(fast) -> None:
    view = grids.compare(["a red kite", "a blue kite"], seeds=[1, 2], size="1280x720", show=False)
    view.wait(60)
    view.show_metrics("duration_s", "has_audio")
    assert view.grid.metric_table == ["duration_s", "has_audio"]
    frame = view.metrics_table()
    assert list(frame.columns) == ["prompt", "seed", "task_uuid", "key", "duration_s", "has_audio"]
    assert list(frame["prompt"]) == ["a red kite", "a red kite", "a blue kite", "a blue kite"]
    assert list(frame["seed"]) == [1, 2, 1, 2]
    dtypes = frame.dtypes.astype(str)
    assert (dtypes["duration_s"], dtypes["has_audio"]) == ("Float64", "boolean")
    assert list(frame["duration_s"]) == [5.0] * 4 and all(frame["has_audio"])
    with pytest.raises(BadValueError, match="matrix keeps prompts in rows"):
        view.sort_by("duration_s")
    view.show_metrics("motion", table=False)
    assert view.grid.metric_table == []


def test_metrics_table_is_a_list_of_dicts_without_pandas(fast, monkeypatch) -> None:
    import importlib.util

    view = grids.grid("a kite", seeds=[1], size="1280x720", show=False)
    view.wait(60)
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pandas" else real(name, *a)
    )
    rows = view.metrics_table("fps")
    assert rows == [
        {
            "prompt": "a kite",
            "seed": 1,
            "task_uuid": view.jobs[0].task_uuid,
            "key": view.jobs[0].task_uuid,
            "fps": research.metrics(view.jobs[0]).fps,
        }
    ]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda v: v.show_metrics("flick"), ValueError, "unknown metric 'flick'; allowed: dur"),
        (lambda v: v.show_metrics(3), TypeError, "a metric name must be a string"),
        (lambda v: v.show_metrics("fps", table="yes"), TypeError, "table must be True or False"),
        (lambda v: v.sort_by("phash"), ValueError, "unknown metric 'phash'"),
        (lambda v: v.sort_by("fps", descending=1), TypeError, "descending must be True or"),
        (lambda v: v.metrics_table("nope"), ValueError, "metrics_table\\(\\): unknown metric"),
    ],
)
def test_bad_metric_arguments_are_named(fast, call, error, message) -> None:
    view = grids.grid("a kite", seeds=[1], size="1280x720", show=False)
    with pytest.raises(error, match=message):
        call(view)
    view.wait(60)


def test_without_the_research_extra_the_error_names_it(fast, monkeypatch) -> None:
    monkeypatch.setitem(_deps.MEASURE, "wan_no_such_module", "wan-no-such-dist")
    view = grids.grid("a kite", seeds=[1], size="1280x720", show=False)
    with pytest.raises(MissingExtraError, match=r"wan-notebook\[research\]"):
        view.show_metrics("flicker")
    assert view.grid.badges == {}
    view.wait(60)
