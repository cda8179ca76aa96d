"""Metric badges and ``sort_by`` on a 4-seed grid, in JupyterLab and Notebook 7.

Four real clips of the local engine (full renders, made once for the module in this process
and copied into each server's ``wan_media``, so ``%%wan --seeds`` in the kernel reuses them
from the journal). The notebook shows the grid, then ``g.show_metrics("motion", "flicker")``:
the kernel measures the clips in the background and every tile gets its badges. Playback is
started (with one tile's sound on); then ``g.sort_by("motion", descending=True)`` runs while
the grid plays. After it:

- the tiles stand in the order of their badges' values (largest first, on screen and in the
  DOM), which are the kernel's measurements;
- the tiles kept their very ``<video>`` elements, the tile heard is still the one heard;
- sampled every 100 ms for 3 s (as ``test_grid_sync.py`` does), the spread of the tiles'
  ``currentTime`` stays under one frame at 30 fps (33 ms) in every sample, across the
  clips' loop point, with one tile heard; and playback moves.
"""

from __future__ import annotations

import json
import pathlib
import shutil
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from wan_notebook.widgets import bundle_available

from .harness import JupyterFrontend, circular_spread, local_engine_env, running_frontend

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.timing,  # sampled sync: no other test beside it in CI (scripts/test)
    pytest.mark.skipif(not bundle_available(), reason="front-end bundle not built"),
]

PROMPT = "A lighthouse beam sweeping over a night sea, long exposure"
SEEDS = [1, 2, 3, 4]
SECONDS = 5.0
MAX_SPREAD = 0.033  # one frame at 30 fps
SAMPLE_FOR_S = 3.0
NB = "grid_metrics.ipynb"
SETUP, GRID, METRICS, SORT = range(4)
CELLS = [
    "%load_ext wan_notebook",
    f"%%wan --seeds 1,2,3,4 -o g --size 1280x720 --duration 5\n{PROMPT}",
    'g.show_metrics("motion", "flicker")',
    'g.sort_by("motion", descending=True)',
]
GRID_SEL = '[data-role="seed-grid"]'

# Tiles in screen order (rows top to bottom, left to right), with their motion badge.
TILES_ON_SCREEN = """() => {
    const grid = document.querySelector('[data-role="seed-grid"]');
    const tiles = [...grid.querySelectorAll('.wan-tile')].map((t) => {
        const r = t.getBoundingClientRect();
        const badge = t.querySelector('.wan-badge[data-metric="motion"]');
        return {key: t.dataset.key, top: Math.round(r.top), left: r.left,
                state: badge ? badge.dataset.state : null,
                value: badge && badge.dataset.value ? Number(badge.dataset.value) : null,
                text: badge ? badge.textContent : null};
    });
    const dom = tiles.map((t) => t.key);
    tiles.sort((a, b) => a.top - b.top || a.left - b.left);
    return {dom, screen: tiles};
}"""

# Play with the first tile's sound on; remember the video elements.
PLAY = """() => {
    const grid = document.querySelector('[data-role="seed-grid"]');
    window.__wanVideos = [...grid.querySelectorAll('[data-role="tile-video"]')];
    grid.querySelector('[data-role="grid-controls"] [data-role="mute"]').click();
    grid.querySelector('[data-role="grid-controls"] [data-role="play"]').click();
}"""

HEARD = """() => [...document.querySelectorAll('[data-role="tile-video"], audio')]
    .filter((v) => !v.muted).map((v) => v.dataset.key)"""

SAME_VIDEOS = """() => {
    const now = [...document.querySelectorAll('[data-role="tile-video"]')];
    return now.length === window.__wanVideos.length
        && now.every((v) => window.__wanVideos.includes(v));
}"""

SAMPLE = """(seconds) => {
    const videos = [...document.querySelectorAll('[data-role="tile-video"]')];
    const samples = [];
    window.__wanSamples = samples;
    const t0 = performance.now();
    const take = () => samples.push({
        ms: performance.now() - t0,
        keys: videos.map((v) => v.dataset.key),
        times: videos.map((v) => v.currentTime),
        paused: videos.map((v) => v.paused),
    });
    take();
    const timer = setInterval(() => {
        take();
        if (performance.now() - t0 > seconds * 1000) clearInterval(timer);
    }, 100);
}"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A media folder (journal and files) with the four clips, rendered here once."""
    from tests.wan_fixtures import FAST
    from wan_notebook import settings
    from wan_notebook.jobs import seed_sweep
    from wan_notebook.local.launcher import stop_shared_engine
    from wan_notebook.store import Store

    media = tmp_path_factory.mktemp("grid_metrics") / "wan_media"
    fast = {**FAST, "job_timeout": 300.0}  # four full 720p renders on a busy machine
    settings.configure(**fast, backend="local", local_delay=0.0, media_dir=media)
    try:
        seed_sweep(PROMPT, SEEDS, size="1280x720", duration=5).wait(240)
    finally:
        settings.reset()
        stop_shared_engine()
        Store.close_all()
    return media


@pytest.fixture(params=["lab", "notebook"])
def frontend(
    request: pytest.FixtureRequest,
    chromium_browser: Browser,
    rendered: pathlib.Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[JupyterFrontend]:
    if request.param == "notebook":
        pytest.importorskip("notebook")

    def prepare(root: pathlib.Path) -> None:
        shutil.copytree(rendered, root / "wan_media")

    with running_frontend(
        request.param,
        chromium_browser,
        tmp_path_factory.mktemp(f"grid-metrics-{request.param}"),
        prepare=prepare,
        env=local_engine_env(0.0),
    ) as fe:
        fe.write_notebook(NB, CELLS)
        fe.open(NB, only=True)
        yield fe


def sampled_spreads(fe: JupyterFrontend) -> list[float]:
    """The tiles' spread of ``currentTime`` every 100 ms for ``SAMPLE_FOR_S`` seconds."""
    fe.evaluate(SAMPLE, SAMPLE_FOR_S)
    time.sleep(SAMPLE_FOR_S + 0.4)
    samples = fe.evaluate("() => window.__wanSamples")
    return [circular_spread(s["times"], SECONDS) for s in samples]


def kernel_json(fe: JupyterFrontend, expression: str) -> Any:
    return json.loads(fe.kernel().execute(f"import json; print(json.dumps({expression}))"))


def test_sorted_badges_follow_the_metric_and_playback_stays_in_sync(
    frontend: JupyterFrontend,
) -> None:
    fe = frontend
    for index in (SETUP, GRID, METRICS):
        fe.run_cell(index, timeout=240)
    # The four jobs came from the journal: no render in the kernel.
    assert kernel_json(fe, "[j.status for j in g.jobs]") == ["done"] * 4
    assert kernel_json(fe, "[j.cached for j in g.jobs]") == [True] * 4
    fe.wait_until(
        """() => [...document.querySelectorAll('.wan-badge[data-metric="motion"]')]
            .filter((b) => b.dataset.state === 'done').length === 4""",
        timeout=90,
    )
    fe.wait_until(
        """() => [...document.querySelectorAll('[data-role="tile-video"]')]
            .filter((v) => v.readyState >= 3).length === 4""",
        timeout=60,
    )
    before = fe.evaluate(TILES_ON_SCREEN)
    keys = kernel_json(fe, "[j.task_uuid for j in g.jobs]")
    assert before["dom"] == keys  # seeds' order until sorted
    fe.screenshot("grid-metrics-badges", GRID_SEL)

    fe.evaluate(PLAY)
    fe.wait_until(
        """() => document.querySelector('[data-role="seed-grid"]').dataset.playing === 'true'""",
        timeout=20,
    )
    heard = fe.evaluate(HEARD)
    assert heard == [keys[0]]
    # The same sampling before the sort: a baseline that tells the machine's load apart.
    baseline = sampled_spreads(fe)
    print(f"{fe.label}: spread (ms) before the sort:", [round(x * 1000, 1) for x in baseline])

    fe.run_cell(SORT)
    measured = kernel_json(
        fe,
        "{j.task_uuid: __import__('wan_notebook').research.cached_metrics(j).motion"
        " for j in g.jobs}",
    )
    wanted = sorted(keys, key=lambda k: measured[k], reverse=True)
    assert len(set(measured.values())) == 4, measured  # four distinct values: a real order
    fe.wait_until(
        "(wanted) => { const grid = document.querySelector('[data-role=\"seed-grid\"]');"
        " return [...grid.querySelectorAll('.wan-tile')].map((t) => t.dataset.key).join()"
        " === wanted.join(); }",
        wanted,
        timeout=20,
    )
    spreads = sampled_spreads(fe)
    samples: list[dict[str, Any]] = fe.evaluate("() => window.__wanSamples")
    after = fe.evaluate(TILES_ON_SCREEN)
    fe.screenshot("grid-metrics-sorted", GRID_SEL)

    # Order: on screen and in the DOM, by the badges' values, which are the kernel's.
    screen = after["screen"]
    assert [t["key"] for t in screen] == wanted == after["dom"]
    values = [t["value"] for t in screen]
    assert values == sorted(values, reverse=True)
    assert values == [pytest.approx(measured[k], abs=1e-9) for k in wanted]
    assert all(t["text"].startswith("motion ") for t in screen)
    note = fe.evaluate("() => document.querySelector('[data-role=\"sort-note\"]').textContent")
    assert note.startswith("Sorted by motion, largest first")
    # The same videos, and the same tile heard.
    assert fe.evaluate(SAME_VIDEOS)
    assert fe.evaluate(HEARD) == heard
    # Sync: every sample within one frame, all playing, time moving.
    print(
        f"{fe.label}: spread (ms) every 100 ms after the sort:",
        [round(x * 1000, 1) for x in spreads],
    )
    assert len(samples) >= 25
    assert max(spreads) < MAX_SPREAD, f"{fe.label}: {spreads} ({baseline} before the sort)"
    assert not any(samples[-1]["paused"]), samples[-1]
    moved = (samples[-1]["times"][0] - samples[0]["times"][0]) % SECONDS
    assert moved > 1.5, f"playback did not move: {samples[0]} -> {samples[-1]}"
    assert not [e for e in fe.console_errors if "wan" in e.lower()], fe.console_errors
