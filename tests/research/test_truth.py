"""The metrics against the local engine's own truth: the render plan in each sidecar.

Real renders through a real engine over loopback (1280x720, 5 s: the smallest request the
API takes, rendered in the engine's small mode at 320x180: 150 frames at 30 fps as asked;
cuts, flicker and sync marks are measured within their tolerances at that size too), with
the engine's test knobs set before each submit: ``av_offset_ms`` for multi-shot clips with
sync marks, ``flicker`` at four levels for clips without sound.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.wan_fixtures import FAST
from wan_notebook import settings
from wan_notebook.jobs import Job, JobGroup, generate
from wan_notebook.local.server import serve_in_thread
from wan_notebook.research._measure import VideoMetrics, measure
from wan_notebook.store import Store

pytest.importorskip("scipy")
pytest.importorskip("pyloudnorm")

OFFSETS_MS = (0, 200, 500, -300)
FLICKER = (0.0, 0.2, 0.5, 1.0)
FPS = 30


@dataclass
class Truth:
    plan: dict[str, Any]
    sidecar: dict[str, Any]
    metrics: VideoMetrics


@dataclass
class Rendered:
    by_offset: dict[int, Truth]
    by_flicker: dict[float, Truth]


def _submitted(job: Job) -> Job:
    """Knobs are taken when the engine accepts a task: wait for that before changing them."""
    deadline = time.monotonic() + 30
    while job.status == "queued" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert job.status != "queued", "the engine did not accept the task"
    return job


def _truth(job: Job) -> Truth:
    result = job.results[0]
    assert result.sidecar is not None
    sidecar = json.loads(result.sidecar.read_text())
    return Truth(sidecar["local_engine"], sidecar, measure(result.path))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rendered]:
    handle = serve_in_thread(delay=0.0, render_mode="small")
    try:
        settings.configure(
            **FAST, backend="runware", base_url=handle.base_url, api_key=handle.api_key,
            media_dir=tmp_path_factory.mktemp("truth_media"),
        )  # fmt: skip
        common = {"size": "1280x720", "duration": 5, "new": True}
        offsets = {}
        for offset in OFFSETS_MS:
            handle.set_faults(av_offset_ms=offset)
            offsets[offset] = _submitted(
                generate("a lighthouse in a storm", seed=4, shot="multi", extend=True, **common)
            )
        flickers = {}
        for level in FLICKER:
            handle.set_faults(flicker=level)
            flickers[level] = _submitted(
                generate("a red fox in snow", seed=1, audio=False, **common)
            )
        handle.set_faults()
        JobGroup([*offsets.values(), *flickers.values()]).wait(600)
        yield Rendered(
            {k: _truth(j) for k, j in offsets.items()},
            {k: _truth(j) for k, j in flickers.items()},
        )
    finally:
        settings.reset()
        handle.stop()
        Store.close_all()


def _all(rendered: Rendered) -> list[Truth]:
    return [*rendered.by_offset.values(), *rendered.by_flicker.values()]


def test_the_plan_is_in_the_sidecar_not_in_the_response(rendered: Rendered) -> None:
    for truth in _all(rendered):
        assert "localEngine" not in truth.sidecar["response"]
        assert truth.plan["frames"] == 150 and truth.plan["fps"] == FPS
    assert {t.plan["av_offset_ms"] for t in rendered.by_offset.values()} == set(OFFSETS_MS)
    assert [t.plan["flicker"] for t in rendered.by_flicker.values()] == list(FLICKER)
    for truth in rendered.by_flicker.values():  # no sync marks unless av_offset_ms is set
        assert truth.plan["sync_marks"] == [] and truth.plan["av_offset_ms"] is None


def test_cut_times_are_within_one_frame_of_the_plan(rendered: Rendered) -> None:
    for truth in _all(rendered):
        assert truth.metrics.shot_count == truth.plan["shot_count"]
        assert len(truth.metrics.cut_times) == len(truth.plan["cut_times"])
        pairs = zip(truth.metrics.cut_times, truth.plan["cut_times"], strict=True)
        for measured_s, planned_s in pairs:
            assert abs(measured_s - planned_s) <= 1 / FPS + 1e-3
    assert all(t.plan["shot_count"] >= 2 for t in rendered.by_offset.values())


def test_has_audio_and_loudness_follow_the_plan(rendered: Rendered) -> None:
    for truth in _all(rendered):
        sound = truth.plan["audio"] is not None
        assert truth.metrics.has_audio is sound
        assert (truth.metrics.loudness_lufs is None) is (not sound)
    assert all(t.plan["audio"] is None for t in rendered.by_flicker.values())


def test_flicker_rises_strictly_with_the_engine_knob(rendered: Rendered) -> None:
    scores = [rendered.by_flicker[level].metrics.flicker for level in FLICKER]
    assert all(s is not None for s in scores), scores
    assert all(a < b for a, b in itertools.pairwise(scores)), scores  # type: ignore[operator]


def test_av_offset_is_within_one_frame_of_the_knob(rendered: Rendered) -> None:
    for offset, truth in rendered.by_offset.items():
        assert truth.plan["sync_marks"], "sync marks are drawn when av_offset_ms is set"
        measured_ms = truth.metrics.av_offset_ms
        assert measured_ms is not None, offset
        assert abs(measured_ms - offset) <= 1000 / FPS, (offset, measured_ms)
