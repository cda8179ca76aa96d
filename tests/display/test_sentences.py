"""The plain-text sentence of each output (finding 3 of issue 12): short, and true."""

from __future__ import annotations

from pathlib import Path

import pytest

from wan_notebook import jobs
from wan_notebook.display import group_sentence, job_sentence, live_sentence, result_sentence
from wan_notebook.display._sentences import seeds_text


@pytest.fixture
def here(engine, wan, monkeypatch: pytest.MonkeyPatch):
    """Jobs on a tiny-render engine, with media in ./wan_media as in a notebook's folder."""
    monkeypatch.chdir(wan.media_dir.parent)
    wan.use(engine(render_mode="tiny"), media_dir=Path("wan_media"))
    return wan


def test_a_done_job_says_status_seed_cost_and_file(here) -> None:
    job = jobs.generate("a heron", size="1280x720", seed=5)
    job.wait(60)
    name = Path(job.results[0].path).name
    assert job_sentence(job) == f"Wan 2.6 job: done, seed 5, $0.50, wan_media/{name}"
    assert result_sentence(job.results[0]) == f"Wan 2.6 result: seed 5, $0.50, wan_media/{name}"


def test_a_running_job_says_its_estimate_once(engine, here) -> None:
    here.use(engine(delay=30), media_dir=Path("wan_media"))
    job = jobs.generate("a slow glacier", size="1920x1080", seed=3)
    text = job_sentence(job)
    assert text.startswith("Wan 2.6 job: ") and "seed 3" in text
    assert text.count("$") == 1 and "~$0.75" in text
    job.cancel()
    assert job_sentence(job).startswith("Wan 2.6 job: cancelled, seed 3")
    assert "$" not in job_sentence(job)  # nothing was charged, and it no longer estimates


def test_a_group_says_how_many_of_what_and_the_total(here) -> None:
    group = jobs.seed_sweep("a kite", [1, 2, 3], size="1280x720")
    group.wait(60)
    assert group_sentence(list(group)) == "Wan 2.6 grid: 3 videos, 3 done, seeds 1-3, $1.50"


def test_a_local_preview_is_never_passed_off_as_wan(here) -> None:
    job = jobs.generate("a fox", size="1280x720", seed=1)
    job.wait(60)
    job.engine = "local preview engine"  # what the embedded engine's jobs say
    assert job_sentence(job).startswith("Wan 2.6 job (local preview engine): done")


def test_live_sentences_say_nothing_that_goes_stale() -> None:
    text = live_sentence("Wan 2.6 job 1a2b3c4d", [7])
    assert text == "Wan 2.6 job 1a2b3c4d, seed 7: live view (kernel needed)"
    for word in ("queued", "processing", "done", "%", "$"):
        assert word not in text


@pytest.mark.parametrize(
    ("seeds", "text"),
    [([7], "seed 7"), ([1, 2, 3, 4], "seeds 1-4"), ([3, 9], "seeds 3 and 9"),
     ([3, 9, 12], "seeds 3, 9 and 12"), ([None], ""), ([], "")],
)  # fmt: skip
def test_seeds_read_as_words(seeds: list[int | None], text: str) -> None:
    assert seeds_text(seeds) == text
