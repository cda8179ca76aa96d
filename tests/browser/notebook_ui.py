"""Every view of the product in a real JupyterLab and Notebook 7, live, saved and reopened.

One notebook (``CELLS``) shows each view: a job's card and player, a portrait clip, a seed
grid, ``--results 2``, a compare matrix, the Builder (whose Generate is clicked), the
history gallery, a dry run, a size error, a job made in Python, ``%wan budget`` and
``%wan status``. It runs once per front end on the local engine; the tests then check the
issue's findings on the live page, save it, reopen it with a fresh kernel and with no kernel
at all, and export it with nbconvert: each time every video must show, grids as grids with
their labels, and no error text. Screenshots: ``tests/_artifacts/<app>-ui-*.png``.

The checks are the methods of :class:`NotebookViews`; test_notebook_ui_lab.py and
test_notebook_ui_notebook7.py each subclass it for one front end. Two files, not one
parametrized fixture, so ``--dist loadfile`` runs the two 100-second set-ups on two workers.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

import pytest

from wan_notebook.widgets import bundle_available

from .harness import (
    ARTIFACTS_DIR,
    App,
    JupyterFrontend,
    local_engine_env,
    open_without_kernel,
    running_frontend,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

NB = "views.ipynb"
CELLS = {
    "setup": "import wan_notebook\n%load_ext wan_notebook",
    "card": "%%wan --size 1280x720 --duration 5 --seed 7 -o job\nA red fox trotting through snow",
    "portrait": "%%wan --size 1080x1920 --duration 5 --seed 8 -o tall\nA lighthouse at night",
    "grid": "%%wan --seeds 1-4 --size 1280x720 --duration 5 -o g\nA paper boat on a puddle",
    "results": "%%wan --results 2 --size 1280x720 --duration 5 --seed 9 -o two\nA heron in reeds",
    "compare": (
        "view = wan_notebook.compare(['a red kite over hills', 'a blue kite over the sea'],"
        " seeds=[1, 2], size='1280x720', duration=5)"
    ),
    "builder": "b = wan_notebook.Builder('a fox in the snow')\nb.seed = 5\nb",
    "gallery": "wan_notebook.history()",
    "dry_run": "%%wan --dry-run --size 1280x720 --seed 3\nA dry run",
    "error": "%%wan --size 1000x1000\nA square that is not a Wan size",
    "python_job": "pj = wan_notebook.generate('an otter, made in Python', size='1280x720', seed=11)"
    "\npj",
    "budget": "%wan budget 0.4",
    "status": "%wan status",
}
INDEX = {name: i for i, name in enumerate(CELLS)}
LIVE_VIDEOS = {"card": 1, "portrait": 1, "grid": 4, "results": 2, "compare": 4, "builder": 1}
LIVE_VIDEOS["python_job"] = 1
RED = "rgb(211, 47, 47)"
CARDS = 4  # job cards: card, portrait, python_job and the Builder's (grids have tiles)
LIVE_PAGE_DONE = """([cards, videos]) => {
    const states = [...document.querySelectorAll('.wan-card [data-role="status"]')];
    const live = 'video[data-role="video"], video[data-role="tile-video"]';
    return states.length === cards && states.every((s) => s.dataset.status === 'done')
        && document.querySelectorAll(live).length === videos;
}"""
OUTPUTS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output"
WIDGETS_SETTLED = """(sel) => ![...document.querySelectorAll(sel)]
    .some((o) => o.textContent.trim() === 'Loading widget...')"""

VISIBLE_TEXT = "(el) => el.innerText"
RECTS = """(els) => els.map((e) => { const r = e.getBoundingClientRect();
    return {x: r.left, y: r.top, w: r.width, h: r.height}; })"""


def _wait_for_jobs(frontend: JupyterFrontend, timeout: float = 300) -> None:
    kernel = frontend.kernel()
    deadline = time.monotonic() + timeout
    code = "from wan_notebook import jobs as _j; print(len(_j.live_jobs()))"
    while kernel.execute(code).strip() != "0":
        assert time.monotonic() < deadline, "jobs still running"
        time.sleep(1)


def _cell(frontend: JupyterFrontend, name: str) -> Any:
    # Scrolled into view first: JupyterLab skips the rendering of cells out of view, and a
    # skipped cell has no layout (no innerText, no size).
    cell = frontend.cell(INDEX[name])
    cell.scroll_into_view_if_needed()
    area = cell.locator(".jp-OutputArea").first.element_handle()
    has_text = "(el) => el.innerText.trim().length > 0 || !el.querySelector('.jp-OutputArea-child')"
    frontend.wait_until(has_text, area, timeout=10)
    return cell


def _cell_text(frontend: JupyterFrontend, name: str) -> str:
    _cell(frontend, name)
    return frontend.cell_output(INDEX[name])


def _shoot_every_view(frontend: JupyterFrontend, prefix: str) -> None:
    for name, index in INDEX.items():
        frontend.cell(index).scroll_into_view_if_needed()
        frontend.screenshot(f"{prefix}{name}", frontend.cell_selector(index))


def _check_static_views(page_text: str, count: Any, rects: Any) -> None:
    assert "Error displaying widget" not in page_text
    assert "Loading widget" not in page_text
    for raw in ("VBox(", "SeedGrid(", "ProgressCard(", "Player(", "Builder("):
        assert raw not in page_text, raw
    for name, videos in LIVE_VIDEOS.items():
        assert count(name) == videos, name
    grid = {round(r["y"]) for r in rects("grid")}
    assert len(grid) == 1, "4 seeds: one row of four"
    compare = rects("compare")
    assert len({round(r["y"]) for r in compare}) == 2 and len({round(r["x"]) for r in compare}) == 2
    for label in ("seed 1", "seed 2", "a red kite over hills", "a blue kite over the sea"):
        assert label in page_text, label


def _reopened_checks(
    frontend: JupyterFrontend, saved: dict[str, Any], *, with_kernel: bool
) -> None:
    notebook = frontend.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
    outputs = sum(len(c.get("outputs", [])) for c in saved["nb"]["cells"])
    frontend.wait_until(f"(sel) => document.querySelectorAll(sel).length >= {outputs}", OUTPUTS)
    if with_kernel:
        # The fresh kernel's widget manager looks each saved widget's model up, and gives up
        # ("Error displaying widget", hidden by the fallback's style) 1-2 s after the page
        # loads: until then the output says "Loading widget...". Checked once all have.
        frontend.wait_until(WIDGETS_SETTLED, OUTPUTS, timeout=30)

    def cell_videos(name: str) -> Any:
        return _cell(frontend, name).locator(".wan-static video")

    def count(name: str) -> int:
        return sum(v.is_visible() for v in cell_videos(name).all())

    def rects(name: str) -> Any:
        return cell_videos(name).evaluate_all(RECTS)

    text = "".join(_cell_text(frontend, name) for name in INDEX)
    _check_static_views(text, count, rects)
    assert "Error displaying widget" not in notebook.inner_text()


@pytest.mark.browser
@pytest.mark.skipif(
    not bundle_available(), reason="front-end bundle not built: cd js && npm ci && npm run build"
)
class NotebookViews:
    """The checks, for the front end a subclass names in ``app``."""

    app: ClassVar[App]

    @pytest.fixture(scope="class")
    @classmethod
    def ran(
        cls,
        chromium_browser: Browser,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> Iterator[JupyterFrontend]:
        """The views notebook run cell by cell, the Builder's Generate clicked, all jobs done."""
        app = cls.app
        with running_frontend(
            app, chromium_browser, tmp_path_factory.mktemp(f"ui-{app}"), env=local_engine_env(0.3)
        ) as frontend:
            frontend.label = f"{app}-ui"
            frontend.write_notebook(NB, CELLS.values())
            frontend.open(NB, only=True)
            frontend.start_small_engine(0.3)  # 14 clips, for views and layout
            for name, index in INDEX.items():
                if name in ("gallery", "budget", "status"):
                    continue  # after the jobs: a cap would stop the Builder's; a gallery of them
                frontend.run_cell(index, timeout=120)
                if name == "card":
                    card = frontend.cell_selector(index, ".wan-card")
                    frontend.wait_for(card)
                    frontend.screenshot("card-live", card)
            frontend.cell(INDEX["builder"]).locator(".wan-builder-generate").click()
            _wait_for_jobs(frontend)
            frontend.run_cell(INDEX["gallery"])
            frontend.run_cell(INDEX["budget"])
            frontend.run_cell(INDEX["status"])
            # The last updates (the Builder's card, the cells run last) reach the page.
            frontend.wait_until(LIVE_PAGE_DONE, [CARDS, sum(LIVE_VIDEOS.values())], timeout=30)
            _cell(frontend, "status")
            yield frontend

    # ---- live views -------------------------------------------------------------------------

    def test_every_view_is_on_screen(self, ran: JupyterFrontend) -> None:
        _shoot_every_view(ran, "")
        for name, count in LIVE_VIDEOS.items():
            cell = _cell(ran, name)
            live = cell.locator('video[data-role="video"], video[data-role="tile-video"]')
            assert live.count() == count, name
        assert "1000x1000" in _cell_text(ran, "error")

    def test_builder_outlines_only_the_invalid_field(self, ran: JupyterFrontend) -> None:
        """Finding 1: one invalid field used to outline every text field (a shared layout)."""
        cell = _cell(ran, "builder")
        ran.kernel().execute("b.sections.selected_index = 4")  # Advanced: the webhook box
        box = cell.locator(".wan-builder-webhook input")
        box.fill("not a url")
        box.press("Tab")
        cell.locator(".wan-builder-webhook.wan-builder-invalid").wait_for()
        border = "(el) => getComputedStyle(el).borderTopColor"
        assert cell.locator(".wan-builder-webhook").evaluate(border) == RED
        for name in ("prompt", "negative", "upload-to"):
            assert cell.locator(f".wan-builder-{name}").evaluate(border) != RED, name
        ran.screenshot("builder-invalid", ran.cell_selector(INDEX["builder"]))
        box.fill("")
        box.press("Tab")
        cell.locator(".wan-builder-invalid").first.wait_for(state="detached")

    def test_money_is_text_not_tex(self, ran: JupyterFrontend) -> None:
        """Finding 2: two $ signs in an output were typeset as TeX in Notebook 7."""
        assert "$0.40" in _cell_text(ran, "budget")
        assert "$0.50" in _cell_text(ran, "card")
        assert ran.page.locator("mjx-container, .MathJax").count() == 0

    def test_a_job_made_in_python_shows_as_card_and_player(self, ran: JupyterFrontend) -> None:
        """Finding 4: ``pj`` as a cell's last expression shows like ``%%wan``."""
        cell = _cell(ran, "python_job")
        assert cell.locator('.wan-card [data-role="status"][data-status="done"]').count() == 1
        assert cell.locator('video[data-role="video"]').count() == 1
        assert "<Job" not in _cell_text(ran, "python_job")

    def test_hidden_saved_previews_load_nothing(self, ran: JupyterFrontend) -> None:
        """Finding 6: each live output's hidden static copy loaded its video too."""
        for name, count in LIVE_VIDEOS.items():
            assert _cell(ran, name).locator(".wan-static video").count() == count, name
        static = ran.page.locator(".wan-static video")
        states = static.evaluate_all(
            """(vs) => vs.map((v) => ({preload: v.getAttribute('preload'), ready: v.readyState,
                network: v.networkState, buffered: v.buffered.length,
                shown: v.getBoundingClientRect().height > 0}))"""
        )
        assert all(s["preload"] == "none" for s in states)
        assert all(s["ready"] == 0 and s["network"] != 2 and s["buffered"] == 0 for s in states)
        assert not any(s["shown"] for s in states), "static copies are hidden while live"

    def test_results_2_is_a_synchronized_grid(self, ran: JupyterFrontend) -> None:
        """Finding 12: ``--results 2`` gave two stacked full-size players."""
        cell = _cell(ran, "results")
        assert cell.locator(".wan-grid").count() == 1
        assert cell.locator('video[data-role="tile-video"]').count() == 2
        assert cell.locator(".wan-player").count() == 0
        tops = cell.locator(".wan-tile").evaluate_all(RECTS)
        assert abs(tops[0]["y"] - tops[1]["y"]) < 2, "the two results side by side"

    def test_card_and_player_line_up_and_say_things_once(self, ran: JupyterFrontend) -> None:
        """Finding 13: card 640 px, player 720 px; prompt, seed and cost said twice."""
        cell = _cell(ran, "card")
        card, player = cell.locator(".wan-card"), cell.locator(".wan-player")
        [c] = card.evaluate_all(RECTS)
        [p] = player.evaluate_all(RECTS)
        assert abs(c["x"] - p["x"]) < 1 and abs(c["w"] - p["w"]) < 1, (c, p)
        text = _cell_text(ran, "card")
        # issue 11: the card shows the estimate beside what was billed, each once
        assert text.count("billed $0.50") == 1 and text.count("est. $0.50") == 1, text
        assert text.count("seed 7") == 1, text
        assert text.count("A red fox trotting through snow") == 1, text

    def test_portrait_clip_is_not_letterboxed(self, ran: JupyterFrontend) -> None:
        cell = _cell(ran, "portrait")
        video = cell.locator('video[data-role="video"]')
        video.evaluate("(v) => new Promise((ok) => v.readyState ? ok() : v.onloadedmetadata = ok)")
        [box] = video.evaluate_all(RECTS)
        ratio = box["h"] / box["w"]
        assert ratio == pytest.approx(1920 / 1080, rel=0.03), box
        [c] = cell.locator(".wan-card").evaluate_all(RECTS)
        assert abs(c["w"] - box["w"]) < 1

    def test_builder_shape_controls_share_a_row(self, ran: JupyterFrontend) -> None:
        """Finding 13: the aspect buttons were misaligned, and 1080p sat on a row of its own."""
        cell = _cell(ran, "builder")
        ran.kernel().execute("b.sections.selected_index = 0")
        buttons = cell.locator(".wan-builder-aspect button")
        buttons.first.wait_for()
        tops = {round(r["y"]) for r in buttons.evaluate_all(RECTS)}
        [size] = cell.locator(".wan-builder-size").evaluate_all(RECTS)
        [aspect] = cell.locator(".wan-builder-aspect").evaluate_all(RECTS)
        assert len(tops) == 1, tops
        assert abs((size["y"] + size["h"] / 2) - (aspect["y"] + aspect["h"] / 2)) < 3
        ran.screenshot(
            "builder-shape", ran.cell_selector(INDEX["builder"], ".wan-builder-sections")
        )

    # ---- saved, reopened, exported -----------------------------------------------------------

    @pytest.fixture(scope="class")
    @classmethod
    def saved(cls, ran: JupyterFrontend) -> dict[str, Any]:
        path = ran.save()
        return {"path": path, "nb": json.loads(path.read_text())}

    def test_reopened_with_a_fresh_kernel_shows_every_video_and_no_error(
        self, ran: JupyterFrontend, saved: dict[str, Any]
    ) -> None:
        """Finding 5: reopened, each output said "Error displaying widget: model not found"."""
        ran.reopen()
        _reopened_checks(ran, saved, with_kernel=True)
        _shoot_every_view(ran, "reopened-")

    def test_reopened_with_no_kernel_shows_every_video_and_no_error(
        self, ran: JupyterFrontend, saved: dict[str, Any]
    ) -> None:
        open_without_kernel(ran, NB)
        _reopened_checks(ran, saved, with_kernel=False)
        _shoot_every_view(ran, "nokernel-")

    def test_nbconvert_html_shows_every_video_as_laid_out_and_no_widget_repr(
        self, ran: JupyterFrontend, saved: dict[str, Any]
    ) -> None:
        html = subprocess.run(
            [sys.executable, "-m", "nbconvert", "--to", "html", "--stdout", str(saved["path"])],
            capture_output=True, text=True, check=True, timeout=120,
        ).stdout  # fmt: skip
        exported = ran.root / "views.html"
        exported.write_text(html)
        page = ran.context.new_page()
        try:
            page.goto(exported.as_uri())
            outputs = page.locator(".jp-Cell")

            def cell_videos(name: str) -> Any:
                return outputs.nth(INDEX[name]).locator(".wan-static video")

            def count(name: str) -> int:
                return sum(v.is_visible() for v in cell_videos(name).all())

            def rects(name: str) -> Any:
                return cell_videos(name).evaluate_all(RECTS)

            outputs_text = "\n".join(page.locator(".jp-OutputArea").all_inner_texts())
            _check_static_views(outputs_text, count, rects)
            first = cell_videos("card").first
            first.evaluate("(v) => { v.preload = 'metadata'; v.load(); }")
            page.wait_for_function("(v) => v.readyState >= 1", arg=first.element_handle())
            page.screenshot(path=str(ARTIFACTS_DIR / f"{ran.label}-nbconvert.png"), full_page=True)
        finally:
            page.close()
