"""Issue 11 on a real page (JupyterLab, local engine): what is said beside a request.

- the job card shows the estimate beside what was billed ("est. $0.50 · billed $0.50");
- a seed grid says once, above the grid, that promptExtend's rewrite varies between runs;
- the Builder shows the reference-video guide and, live, a hint for a prompt that names
  none of the reference videos; a dry run lists its notes under the JSON.
Screenshots: ``tests/_artifacts/lab-advice-*.png``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from wan_notebook.request import advice
from wan_notebook.widgets import bundle_available

from .harness import JupyterFrontend, local_engine_env, running_frontend

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not bundle_available(),
        reason="front-end bundle not built: cd js && npm ci && npm run build",
    ),
]

NB = "advice.ipynb"
REF = "https://assets.example.com/in/dancer.mp4"
CELLS = [
    "import wan_notebook\n%load_ext wan_notebook",
    "%%wan --size 1280x720 --duration 5 --seed 7 -o job\nA red fox trotting through snow",
    "%%wan --seeds 1,2 --size 1280x720 --duration 5 -o g\nA paper boat on a puddle",
    "b = wan_notebook.Builder('a dancer on a roof')\n"
    f"b.controls.ref_videos.text.value = {REF!r}\nb",
    f"%%wan --dry-run --ref-video {REF}\na dancer on a roof",
]
CARD, GRID, BUILDER, DRY = 1, 2, 3, 4


@pytest.fixture(scope="module")
def page(
    chromium_browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[JupyterFrontend]:
    with running_frontend(
        "lab", chromium_browser, tmp_path_factory.mktemp("advice"), env=local_engine_env(0.3)
    ) as frontend:
        frontend.label = "lab-advice"
        frontend.write_notebook(NB, CELLS)
        frontend.open(NB, only=True)
        frontend.start_small_engine(0.3)  # the advice is checked, not the pixels
        for index in range(len(CELLS)):
            frontend.run_cell(index, timeout=120)
        kernel = frontend.kernel()
        deadline = time.monotonic() + 300
        code = "from wan_notebook import jobs as _j; print(len(_j.live_jobs()))"
        while kernel.execute(code).strip() != "0":
            assert time.monotonic() < deadline, "jobs still running"
            time.sleep(1)
        frontend.page.wait_for_timeout(1500)  # the last updates reach the page
        yield frontend


def test_the_card_shows_the_estimate_beside_what_was_billed(page: JupyterFrontend) -> None:
    cell = page.cell(CARD)
    cell.scroll_into_view_if_needed()
    cost = cell.locator('.wan-card [data-role="cost"]')
    page.wait_until("(el) => el.textContent.includes('billed')", cost.element_handle(), timeout=30)
    assert cost.inner_text() == "est. $0.50 · billed $0.50"
    assert "billed $0.5" in (cost.get_attribute("title") or "")
    page.screenshot("card", page.cell_selector(CARD))


def test_a_seed_grid_says_once_that_the_prompt_rewrite_varies(page: JupyterFrontend) -> None:
    cell = page.cell(GRID)
    cell.scroll_into_view_if_needed()
    notes = cell.locator(".wan-rewrite-note")
    assert notes.count() == 1
    assert notes.inner_text() == f"Note: {advice.REWRITE_NOTE}"
    grid_top = cell.locator(".wan-grid").first.bounding_box()
    note_box = notes.bounding_box()
    assert note_box and grid_top and note_box["y"] < grid_top["y"]
    page.screenshot("grid", page.cell_selector(GRID))


def test_the_builder_hints_at_the_character_names(page: JupyterFrontend) -> None:
    cell = page.cell(BUILDER)
    cell.scroll_into_view_if_needed()
    problems = cell.locator(".wan-builder").inner_text()
    assert "Hint: the prompt names no reference video: call them character1" in problems
    assert not cell.locator(".wan-builder-problem-list").count()  # a hint, not an error
    page.screenshot("builder", page.cell_selector(BUILDER))


def test_the_dry_run_lists_its_notes_under_the_json(page: JupyterFrontend) -> None:
    cell = page.cell(DRY)
    cell.scroll_into_view_if_needed()
    shown = cell.locator("pre.wan-dry-run").inner_text()
    json_part, tail = shown.split("\n\n", 1)
    assert json_part.startswith("{") and "estimated cost" in tail
    assert "note: the prompt names no reference video" in tail
    assert "note: no size given: sent as resolution 720p" in tail
    page.screenshot("dry-run", page.cell_selector(DRY))
