"""Fixtures for real-browser tests (JupyterLab / Notebook 7 + headless Chromium).

- ``chromium_browser`` (package): one Chromium for all tests under
  ``tests/browser/``, stopped after the last of them. Not session-wide: while
  Playwright's sync API is alive it marks its event loop as running in the
  main thread, and every pytest-asyncio test collected after the browser
  tests would fail with "Runner.run() cannot be called from a running event
  loop".
- ``jupyter_lab`` / ``jupyter_notebook7`` (module): a fresh server (own root
  folder, own Jupyter dirs, random port and token) plus one page, shared by
  the tests of a module and shut down after it. Each yields a
  :class:`harness.JupyterFrontend` with ``.open(nb)``, ``.run_all()``,
  ``.page``, ``.screenshot(name)``, ``.kernel()`` and ``.shutdown()``.

``shared_render_cache`` (package, automatic): names the run's render folder in
``WAN_RENDER_CACHE`` (scripts/test names one for every tier) and puts its hook on
``PYTHONPATH``, so the engines that kernels (and these tests) start render each
distinct clip once per run and copy it after that (tests/render_cache.py),
whichever front end, file or xdist worker asks. Package scope, like
``chromium_browser``: tests collected after the browser tests run uncached.

Every test under ``tests/browser/`` is marked ``browser``; deselect them with
``-m "not browser"``. They skip (not fail) when Playwright or Chromium is
missing.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.render_cache import ENV, SITE_DIR, shared_folder

from .harness import (
    REPO_ROOT,
    JupyterFrontend,
    chromium_executable,
    launch_chromium,
    running_frontend,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

_HERE = pathlib.Path(__file__).resolve().parent


# The browser files, longest first (seconds of one worker, a local run of the tier on 2
# cores): with --no-loadscope-reorder (scripts/test), pytest-xdist (--dist loadfile) hands
# files out in this order, each to the next worker free, so the short ones come last and the
# workers end close together. Notebook 7's views file comes fourth, after another file on its
# worker (three workers): the Lab views file has by then rendered most of the clips both use
# into the cache. Files not listed come after these.
LONGEST_FIRST = (
    "test_notebook_ui_lab.py",  # ~53, ~73 with a cold cache
    "test_background_jobs.py",  # ~75
    "test_e2e_notebook.py",  # ~47
    "test_notebook_ui_notebook7.py",  # ~53, ~72 with a cold cache
    "test_widget_views.py",  # ~29
    "test_e2e_compare.py",  # ~28
    "test_saved_state.py",  # ~25
    "test_grid_sync.py",  # ~22 (its timing check runs in its own tier)
    "test_player_sources.py",  # ~21
    "test_relay_page.py",  # ~19
    "test_advice_views.py",  # ~18
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    slots = [i for i, item in enumerate(items) if _HERE in item.path.resolve().parents]
    for i in slots:
        items[i].add_marker(pytest.mark.browser)

    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    # A stable sort of the browser items alone, back into their own places: each file's
    # tests stay together and in order, and other tests do not move.
    for i, item in zip(slots, sorted((items[i] for i in slots), key=rank), strict=True):
        items[i] = item


@pytest.fixture(scope="package", autouse=True)
def shared_render_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[pathlib.Path]:
    """The run's render cache folder, in the environment that Jupyter servers inherit."""
    folder = shared_folder(tmp_path_factory)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENV, str(folder))
        # Engines this process starts (grid_metrics' clips) use the cache too.
        patch.setenv(
            "PYTHONPATH",
            os.pathsep.join(
                filter(None, [str(SITE_DIR), str(REPO_ROOT), os.environ.get("PYTHONPATH")])
            ),
        )
        yield folder


@pytest.fixture(scope="package")
def chromium_browser() -> Iterator[Browser]:
    """Headless system Chromium driven by Playwright (skips if unavailable)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if chromium_executable() is None:
        pytest.skip("no Chromium: apt-get install chromium-headless-shell, or set WAN_CHROMIUM")
    playwright = sync_api.sync_playwright().start()
    try:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture(scope="module")
def jupyter_lab(
    chromium_browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[JupyterFrontend]:
    """A JupyterLab server with a page, for the tests of one module."""
    with running_frontend(
        "lab", chromium_browser, tmp_path_factory.mktemp("jupyter-lab")
    ) as frontend:
        yield frontend


@pytest.fixture(scope="module")
def jupyter_notebook7(
    chromium_browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[JupyterFrontend]:
    """A Notebook 7 server with a page, for the tests of one module."""
    pytest.importorskip("notebook")
    with running_frontend(
        "notebook", chromium_browser, tmp_path_factory.mktemp("notebook7")
    ) as frontend:
        yield frontend


PAUSE_ALL = """() => { const playing = [...document.querySelectorAll('video, audio')]
    .filter((m) => !m.paused); playing.forEach((m) => m.pause()); return playing.length; }"""


@pytest.fixture(autouse=True)
def media_paused_after_each_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """When a test ends, media it left playing on any open page is paused.

    Players and grids loop: one left playing decoded its videos in software through the rest
    of its module (5 or 6 at once after the grid tests), CPU the tests after it needed.
    """
    yield
    if "chromium_browser" not in request.fixturenames:
        return
    browser: Browser = request.getfixturevalue("chromium_browser")
    for context in browser.contexts:
        for page in context.pages:
            if not page.is_closed():
                page.evaluate(PAUSE_ALL)
