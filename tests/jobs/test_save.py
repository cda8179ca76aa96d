"""Saving results (finding 5): every file is probed before it becomes a result, a file
that is not the video asked for is kept aside in .rejected/ and never served, and a cache
hit is the file that was downloaded, byte for byte."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from tests.fake_runware import FakeRunware, mp4_header
from tests.wan_checks import check_files, journal_problems
from wan_notebook.errors import NetworkError
from wan_notebook.jobs import generate, recover

if TYPE_CHECKING:
    from tests.wan_fixtures import Wan


PROMPT = "a lighthouse in a storm, waves crashing"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        pytest.param(b"<!doctype html><html><body>Not found</body></html>", "not a video",
                     id="an HTML page"),
        pytest.param(mp4_header(640, 360, 5.0), "640x360", id="the wrong size"),
        pytest.param(mp4_header(1280, 720, 2.0), "2.0", id="the wrong duration"),
    ],
)  # fmt: skip
def test_a_file_that_is_not_the_video_asked_for_is_kept_aside_and_recoverable(
    wan: Wan, body: bytes, problem: str
) -> None:
    fake = FakeRunware(polls_until_done=0, video_bytes=body)
    wan.use_fake(fake)
    job = generate(PROMPT, size="1280x720", seed=1)
    with pytest.raises(NetworkError) as caught:
        job.wait(30)
    assert problem in caught.value.message and job.results == []
    rejected = list((wan.media_dir / ".rejected").iterdir())
    assert len(rejected) == 1 and rejected[0].read_bytes() == body, caught.value
    assert not list(wan.media_dir.glob("*.mp4"))  # never served as a result
    row = wan.store.task(job.task_uuid)
    assert row is not None and row.status == "failed" and row.recoverable
    # Once the server sends the real video, recover() fetches it (nothing is paid again).
    fake.video_bytes = None
    again = recover()
    again.wait(30)
    assert again.counts == {"done": 1}
    check_files(again[0])
    sends = [t for post in fake.posts for t in post if t["taskType"] == "videoInference"]
    assert len(sends) == 1
    assert journal_problems(wan.media_dir) == []


def test_a_cache_hit_whose_file_changed_is_a_miss(wan: Wan, engine) -> None:
    eng = engine(render_mode="tiny")
    wan.use(eng)
    first = generate(PROMPT, size="1280x720", seed=3)
    first.wait(30)
    path = first.results[0].path
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, other bytes
    path.write_bytes(bytes(data))
    second = generate(PROMPT, size="1280x720", seed=3)
    second.wait(30)
    assert not second.cached
    assert eng.stats()["tasks"]["videoInference"] == 2
    check_files(second)
    # An intact file is a hit.
    third = generate(PROMPT, size="1280x720", seed=3)
    assert third.cached and third.results == second.results


@pytest.mark.parametrize("cost", ["NaN", "Infinity", -5, "-Infinity"])
def test_a_cost_that_is_not_a_finite_number_is_recorded_as_unknown(
    wan: Wan, cost: object, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeRunware(polls_until_done=0)
    fake.number_cost = cost  # type: ignore[assignment]
    wan.use_fake(fake)
    job = generate(PROMPT, size="1280x720", seed=1)
    job.wait(30)
    (result,) = job.results
    assert result.cost is None and job.cost is None
    assert any("recorded as unknown" in r.getMessage() for r in caplog.records)
    assert result.sidecar is not None

    def refuse(name: str) -> None:
        raise ValueError(f"not JSON: {name}")

    sidecar = json.loads(result.sidecar.read_text(), parse_constant=refuse)  # strict JSON
    assert sidecar["cost"]["actual"] is None
    row = wan.store.task(job.task_uuid)
    assert row is not None and row.status == "done"
    assert journal_problems(wan.media_dir) == []
