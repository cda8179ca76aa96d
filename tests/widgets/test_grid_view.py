"""Seed grids and prompt x seed matrices bound to real jobs on the local engine."""

from __future__ import annotations

import pytest

from tests.wan_checks import wait_until
from wan_notebook import VideoRequest
from wan_notebook.widgets import grid_view as grids


@pytest.fixture
def fast(engine, wan):
    wan.use(engine(render_mode="tiny"))
    return wan


def test_grid_runs_one_job_per_seed_and_fills_the_tiles(fast) -> None:
    view = grids.grid(VideoRequest.build("a kite", size="1280x720"), seeds=[4, 5, 6], show=False)
    view.wait(60)
    wait_until(lambda: all(t["status"] == "done" for t in view.grid.tiles), timeout=10)
    tiles = view.grid.tiles
    assert [t["seed"] for t in tiles] == [4, 5, 6]
    assert all(t["src"] for t in tiles) and [t["col"] for t in tiles] == [0, 1, 2]
    assert view.grid.col_labels == ["seed 4", "seed 5", "seed 6"]


def test_tiles_carry_the_apis_url_with_its_ttl_and_the_grid_knows_their_files(fast) -> None:
    """Like the player: VS Code and Colab play the API's URL first; previews, compat
    copies and the bytes fallback need the file behind each tile."""
    view = grids.grid("a kite", seeds=[1, 2], size="1280x720", ttl=600, show=False)
    view.wait(60)
    wait_until(lambda: all(t["status"] == "done" for t in view.grid.tiles), timeout=10)
    for job, tile in zip(view.jobs, view.grid.tiles, strict=True):
        [result] = job.results
        assert result.url and tile["remote_src"] == result.url
        assert job.finished_at is not None
        assert tile["remote_expires"] == pytest.approx(job.finished_at + 600)
        assert view.grid._files[tile["key"]] == result.path


def test_pick_in_the_browser_is_the_winner_in_python(fast) -> None:
    view = grids.grid("a kite", seeds=[1, 2], size="1280x720", show=False)
    view.wait(60)
    seen = []
    view.on_pick(seen.append)
    second = view.jobs[1]
    view.grid.set_state({"picked": second.task_uuid})  # what a click on Pick sends
    assert view.picked is second and seen == [second] and view.picked_seed == 2


def test_winner_loads_into_a_builder_with_its_seed(fast) -> None:
    view = grids.grid("a kite", seeds=[7, 8], size="1280x720", show=False)
    view.wait(60)
    view.picked = view.jobs[1]
    builder = view.builder()
    assert builder.request.seed == 8 and builder.request.positive_prompt == "a kite"


def test_compare_lays_out_prompts_by_seeds(fast) -> None:
    view = grids.compare(
        ["a red kite", "a blue kite"], seeds=[1, 2, 3], size="1280x720", show=False
    )
    assert len(view) == 6
    assert view.grid.row_labels == ["a red kite", "a blue kite"]
    assert view.grid.col_labels == ["seed 1", "seed 2", "seed 3"]
    cells = {(t["row"], t["col"]): (t["prompt"], t["seed"]) for t in view.grid.tiles}
    assert cells[(1, 2)] == ("a blue kite", 3) and cells[(0, 0)] == ("a red kite", 1)
    view.wait(60)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: grids.grid(123, seeds=[1]), r"grid\(\): request must be"),
        (lambda: grids.grid("a kite", seeds=5), r"grid\(\): seeds must be a list of ints"),
        (lambda: grids.grid("a kite", seeds=["1"]), r"seeds must be a list of ints, got an item"),
        (lambda: grids.grid("a kite", seeds=[True]), r"seeds must be a list of ints, got an item"),
        (lambda: grids.compare("a kite", seeds=[1]), r"compare\(\): prompts must be a list"),
        (lambda: grids.compare([1], seeds=[1]), r"prompts must be a list of strings, got an item"),
        (lambda: grids.compare(["a kite"], seeds=2), r"compare\(\): seeds must be a list"),
    ],
)
def test_wrong_types_name_the_argument_before_any_job_starts(call, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        call()
