"""The API key never appears in anything the package writes, shows or logs."""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

import pytest

from tests.wan_checks import wait_until
from wan_notebook import VideoRequest, jobs, settings
from wan_notebook.client._backend import resolve
from wan_notebook.jobs import generate, seed_sweep

if TYPE_CHECKING:
    from tests.wan_fixtures import Wan


PROMPT = "a lighthouse in a storm, waves crashing"


def test_the_key_is_in_no_file_repr_error_or_log(
    wan: Wan, engine, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    key = f"wan-CANARY-{uuid.uuid4().hex}"
    wrong = f"wan-WRONGCANARY-{uuid.uuid4().hex}"
    caplog.set_level(logging.DEBUG)  # httpx and httpcore too
    eng = engine(api_key=key, delay=0.3, render_mode="tiny")
    wan.use(eng)
    shown: list[object] = []

    ok = generate(PROMPT, size="1280x720", seed=1).wait(30)
    eng.set_faults(next={"task_fail": 1})
    failed = generate(PROMPT, size="1280x720", seed=2)
    jobs.JobGroup([failed]).wait(30, raise_errors=False)
    eng.set_faults(next={"malformed": 9, "truncate": 9})
    wan.use(eng, max_attempts=2)
    broken = seed_sweep(VideoRequest.build(PROMPT, size="1280x720"), [3, 4])
    broken.wait(30, raise_errors=False)
    eng.set_faults()
    slow = generate(PROMPT, size="1280x720", seed=5)
    wait_until(lambda: slow.status in ("submitted", "processing"), 10, "sent")
    slow.cancel()
    wan.use(eng, api_key=wrong)
    refused = generate(PROMPT, size="1280x720", seed=6)
    jobs.JobGroup([refused]).wait(30, raise_errors=False)

    every_job = [ok, failed, *broken, slow, refused]
    assert {j.status for j in every_job} == {"done", "failed", "cancelled"}
    errors = [j.error for j in every_job if j.error is not None]
    assert len(errors) >= 4
    for job in every_job:
        shown += [job, str(job), job.detail, job.events, job.results, job.request]
    for error in errors:
        shown += [repr(error), str(error), error._render_traceback_(), error.hint]
    shown += [broken, settings.get_settings(), settings.get_settings().public(),
              resolve(), wan.session.context().client, wan.session.context(),
              wan.session]  # fmt: skip

    assert "HTTP Request: POST" in caplog.text  # the capture sees httpx's own log lines
    texts = {"reprs": "\n".join(repr(x) + str(x) for x in shown), "logs": caplog.text}
    out, err = capfd.readouterr()
    texts["stdout/stderr"] = out + err
    for where, text in texts.items():
        for secret in (key, wrong):
            assert secret not in text, f"the key appears in {where}"
    files = [p for p in wan.media_dir.rglob("*") if p.is_file()]
    assert any(p.suffix == ".json" for p in files) and any(p.suffix == ".mp4" for p in files)
    assert any(p.name.endswith("-wal") or p.name.endswith(".sqlite3") for p in files)
    for path in files:
        data = path.read_bytes()
        for secret in (key, wrong):
            assert secret.encode() not in data, f"the key is written in {path.name}"
