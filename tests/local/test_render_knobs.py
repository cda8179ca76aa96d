"""The render knobs for metric tests: checked when set, taken by a task when it is accepted,
and answered back as the result's ``localEngine`` plan.

The engine runs in this process with a renderer that renders the real clip at a small size
(the API's smallest request is 1280x720, 5 s; the knobs' path does not depend on the size).
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import video_task
from wan_notebook.local._config import EngineConfig
from wan_notebook.local.engine import Engine
from wan_notebook.local.faults import FaultConfig, FaultConfigError
from wan_notebook.local.render import RenderSpec, render


def _small(specs: list[RenderSpec]) -> Any:
    def renderer(spec: RenderSpec, path: Path, *, progress: Any = None) -> Any:
        specs.append(spec)
        return render(replace(spec, width=192, height=108, duration=2.0), path, progress=progress)

    return renderer


def _finished(engine: Engine, task_uuid: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        answer = engine.run([{"taskType": "getResponse", "taskUUID": task_uuid}], "http://x")
        (item,) = answer.data or answer.errors
        if item["status"] != "processing":
            return item
        time.sleep(0.05)
    raise AssertionError("the render did not finish")


def test_knobs_are_taken_at_submit_and_the_plan_comes_back(tmp_path: Path) -> None:
    specs: list[RenderSpec] = []
    faults = FaultConfig.from_json({"flicker": 0.4, "av_offset_ms": -120})
    config = EngineConfig(api_key="k" * 32, delay=0.0, media_dir=tmp_path, faults=faults)
    engine = Engine(config, renderer=_small(specs))
    try:
        first = video_task(seed=5)
        engine.run([first], "http://x")
        engine.faults.replace(FaultConfig())  # changed after the submit: the task keeps its own
        second = video_task(seed=5)
        engine.run([second], "http://x")
        knobbed, plain = _finished(engine, first["taskUUID"]), _finished(engine, second["taskUUID"])
    finally:
        engine.close()
    by_task = {s.flicker: s for s in specs}
    assert set(by_task) == {0.4, 0.0}
    assert by_task[0.4].av_offset_ms == -120 and by_task[0.0].av_offset_ms is None
    plan = knobbed["localEngine"]
    assert (plan["flicker"], plan["av_offset_ms"]) == (0.4, -120.0)
    assert plan["sync_marks"] and plan["audio"] == "generated" and plan["fps"] == 30
    # The sound, clicks included, is 120 ms early: every click lands 0.12 s before its mark.
    clicks = [t for t in plan["audio_events"] if round(t + 0.12, 4) in plan["sync_marks"]]
    assert len(clicks) == len([m for m in plan["sync_marks"] if m >= 0.12])
    assert plain["localEngine"]["flicker"] == 0.0 and plain["localEngine"]["sync_marks"] == []


def test_tiny_mode_sends_no_plan(engine, api) -> None:  # its file is not the spec's render
    client = api(engine(render_mode="tiny", faults={"flicker": 0.5}))
    (item,) = client.wait(client.submit())
    assert item["localRenderMode"] == "tiny" and "localEngine" not in item


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ({"flicker": 1.5}, "flicker"),
        ({"flicker": "0.3"}, "flicker"),
        ({"flicker": True}, "flicker"),
        ({"av_offset_ms": 2500}, "av_offset_ms"),
        ({"av_offset_ms": "200"}, "av_offset_ms"),
    ],
)
def test_a_bad_render_knob_is_refused_naming_it(raw: dict[str, Any], named: str) -> None:
    with pytest.raises(FaultConfigError, match=f"^{named}"):
        FaultConfig.from_json(raw)


def test_render_knobs_round_trip_through_json() -> None:
    config = FaultConfig.from_json({"flicker": 0.25, "av_offset_ms": -40})
    assert FaultConfig.from_json(config.to_json()) == config
    assert (FaultConfig().flicker, FaultConfig().av_offset_ms) == (0.0, None)  # off by default
