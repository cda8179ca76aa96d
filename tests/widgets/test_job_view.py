"""Live job views bound to real jobs on the local engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from tests.wan_checks import wait_until
from wan_notebook import jobs
from wan_notebook.widgets import JobView, show_job
from wan_notebook.widgets.grid_view import GridView
from wan_notebook.widgets.job_view import player_for


def test_job_view_follows_the_job_and_shows_a_player_when_done(engine, wan) -> None:
    wan.use(engine(delay=0.5))
    job = jobs.generate("a heron in fog", size="1280x720", seed=2)
    view = JobView(job)
    assert view.card.status in ("queued", "submitted", "processing")
    job.wait(60)
    wait_until(lambda: view.card.status == "done", timeout=10)
    assert view.card.cost == pytest.approx(0.5)
    assert view.card.finished_at >= view.card.started_at > 0
    [player] = view.box.children[1:]
    assert player.seed == 2 and player.duration == pytest.approx(5.0, abs=0.1)
    assert player.width == 1280 and player.download_name.endswith(".mp4")


def test_the_player_carries_the_apis_url_and_when_it_ends(engine, wan) -> None:
    wan.use(engine(render_mode="tiny"))
    job = jobs.generate("a heron in fog", size="1280x720", seed=2, ttl=120).wait(60)
    [result] = job.results
    player = player_for(job, result)
    assert result.url and player.remote_src == result.url
    assert job.finished_at is not None
    assert player.remote_expires == pytest.approx(job.finished_at + 120)
    again = jobs.generate("a heron in fog", size="1280x720", seed=2, ttl=120).wait(60)
    assert again.cached, "the journal's result is reused"
    reused = player_for(again, again.results[0])
    assert reused.remote_src == result.url and reused.remote_expires == 0.0, "made when: unknown"


def test_cancel_button_message_cancels_the_job(engine, wan) -> None:
    wan.use(engine(delay=30))
    job = jobs.generate("a slow glacier", size="1280x720", seed=3)
    view = JobView(job)
    wait_until(lambda: job.status in ("submitted", "processing"), timeout=10)
    view.card._handle_message(view.card, {"type": "cancel"}, [])
    wait_until(lambda: view.card.status == "cancelled", timeout=10)
    assert job.status == "cancelled"


# ---- issue 12: one piece once done, a grid for several results, a saved preview ----------


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    yield InteractiveShell.instance()


def test_done_card_and_player_line_up_and_say_each_thing_once(engine, wan) -> None:
    wan.use(engine(render_mode="tiny"))
    job = jobs.generate("a heron in fog", size="1280x720", seed=2)
    view = JobView(job)
    job.wait(60)
    wait_until(lambda: len(view.box.children) == 2, timeout=10)
    card, player = view.box.children
    assert card.layout.width == player.layout.width == "640px"
    assert card.prompt == "" and card.seed is None, "the player shows prompt and seed"
    assert player.prompt == "a heron in fog" and player.seed == 2
    assert card.cost == pytest.approx(0.5) and player.cost == -1.0, "the card shows the cost"


def test_a_portrait_clip_narrows_card_and_player_instead_of_letterboxing(engine, wan) -> None:
    wan.use(engine(render_mode="tiny"))
    job = jobs.generate("a lighthouse", size="1080x1920", seed=8)
    view = JobView(job)
    job.wait(60)
    wait_until(lambda: len(view.box.children) == 2, timeout=10)
    card, player = view.box.children
    assert player.layout.width == card.layout.width == f"{round(640 * 1080 / 1920)}px"


def test_several_results_show_as_one_synchronized_grid(engine, wan, shell) -> None:
    wan.use(engine(render_mode="tiny"))
    job = jobs.generate("a heron", size="1280x720", seed=9, n=2)
    with capture_output() as captured:
        view = show_job(job)
        view.wait(60)
        wait_until(lambda: all(t["status"] == "done" for t in view.grid.tiles), timeout=10)
    assert isinstance(view, GridView)
    keys = [t["key"] for t in view.grid.tiles]
    assert keys == [f"{job.task_uuid}#0", f"{job.task_uuid}#1"]
    assert [t["seed"] for t in view.grid.tiles] == [r.seed for r in job.results]
    assert all(t["src"] for t in view.grid.tiles)
    view.grid.set_state({"picked": keys[1]})
    assert view.picked is job and view.picked_result == job.results[1]
    grid_output = captured.outputs[0].data
    assert grid_output["text/plain"].startswith("Wan 2.6 grid of 2 videos, seed 9: live view")


def test_the_static_slot_gets_the_preview_when_the_job_ends(engine, wan, shell) -> None:
    wan.use(engine(render_mode="tiny"))
    job = jobs.generate("an otter", size="1280x720", seed=4)
    with capture_output() as captured:
        show_job(job)
        job.wait(60)
        wait_until(lambda: len(captured.outputs) == 3, timeout=10)
    live, pending, filled = captured.outputs
    assert (
        live.data["text/plain"]
        == f"Wan 2.6 job {job.task_uuid[:8]}, seed 4: live view (kernel needed)"
    )
    assert "had not finished" in pending.data["text/html"]
    assert filled.update and '<video src="' in filled.data["text/html"]
    assert filled.data["text/plain"].startswith("Wan 2.6 job: done, seed 4, $0.50, ")
    assert 'preload="none"' in filled.data["text/html"]
