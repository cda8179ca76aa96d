"""The widgets' shared base: a small loader as ``_esm``, the bundle on request.

Every widget model's ``_esm`` ends up in saved widget state (nbclient saves it for each
model), so it is the ~2 KB loader, not the bundle, and no ``_css`` is synced. The bundle
itself reaches a browser that the Jupyter server cannot serve (VS Code, Colab) as the answer
to the view's ``{"type": "need_bundle"}``.
"""

from __future__ import annotations

import pathlib
from typing import Any

import pytest

from wan_notebook.widgets import Player, ProgressCard, SeedGrid, WanWidget, _base, bundle_available

pytestmark = pytest.mark.skipif(not bundle_available(), reason="front-end bundle not built")


def browser_message(widget: WanWidget, content: dict[str, Any]) -> None:
    widget._handle_msg(
        {"content": {"data": {"method": "custom", "content": content}}, "buffers": []}
    )


@pytest.mark.parametrize("cls", [Player, ProgressCard, SeedGrid])
def test_every_model_carries_the_small_loader_and_no_css(cls: type[WanWidget]) -> None:
    widget = cls()
    state = widget.get_state()
    assert "_css" not in state
    assert len(state["_esm"]) < 3000
    assert _base.BUNDLE_VERSION in state["_esm"]
    assert "__WAN_BUNDLE_VERSION__" not in state["_esm"]
    assert state["_esm"].count("\n") >= 1  # never taken for a file path by anywidget


def test_the_version_is_the_bundles_hash() -> None:
    assert len(_base.BUNDLE_VERSION) == 12
    assert _base._bundle_version() == _base.BUNDLE_VERSION


def test_need_bundle_is_answered_with_the_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(WanWidget, "send", lambda self, content, buffers=None: sent.append(content))
    grid = SeedGrid()
    browser_message(grid, {"type": "need_bundle"})
    assert len(sent) == 1
    answer = sent[0]
    assert answer["type"] == "bundle"
    assert answer["js"] == (_base.STATIC_DIR / "widgets.js").read_text()
    assert answer["css"] == (_base.STATIC_DIR / "widgets.css").read_text()
    assert answer["version"] == _base.BUNDLE_VERSION
    browser_message(grid, {"type": "something else"})
    assert len(sent) == 1


def test_embed_mode_puts_the_whole_bundle_in_every_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAN_WIDGET_BUNDLE", "embed")
    esm, css = _base._esm_and_css()
    assert esm == (_base.STATIC_DIR / "widgets.js").read_text()
    assert css == (_base.STATIC_DIR / "widgets.css").read_text()


def test_dev_mode_hands_anywidget_the_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAN_WIDGET_BUNDLE", "dev")
    assert _base._esm_and_css() == (_base._ESM_PATH, _base._CSS_PATH)


def test_without_a_built_bundle_the_view_says_how_to_build(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_base, "bundle_available", lambda: False)
    esm, css = _base._esm_and_css()
    assert "npm run build" in esm
    assert css == ""


def test_an_executed_notebook_saves_small_widget_state(tmp_path: pathlib.Path) -> None:
    """nbclient's default (``store_widget_state=True``): a player and a 4-tile grid."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from wan_notebook.widgets import Player, SeedGrid\n"
            "Player(src='/files/a.mp4', seed=1, duration=5.0, width=1280, height=720)"
        ),
        nbformat.v4.new_code_cell(
            "SeedGrid(tiles=[dict(key=f's{i}', seed=i, status='done', src=f'/files/{i}.mp4')"
            " for i in range(4)])"
        ),
    ]
    nbclient.NotebookClient(
        nb, timeout=60, resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    path = tmp_path / "executed.ipynb"
    nbformat.write(nb, path)
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    ours = [m["state"] for m in state.values() if m["state"].get("_kind")]
    assert sorted(s["_kind"] for s in ours) == ["grid", "player"]
    assert all("_css" not in s and len(s["_esm"]) < 3000 for s in ours)
    # ~40 KB per widget with the bundle in every model; now the whole notebook:
    assert path.stat().st_size < 16_000
