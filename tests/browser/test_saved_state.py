"""Small saved widget state that still renders: nbclient-executed notebooks reopened.

nbclient (``jupyter nbconvert --execute``) saves every widget model's state into the
notebook. Each model's ``_esm`` is a ~2 KB loader, not the ~38 KB bundle: the loader fetches
the bundle from the Jupyter server (the ``wan_notebook._server_extension`` extension, enabled
here through the server's config folder). The notebook, executed outside any server, is then
opened in JupyterLab and Notebook 7 with no cell run: the player and the 4-tile grid render
from the saved state, with the bundle served once, and no error text.
"""

from __future__ import annotations

import json
import pathlib
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from wan_notebook.widgets import bundle_available

from .harness import JupyterFrontend, python3_notebook, running_frontend
from .test_grid_sync import write_clip

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not bundle_available(), reason="front-end bundle not built"),
]

NB = "executed.ipynb"
CELLS = [
    """\
from wan_notebook.widgets import Player, SeedGrid
Player.from_file("media/clip0.mp4", src="/files/media/clip0.mp4", fallback_src="media/clip0.mp4",
                 seed=7, prompt="a lighthouse", duration=4.0, width=1280, height=720, cost=0.5)""",
    """\
SeedGrid(tiles=[dict(key=f"s{i}", seed=i, prompt="a lighthouse", status="done", cost=0.5,
                     src=f"/files/media/clip{i}.mp4", fallback_src=f"media/clip{i}.mp4")
                for i in range(4)])""",
]


def enable_extension(home: pathlib.Path) -> None:
    """What installing the package does: enable the server extension (here: in the test's
    own config folder, which the harness points JUPYTER_CONFIG_DIR at)."""
    conf = home / "config" / "jupyter_server_config.d"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "wan_notebook.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": {"wan_notebook._server_extension": True}}})
    )


def execute(root: pathlib.Path) -> pathlib.Path:
    """Run the notebook with nbclient, outside any Jupyter server, widget state saved."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = python3_notebook(CELLS)
    nbclient.NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(root)}}).execute()
    path = root / NB
    nbformat.write(nb, path)
    return path


def trust(path: pathlib.Path, home: pathlib.Path) -> None:
    """``jupyter trust``: an executed notebook is untrusted, and JupyterLab shows no widget
    of an untrusted notebook (only the text/plain of its outputs)."""
    import nbformat
    from nbformat.sign import NotebookNotary

    data_dir = home / "data"  # the harness's JUPYTER_DATA_DIR: the server reads its key there
    data_dir.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(path, as_version=4)
    NotebookNotary(data_dir=str(data_dir)).sign(nb)


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    root = tmp_path_factory.mktemp("executed")
    for i in range(4):
        write_clip(root / "media" / f"clip{i}.mp4", 40 + 40 * i)
    return execute(root)


@pytest.fixture(scope="module", params=["lab", "notebook"])
def reopened(
    request: pytest.FixtureRequest,
    chromium_browser: Browser,
    tmp_path_factory: pytest.TempPathFactory,
    executed: pathlib.Path,
) -> Iterator[JupyterFrontend]:
    workdir = tmp_path_factory.mktemp(f"reopen-{request.param}")
    enable_extension(workdir / "home")

    def prepare(root: pathlib.Path) -> None:
        shutil.copytree(executed.parent, root, dirs_exist_ok=True)
        trust(root / NB, workdir / "home")

    with running_frontend(request.param, chromium_browser, workdir, prepare=prepare) as fe:
        fe.open(NB, only=True)  # no cell is run: only what the file holds
        yield fe


def widget_state(path: pathlib.Path) -> dict[str, Any]:
    nb = json.loads(path.read_text())
    return dict(nb["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"])


def test_saved_state_is_small_and_has_no_bundle(executed: pathlib.Path) -> None:
    ours = [m for m in widget_state(executed).values() if m["state"].get("_kind")]
    assert sorted(m["state"]["_kind"] for m in ours) == ["grid", "player"]
    for model in ours:
        assert "_css" not in model["state"]
        assert len(model["state"]["_esm"]) < 3000
        assert len(json.dumps(model)) < 6000, model["state"]["_kind"]
    size = executed.stat().st_size
    print(f"executed notebook with a player and a 4-tile grid: {size} bytes")
    assert size < 16_000


def test_reopened_notebook_renders_from_the_saved_state(reopened: JupyterFrontend) -> None:
    fe = reopened
    fe.wait_for(".wan-player video", timeout=30)
    fe.wait_for('[data-role="seed-grid"]', timeout=30)
    fe.wait_until(
        """() => [...document.querySelectorAll('video')].filter((v) => v.readyState >= 1)
            .length >= 5""",
        timeout=30,
    )
    text = fe.page.locator(".jp-Notebook").inner_text()
    assert "Error displaying widget" not in text
    assert "needs a running kernel" not in text
    assert len(fe.page.locator('[data-role="tile-video"]').all()) == 4
    # The bundle came from the server extension, once, with its stylesheet.
    loaded = fe.evaluate(
        """() => performance.getEntriesByType('resource').map((e) => e.name)
            .filter((n) => n.includes('/wan-notebook/static/'))"""
    )
    assert [n.split("?")[0].rsplit("/", 1)[-1] for n in loaded] == ["widgets.js", "widgets.css"]
    assert fe.evaluate("() => document.getElementById('wan-notebook-css').tagName") == "LINK"
    fe.screenshot("reopened-executed")
