"""Jobs from request to file: the cache, spending, faults, cancel and waiting.

Acceptance tests run against the real local engine over loopback (``engine`` fixture);
a few shapes the engine does not make use the in-memory ``FakeRunware``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.fake_runware import FakeRunware
from tests.wan_checks import journal_problems, wait_until
from wan_notebook import VideoRequest
from wan_notebook.errors import (
    AuthenticationError,
    InsufficientCreditError,
    InvalidRequestError,
    JobCancelledError,
    JobTimeoutError,
    NetworkError,
    RateLimitError,
    ServerError,
    TaskFailedError,
    WanError,
)
from wan_notebook.jobs import Job, JobGroup, generate, seed_sweep, session_spend
from wan_notebook.jobs._inputs import INLINE_IMAGE_BYTES
from wan_notebook.jobs._progress import ESTIMATE_CAP

if TYPE_CHECKING:
    from tests.wan_fixtures import Wan


PROMPT = "a lighthouse in a storm, waves crashing"


def _requests(stats: dict[str, Any]) -> int:
    return int(stats["http_requests"])


def _check_files(job: Job) -> None:
    for result in job.results:
        data = result.path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == result.sha256
        assert len(data) == result.bytes
        assert result.sidecar is not None and result.sidecar.exists()


# ----- the happy path -------------------------------------------------------------------------


def test_generate_returns_at_once_and_the_job_ends_with_a_file(wan: Wan, engine) -> None:
    eng = engine(delay=0.3, render_mode="tiny")
    wan.use(eng)
    job = generate(PROMPT, size="1280x720", seed=3)
    assert job.status == "queued" and job.results == []
    assert job.wait(30) is job
    assert job.status == "done" and job.error is None and not job.cached
    assert [s for _, s, _ in job.events] == ["queued", "submitted", "processing", "downloading",
                                             "done"]  # fmt: skip
    (result,) = job.results
    assert result.path.parent == wan.media_dir and result.path.suffix == ".mp4"
    assert result.seed == 3 and result.cost == pytest.approx(0.5) and job.cost == 0.5
    assert (result.width, result.height, result.duration, result.format) == (1280, 720, 5.0, "MP4")
    _check_files(job)
    sidecar = json.loads(result.sidecar.read_text())  # type: ignore[union-attr]
    assert sidecar["request"]["taskUUID"] == job.task_uuid
    assert sidecar["result"]["sha256"] == result.sha256
    assert sidecar["engine"] == job.engine and sidecar["wan_notebook"]
    assert job.finished_at and job.started_at and job.elapsed > 0
    assert job.progress == 1.0
    assert journal_problems(wan.media_dir) == []


def test_the_prompt_can_be_positional_a_keyword_or_a_request(wan: Wan, engine) -> None:
    wan.use(engine(render_mode="tiny"))
    by_position = generate(PROMPT, size="1280x720", seed=1)
    by_keyword = generate(prompt=PROMPT, size="1280x720", seed=2)
    by_request = generate(VideoRequest.build(PROMPT, size="1280x720", seed=4))
    JobGroup([by_position, by_keyword, by_request]).wait(30)
    assert [j.results[0].seed for j in (by_position, by_keyword, by_request)] == [1, 2, 4]


async def test_a_job_can_be_awaited_on_the_running_loop(wan: Wan, engine) -> None:
    wan.use(engine(render_mode="tiny"))
    job = generate(PROMPT, size="1280x720", seed=5)
    assert job._loop is asyncio.get_running_loop()
    assert await job is job
    assert job.status == "done"


def test_job_wait_inside_a_running_loop_works_like_a_notebook_cell(wan: Wan, engine) -> None:
    eng = engine(delay=0.2, render_mode="tiny")
    env = {**os.environ, "WAN_BACKEND": "runware", "WAN_BASE_URL": eng.base_url,
           "RUNWARE_API_KEY": eng.api_key, "WAN_MEDIA_DIR": str(wan.media_dir)}  # fmt: skip
    code = """
        import asyncio
        from wan_notebook import configure, generate
        configure(poll_first=0.05, poll_min=0.05)

        async def cell():  # a cell runs on the kernel's loop; jobs become tasks of it
            job = generate("a fox", size="1280x720", seed=9)
            assert job._loop is asyncio.get_running_loop()
            job.wait(30)  # synchronous, inside the running loop
            print(job.status, len(job.results))

        asyncio.run(cell())
    """
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["done", "1"]


# ----- nothing sent when it should not be -------------------------------------------------------


def test_an_invalid_request_raises_before_any_network_call(wan: Wan, engine) -> None:
    eng = engine()
    wan.use(eng)
    with pytest.raises(InvalidRequestError) as caught:
        generate(PROMPT, size="1280x721", duration=7)
    assert set(caught.value.parameters) >= {"size", "duration"} or caught.value.parameters
    assert _requests(eng.stats()) == 0
    assert wan.store.tasks() == []


def test_running_the_same_request_again_does_not_reach_the_server(wan: Wan, engine) -> None:
    eng = engine(render_mode="tiny")
    wan.use(eng)
    first = generate(PROMPT, size="1280x720", seed=11).wait(30)
    stats = eng.stats()
    again = generate(PROMPT, size="1280x720", seed=11)
    assert again.cached and again.status == "done"
    assert [r.path for r in again.results] == [r.path for r in first.results]
    assert again.wait(1) is again
    assert eng.stats()["http_requests"] == stats["http_requests"]
    assert eng.stats()["downloads"] == stats["downloads"]
    fresh = generate(PROMPT, size="1280x720", seed=11, new=True).wait(30)
    assert not fresh.cached and fresh.task_uuid != first.task_uuid
    assert eng.stats()["tasks"]["videoInference"] == stats["tasks"]["videoInference"] + 1
    assert fresh.results[0].path != first.results[0].path


def test_the_cache_misses_when_the_file_is_gone(wan: Wan, engine) -> None:
    wan.use(engine(render_mode="tiny"))
    first = generate(PROMPT, size="1280x720", seed=12).wait(30)
    first.results[0].path.unlink()
    again = generate(PROMPT, size="1280x720", seed=12)
    assert not again.cached
    again.wait(30)


# ----- several videos per task -----------------------------------------------------------------


def test_number_results_brings_every_video_once(wan: Wan, engine) -> None:
    wan.use(engine(delay=0.2, render_mode="tiny"))
    job = generate(PROMPT, size="1280x720", seed=30, n=3).wait(30)
    assert len(job.results) == 3
    assert len({r.video_uuid for r in job.results}) == 3
    assert len({r.path for r in job.results}) == 3
    assert job.cost == pytest.approx(1.5)
    _check_files(job)


def test_a_partial_failure_keeps_the_successes(wan: Wan, engine) -> None:
    eng = engine(delay=0.2, render_mode="tiny", faults={"next": {"task_fail": 1}})
    wan.use(eng)
    job = generate(PROMPT, size="1280x720", seed=31, n=2)
    with pytest.raises(TaskFailedError, match="1 of 2 failed; 1 video"):
        job.wait(30)
    assert job.status == "failed" and len(job.results) == 1
    assert isinstance(job.error, TaskFailedError) and job.error.code == "inferenceError"
    _check_files(job)
    assert journal_problems(wan.media_dir) == []


# ----- progress, events, callbacks --------------------------------------------------------------


def test_progress_comes_from_the_api_when_it_sends_some(wan: Wan, engine) -> None:
    wan.use(engine(delay=1.5, render_mode="tiny"))
    job = generate(PROMPT, size="1280x720", seed=40)
    wait_until(lambda: job.status == "processing" and job.progress_source == "api", 10,
               "api progress")  # fmt: skip
    assert job.progress is not None and 0.0 <= job.progress <= 1.0
    job.wait(30)


def test_progress_is_estimated_when_the_api_sends_none(wan: Wan, engine) -> None:
    wan.use(engine(delay=1.5, render_mode="tiny", progress=False))
    job = generate(PROMPT, size="1280x720", seed=41)
    wait_until(lambda: job.status == "processing", 10, "processing")
    assert job.progress_source == "estimate"
    assert job.progress is not None and 0.0 <= job.progress <= ESTIMATE_CAP
    job.wait(30)
    # Finished jobs teach the estimate: similar jobs are now expected to take about as long.
    learned = wan.store.typical_seconds(
        "720p", 5, backend=wan.session.context().backend.cache_scope
    )
    assert learned is not None and 1.0 < learned < 10.0


def test_on_change_sees_every_state_and_callback_errors_are_swallowed(wan: Wan, engine) -> None:
    wan.use(engine(delay=0.2, render_mode="tiny"))
    seen: list[str] = []
    job = generate(PROMPT, size="1280x720", seed=42)
    job.on_change(lambda j: seen.append(j.status))

    @job.on_change
    def broken(j: Job) -> None:
        raise RuntimeError("a widget bug")

    job.wait(30)
    assert seen[-1] == "done"
    assert {"downloading", "done"} <= set(seen)


def test_a_group_reports_changes_of_any_of_its_jobs(wan: Wan, engine) -> None:
    wan.use(engine(delay=0.2, render_mode="tiny"))
    group = seed_sweep(VideoRequest.build(PROMPT, size="1280x720"), [1, 2])
    calls: list[JobGroup] = []
    group.on_change(calls.append)
    group.wait(30)
    assert calls and all(c is group for c in calls)
    assert group.counts == {"done": 2} and group.done and "2 done" in repr(group)


# ----- waiting and cancelling ---------------------------------------------------------------------


def test_wait_timeout_raises_and_the_job_keeps_running(wan: Wan, engine) -> None:
    wan.use(engine(delay=1.0, render_mode="tiny"))
    job = generate(PROMPT, size="1280x720", seed=50)
    with pytest.raises(JobTimeoutError, match="keeps running"):
        job.wait(0.1)
    assert job.wait(30).status == "done"


def test_cancel_stops_polling_and_records_that_the_api_may_still_bill(wan: Wan, engine) -> None:
    eng = engine(delay=5.0, render_mode="tiny")
    wan.use(eng)
    job = generate(PROMPT, size="1280x720", seed=51)
    wait_until(lambda: job.status == "processing", 10, "processing")
    job.cancel()
    assert job.status == "cancelled" and "may still" in job.detail and "bill" in job.detail
    with pytest.raises(JobCancelledError):
        job.wait(1)
    row = wan.store.task(job.task_uuid)
    assert row is not None and row.status == "cancelled"
    polls = eng.stats()["tasks"].get("getResponse", 0)
    time.sleep(0.3)  # checking that nothing more happens takes a little time
    assert eng.stats()["tasks"].get("getResponse", 0) == polls
    assert journal_problems(wan.media_dir) == []


def test_a_group_can_be_cancelled(wan: Wan, engine) -> None:
    wan.use(engine(delay=5.0, render_mode="tiny"))
    group = seed_sweep(VideoRequest.build(PROMPT, size="1280x720"), [1, 2, 3])
    group.cancel()
    assert group.counts == {"cancelled": 3}
    with pytest.raises(JobCancelledError):
        group.wait(1)
    assert group.wait(1, raise_errors=False) is group


def test_job_repr_is_short(wan: Wan, engine) -> None:
    wan.use(engine(render_mode="tiny"))
    job = generate("x" * 300, size="1280x720", seed=60)
    text = repr(job)
    assert text.startswith(f"<Job {job.task_uuid[:8]} ") and len(text) < 140
    job.wait(30)


# ----- local inputs ----------------------------------------------------------------------------


def _noise_png(path: Path, size: tuple[int, int] = (1280, 720)) -> Path:
    from PIL import Image

    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(path)
    return path


def test_a_large_local_image_is_uploaded_once_and_the_journal_keeps_the_sent_json(
    wan: Wan, engine, tmp_path: Path
) -> None:
    eng = engine(delay=0.2, render_mode="tiny")
    wan.use(eng)
    image = _noise_png(tmp_path / "first.png")
    assert image.stat().st_size > INLINE_IMAGE_BYTES
    first = generate(PROMPT, image=str(image), resolution="720p", seed=1).wait(60)
    second = generate(PROMPT, image=str(image), resolution="720p", seed=2).wait(60)
    assert eng.stats()["tasks"]["imageUpload"] == 1
    for job in (first, second):
        sent = wan.store.task(job.task_uuid).request  # type: ignore[union-attr]
        (frame,) = sent["inputs"]["frameImages"]
        frame = frame["image"] if isinstance(frame, dict) else frame
        assert str(image) not in json.dumps(sent)
        assert uuid.UUID(frame)


def test_a_small_local_image_travels_inline(wan: Wan, engine, tmp_path: Path) -> None:
    from tests.samples import png_bytes

    eng = engine(delay=0.2, render_mode="tiny")
    wan.use(eng)
    image = tmp_path / "small.png"
    image.write_bytes(png_bytes(640, 360))
    job = generate(PROMPT, image=str(image), resolution="720p", seed=3).wait(60)
    sent = wan.store.task(job.task_uuid).request  # type: ignore[union-attr]
    assert json.dumps(sent["inputs"]).count("data:image/png;base64,") == 1
    assert "imageUpload" not in eng.stats()["tasks"]


def test_local_audio_is_stored_with_media_storage_before_submit(
    wan: Wan, engine, tmp_path: Path
) -> None:
    from tests.samples import wav_bytes

    eng = engine(delay=0.2, render_mode="tiny")
    wan.use(eng)
    track = tmp_path / "track.wav"
    track.write_bytes(wav_bytes(4.0))
    job = generate(PROMPT, size="1280x720", seed=4, audio_input=str(track)).wait(60)
    assert eng.stats()["tasks"]["mediaStorage"] == 1
    sent = wan.store.task(job.task_uuid).request  # type: ignore[union-attr]
    assert uuid.UUID(sent["inputs"]["audio"])


# ----- every fault the engine can inject ----------------------------------------------------------

FAULTS: list[tuple[str, dict[str, Any], dict[str, Any], type[WanError] | None]] = [
    ("429 with Retry-After", {"next": {"429": 2}, "retry_after": 1}, {}, None),
    ("429 until retries run out", {"next": {"429": 9}, "retry_after": 0}, {"max_attempts": 3},
     RateLimitError),
    ("a burst of 500", {"next": {"500": 3}}, {}, None),
    ("a burst of 503", {"next": {"503": 4}}, {}, None),
    ("503 until retries run out", {"next": {"503": 9}}, {"max_attempts": 3}, ServerError),
    ("dropped connections", {"next": {"drop": 2}}, {}, None),
    ("processed, then dropped", {"next": {"drop_after": 1}}, {}, None),
    ("a slow answer", {"next": {"slow": 1}, "slow_seconds": 0.3}, {}, None),
    ("slower than the timeout", {"next": {"slow": 1}, "slow_seconds": 1.5},
     {"request_timeout": 0.4}, None),
    ("malformed JSON", {"next": {"malformed": 2}}, {}, None),
    ("JSON of the wrong shape", {"next": {"malformed": 2}, "malformed": "shape"}, {}, None),
    ("malformed until retries run out", {"next": {"malformed": 9}}, {"max_attempts": 3},
     NetworkError),
    ("a failed generation", {"next": {"task_fail": 1}}, {}, TaskFailedError),
    ("a failed generation, data shape", {"next": {"task_fail": 1}, "error_shape": "data"}, {},
     TaskFailedError),
    ("truncated downloads", {"next": {"truncate": 2}}, {}, None),
    ("truncated until retries run out", {"rates": {"truncate": 1.0}}, {"max_attempts": 2},
     NetworkError),
    ("402 insufficient credit", {"next": {"402": 1}}, {}, InsufficientCreditError),
    ("faults on polls only", {"apply_to": ["getResponse"],
                              "next": {"503": 2, "drop": 1, "malformed": 1, "429": 1}}, {}, None),
    ("polls failing for good", {"apply_to": ["getResponse"], "rates": {"503": 1.0}},
     {"max_attempts": 2}, ServerError),
    ("batched getResponse refused", {"reject_batched_get_response": True}, {}, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("faults", "changes", "expected"),
    [pytest.param(f, c, e, id=name) for name, f, c, e in FAULTS],
)
def test_each_fault_ends_in_a_result_or_the_right_error_and_a_clean_journal(
    wan: Wan,
    engine,
    faults: dict[str, Any],
    changes: dict[str, Any],
    expected: type[WanError] | None,
) -> None:
    eng = engine(delay=0.2, render_mode="tiny")
    wan.use(eng, **changes)
    # Two jobs at once, so batched submits and polls meet the faults too.
    eng.set_faults({"seed": 1, **faults})
    started = time.monotonic()
    group = seed_sweep(VideoRequest.build(PROMPT, size="1280x720"), [1, 2])
    group.wait(60, raise_errors=False)
    elapsed = time.monotonic() - started
    stats = eng.stats()
    if expected is None:
        assert group.errors == [] and group.counts == {"done": 2}
        for job in group:
            _check_files(job)
        assert all(n == 1 for n in stats["submits_by_uuid"].values()) or faults.get("next", {}).get(
            "drop_after"
        ) or changes.get("request_timeout")  # fmt: skip
    else:
        assert group.errors, "expected a failure"
        assert all(isinstance(e, expected) for e in group.errors), group.errors
    if "429" in faults.get("next", {}) and faults.get("retry_after"):
        assert elapsed >= 2 * faults["retry_after"] - 0.1  # Retry-After was honoured
    if faults.get("next", {}).get("drop_after"):
        assert max(stats["submits_by_uuid"].values()) == 2  # resent once, same taskUUID
        assert stats["generations_rendered"] == 2  # but run (and billed) once each
        assert any("already accepted" in d for j in group for _, _, d in j.events)
    if faults.get("reject_batched_get_response"):
        assert wan.session.context().client.batched_polls is False
    assert journal_problems(wan.media_dir) == []


def test_insufficient_credit_on_the_engine_fails_without_billing(wan: Wan, engine) -> None:
    eng = engine(render_mode="tiny", credit=0.6)
    wan.use(eng)
    group = seed_sweep(VideoRequest.build(PROMPT, size="1280x720"), [1, 2])
    group.wait(30, raise_errors=False)
    assert sorted(j.status for j in group) == ["done", "failed"]
    failed = next(j for j in group if j.status == "failed")
    assert isinstance(failed.error, InsufficientCreditError)
    assert session_spend() == pytest.approx(0.5)  # the refused task was released
    assert journal_problems(wan.media_dir) == []


def test_a_wrong_key_is_an_authentication_error(wan: Wan, engine) -> None:
    eng = engine(render_mode="tiny")
    wan.use(eng, api_key="wan-local-wrong-key-000000000000")
    job = generate(PROMPT, size="1280x720", seed=1)
    with pytest.raises(AuthenticationError):
        job.wait(30)
    assert journal_problems(wan.media_dir) == []


# ----- shapes the engine does not make (in-memory fake) ------------------------------------------


def test_a_failed_generation_in_the_data_shape_is_read(wan: Wan) -> None:
    fake = FakeRunware(error_shape="data", fail_generations={0})
    wan.use_fake(fake)
    with pytest.raises(TaskFailedError, match="it broke"):
        generate(PROMPT, size="1280x720", seed=1).wait(30)


def test_a_result_without_a_url_is_a_recoverable_failure(wan: Wan) -> None:
    fake = FakeRunware(polls_until_done=0)

    def no_url(request: httpx.Request, tasks: list[dict[str, Any]]) -> Any:
        if tasks[0]["taskType"] != "getResponse":
            return None
        data = [{"taskType": "videoInference", "taskUUID": t["taskUUID"], "status": "success",
                 "videoUUID": str(uuid.uuid4())} for t in tasks]  # fmt: skip
        return httpx.Response(200, json={"data": data})

    fake.before.append(no_url)
    wan.use_fake(fake)
    job = generate(PROMPT, size="1280x720", seed=1)
    with pytest.raises(NetworkError, match="no videoURL"):
        job.wait(30)
    row = wan.store.task(job.task_uuid)
    assert row is not None and row.status == "failed" and row.recoverable


# ----- backends and robustness ---------------------------------------------------------------


def test_without_a_key_jobs_run_on_the_embedded_local_engine(wan: Wan) -> None:
    from wan_notebook.local.launcher import stop_shared_engine

    wan.use(backend="auto", local_delay=0.2)
    try:
        job = generate(PROMPT, size="1280x720", seed=1, duration=5).wait(120)
        assert job.engine == "local preview engine"
        assert job.results[0].path.stat().st_size > 10_000  # a real rendered clip
        sidecar = json.loads(job.results[0].sidecar.read_text())  # type: ignore[union-attr]
        assert sidecar["engine"] == "local preview engine"
    finally:
        stop_shared_engine()


def test_the_runware_backend_without_a_key_fails_before_any_request(wan: Wan) -> None:
    wan.use(backend="runware", api_key=None)
    with pytest.raises(AuthenticationError, match="no API key"):
        generate(PROMPT, size="1280x720", seed=1)


def test_a_journal_that_cannot_be_written_fails_the_job_instead_of_hanging(
    wan: Wan, engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    eng = engine(render_mode="tiny")
    wan.use(eng, budget_usd=1.0)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(type(wan.store), "journal", broken)
    job = generate(PROMPT, size="1280x720", seed=1)
    with pytest.raises(WanError, match=r"internal error.*database is locked"):
        job.wait(10)
    assert _requests(eng.stats()) == 0  # never sent without its journal row
    assert session_spend() == 0.0  # and so not counted against the budget


def test_a_refused_key_at_submit_is_not_counted_as_spent(wan: Wan, engine) -> None:
    eng = engine(render_mode="tiny")
    wan.use(eng, api_key="wan-local-wrong-key-111111111111")
    with pytest.raises(AuthenticationError):
        generate(PROMPT, size="1280x720", seed=1).wait(30)
    assert session_spend() == 0.0
    row = wan.store.tasks()[0]
    assert row.status == "failed" and not row.recoverable
