"""Python side of the widgets: traits, reprs and the messages from the browser.

No front end is involved: messages are fed in through ipywidgets' own comm
message handler (``Widget._handle_msg``), exactly as a browser's would be.
"""

from __future__ import annotations

import pathlib
import types
from typing import Any

import pytest
import traitlets

import wan_notebook.widgets as widgets_pkg
from wan_notebook.widgets import (
    JOB_STATUSES,
    TILE_DEFAULTS,
    Player,
    ProgressCard,
    SeedGrid,
    WanWidget,
    bundle_available,
)
from wan_notebook.widgets._base import STATIC_DIR, bundle_message


def browser_message(widget: WanWidget, content: dict[str, Any]) -> None:
    """Deliver a custom message as if the front end had sent it."""
    widget._handle_msg(
        {"content": {"data": {"method": "custom", "content": content}}, "buffers": []}
    )


def browser_update(widget: WanWidget, **state: Any) -> None:
    """Deliver a state update as if the user had changed it in the browser."""
    widget._handle_msg({"content": {"data": {"method": "update", "state": state}}, "buffers": []})


# ---- package -------------------------------------------------------------------


def test_exports_match_all() -> None:
    public = {
        name
        for name, value in vars(widgets_pkg).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert sorted(widgets_pkg.__all__) == sorted(public)


def test_every_widget_loads_the_shared_bundle() -> None:
    kinds = {cls: cls()._kind for cls in (ProgressCard, Player, SeedGrid)}
    assert kinds == {ProgressCard: "progress", Player: "player", SeedGrid: "grid"}
    if bundle_available():
        # One loader for all, which fetches the one bundle (see test_base.py).
        loaders = {cls()._esm for cls in (ProgressCard, Player, SeedGrid)}
        assert len(loaders) == 1
        assert "wan-notebook/static/" in loaders.pop()
        assert bundle_message()["js"] == (STATIC_DIR / "widgets.js").read_text()
    else:
        assert "npm run build" in ProgressCard()._esm


def test_kind_is_read_only() -> None:
    with pytest.raises(traitlets.TraitError):
        ProgressCard()._kind = "player"  # type: ignore[misc]


# ---- ProgressCard ------------------------------------------------------------------


def test_progress_card_defaults() -> None:
    card = ProgressCard()
    assert card.status == "queued"
    assert card.seed is None
    assert (card.started_at, card.finished_at) == (0.0, 0.0)
    assert card.progress == -1.0
    assert card.progress_source == ""
    assert (card.estimated_cost, card.cost) == (-1.0, -1.0)
    assert (card.error, card.engine, card.task_uuid, card.prompt) == ("", "", "", "")
    assert card.cached is False
    assert card.live


@pytest.mark.parametrize("status", JOB_STATUSES)
def test_progress_card_accepts_every_status(status: str) -> None:
    assert ProgressCard(status=status).status == status


def test_progress_card_rejects_unknown_status() -> None:
    with pytest.raises(traitlets.TraitError):
        ProgressCard(status="running")
    with pytest.raises(traitlets.TraitError):
        ProgressCard(progress_source="guess")


@pytest.mark.parametrize(
    ("given", "stored"), [(0.5, 0.5), (1.7, 1.0), (-0.2, -1.0), (float("nan"), -1.0), (0, 0.0)]
)
def test_progress_is_clamped(given: float, stored: float) -> None:
    assert ProgressCard(progress=given).progress == stored


def test_progress_card_repr_is_stable() -> None:
    card = ProgressCard(prompt="a fox", seed=7)
    assert repr(card) == "ProgressCard(status='queued', seed=7)"
    card.status = "done"
    card.progress = 1.0
    assert repr(card) == "ProgressCard(status='done', seed=7, progress=1.0)"
    card.error = "x" * 100
    assert "0x" not in repr(card)
    assert len(repr(card)) < 120


def test_cancel_message_calls_every_handler() -> None:
    card = ProgressCard(status="processing")
    calls: list[str] = []
    card.on_cancel(lambda: calls.append("a"))
    card.on_cancel(lambda: calls.append("b"))
    browser_message(card, {"type": "cancel"})
    assert calls == ["a", "b"]


def test_cancel_handler_can_be_removed_and_is_registered_once() -> None:
    card = ProgressCard()
    calls: list[int] = []

    def handler() -> None:
        calls.append(1)

    card.on_cancel(handler)
    card.on_cancel(handler)
    browser_message(card, {"type": "cancel"})
    card.on_cancel(handler, remove=True)
    browser_message(card, {"type": "cancel"})
    assert calls == [1]


def test_other_messages_do_not_cancel() -> None:
    card = ProgressCard()
    calls: list[int] = []
    card.on_cancel(lambda: calls.append(1))
    browser_message(card, {"type": "something-else"})
    assert calls == []


# ---- Player ----------------------------------------------------------------------


def test_player_defaults() -> None:
    player = Player()
    assert (player.src, player.fallback_src, player.remote_src) == ("", "", "")
    assert (player.remote_expires, player.bytes_sent) == (0.0, 0)
    assert "data" not in player.keys  # bytes never travel as a trait
    assert player.mime == "video/mp4"
    assert player.fps == 30.0  # what Wan 2.6 writes
    assert player.cost == -1.0
    assert player.loop is True
    assert player.muted is True
    assert player.autoplay is False
    assert player.playback_rate == 1.0
    assert player.path is None


def test_player_repr_is_stable() -> None:
    player = Player(src="/files/wan_media/fox.mp4", seed=3, duration=5.0)
    assert repr(player) == "Player(src='/files/wan_media/fox.mp4', seed=3, duration=5.0)"


def test_player_validates_mime_and_rate() -> None:
    with pytest.raises(traitlets.TraitError):
        Player(mime="video/x-flv")
    with pytest.raises(traitlets.TraitError, match="playback_rate"):
        Player(playback_rate=0)
    assert Player(playback_rate=0.25).playback_rate == 0.25


@pytest.mark.parametrize(
    ("name", "mime"),
    [("a.mp4", "video/mp4"), ("b.WEBM", "video/webm"), ("c.mov", "video/quicktime")],
)
def test_from_file_guesses_mime_and_download_name(
    tmp_path: pathlib.Path, name: str, mime: str
) -> None:
    file = tmp_path / name
    file.write_bytes(b"\x00")
    player = Player.from_file(file, src=f"/files/{name}", seed=1, prompt="p")
    assert player.mime == mime
    assert player.download_name == name
    assert player.path == file
    assert (player.src, player.seed, player.prompt) == (f"/files/{name}", 1, "p")
    assert player.bytes_sent == 0  # bytes only on request


def test_need_bytes_without_a_file_tells_the_browser(sent: list[dict[str, Any]]) -> None:
    player = Player(src="/files/missing.mp4")
    browser_message(player, {"type": "need_bytes"})
    assert player.bytes_sent == 0
    assert sent and sent[-1]["type"] == "no_bytes"


def test_need_bytes_with_an_unreadable_file(
    tmp_path: pathlib.Path, sent: list[dict[str, Any]]
) -> None:
    player = Player.from_file(tmp_path / "gone.mp4", src="")
    browser_message(player, {"type": "need_bytes"})
    assert player.bytes_sent == 0
    assert [m["type"] for m in sent] == ["no_bytes"]  # nothing started
    assert "gone.mp4" in sent[-1]["message"]


def test_on_need_bytes_can_be_overridden(sent: list[dict[str, Any]]) -> None:
    class CachedPlayer(Player):
        def on_need_bytes(self) -> None:
            self.send_video(b"cached")

    player = CachedPlayer()
    browser_message(player, {"type": "need_bytes"})
    assert player.bytes_sent == 6
    assert [m["type"] for m in sent] == ["bytes_start", "bytes_chunk"]


def test_player_syncs_rate_loop_and_mute_from_the_browser() -> None:
    player = Player()
    browser_update(player, playback_rate=1.5, loop=False, muted=False)
    assert (player.playback_rate, player.loop, player.muted) == (1.5, False, False)


# ---- SeedGrid --------------------------------------------------------------------


def four_tiles() -> list[dict[str, Any]]:
    return [
        {"key": f"s{i}", "seed": i, "status": "done", "src": f"/files/{i}.mp4"} for i in range(1, 5)
    ]


def test_grid_defaults() -> None:
    grid = SeedGrid()
    assert grid.tiles == []
    assert (grid.row_labels, grid.col_labels) == ([], [])
    assert grid.columns == 0
    assert (grid.picked, grid.enlarged) == ("", "")
    assert grid.fps == 30.0
    assert grid.playback_rate == 1.0
    assert grid.loop is True
    assert grid.picked_tile is None


def test_grid_fills_tile_defaults() -> None:
    grid = SeedGrid(tiles=[{"key": "a"}])
    assert grid.tiles == [{**TILE_DEFAULTS, "key": "a"}]


@pytest.mark.parametrize(
    ("tiles", "message"),
    [
        ([{"key": "a"}, {"key": "a"}], "unique"),
        ([{"seed": 1}], "key"),
        ([{"key": "a", "colour": "red"}], "unknown"),
        ([{"key": "a", "status": "running"}], "status"),
        (["a"], "dict"),
    ],
)
def test_grid_rejects_bad_tiles(tiles: list[Any], message: str) -> None:
    with pytest.raises(traitlets.TraitError, match=message):
        SeedGrid(tiles=tiles)


def test_grid_repr_is_stable() -> None:
    grid = SeedGrid(tiles=four_tiles())
    assert repr(grid) == "SeedGrid(tiles=4, picked='')"
    grid.picked = "s2"
    assert repr(grid) == "SeedGrid(tiles=4, picked='s2')"


def test_pick_in_the_browser_calls_on_pick() -> None:
    grid = SeedGrid(tiles=four_tiles())
    picks: list[str] = []
    grid.on_pick(picks.append)
    browser_update(grid, picked="s3")
    assert grid.picked == "s3"
    assert picks == ["s3"]
    assert grid.picked_tile is not None
    assert grid.picked_tile["seed"] == 3
    browser_update(grid, picked="")
    assert picks == ["s3", ""]


def test_pick_from_python_does_not_call_on_pick() -> None:
    grid = SeedGrid(tiles=four_tiles())
    picks: list[str] = []
    grid.on_pick(picks.append)
    grid.picked = "s1"
    assert picks == []
    grid.on_pick(picks.append, remove=True)
    browser_update(grid, picked="s2")
    assert picks == []


def test_update_tile_replaces_the_list() -> None:
    grid = SeedGrid(tiles=four_tiles())
    before = grid.tiles
    changes: list[Any] = []
    grid.observe(changes.append, names=["tiles"])
    grid.update_tile("s2", status="failed", error="boom")
    assert grid.tiles is not before
    assert grid.tiles[1]["status"] == "failed"
    assert grid.tiles[1]["error"] == "boom"
    assert len(changes) == 1
    with pytest.raises(KeyError):
        grid.update_tile("nope", status="done")


def test_matrix_labels() -> None:
    grid = SeedGrid(
        tiles=[{"key": f"{r}-{c}", "row": r, "col": c} for r in range(2) for c in range(3)],
        row_labels=["a fox", "a cat"],
        col_labels=["seed 1", "seed 2", "seed 3"],
    )
    assert [(t["row"], t["col"]) for t in grid.tiles][-1] == (1, 2)
    with pytest.raises(traitlets.TraitError):
        grid.row_labels = [1]  # type: ignore[list-item]
