"""Live job views bound to real jobs on the local engine."""

from __future__ import annotations

import pytest

from tests.wan_checks import wait_until
from wan_notebook import jobs
from wan_notebook.widgets import JobView


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


def test_cancel_button_message_cancels_the_job(engine, wan) -> None:
    wan.use(engine(delay=30))
    job = jobs.generate("a slow glacier", size="1280x720", seed=3)
    view = JobView(job)
    wait_until(lambda: job.status in ("submitted", "processing"), timeout=10)
    view.card._handle_message(view.card, {"type": "cancel"}, [])
    wait_until(lambda: view.card.status == "cancelled", timeout=10)
    assert job.status == "cancelled"
