"""Fixtures for the client/jobs tests, loaded as a plugin: ``pytest_plugins = [...]``.

- ``wan``: isolated settings (tiny poll and retry intervals, a temporary media folder), a
  clean budget and transport, and a way to point everything at an engine (or at an
  in-memory ``FakeRunware``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fake_runware import FakeRunware
from wan_notebook import settings
from wan_notebook.jobs import _budget as budget
from wan_notebook.jobs import _job as jobs
from wan_notebook.local.launcher import EngineHandle
from wan_notebook.store import Store

FAST = {
    "poll_first": 0.05,
    "poll_min": 0.05,
    "poll_max": 0.3,
    "backoff_base": 0.01,
    "backoff_max": 0.05,
    "request_timeout": 10.0,
    "job_timeout": 60.0,
}
FAKE_KEY = "fake-key-0123456789abcdef"
ENV = ("RUNWARE_API_KEY", "WAN_BACKEND", "WAN_BASE_URL", "WAN_MEDIA_DIR", "WAN_BUDGET_USD",
       "WAN_POLL_MIN", "WAN_POLL_MAX", "WAN_LOCAL_DELAY")  # fmt: skip


@dataclass
class Wan:
    media_dir: Path

    def use(self, handle: EngineHandle | None = None, **changes: Any) -> settings.Settings:
        """Point jobs at an engine (as a Runware-compatible server) with fast timings."""
        values: dict[str, Any] = {**FAST, "media_dir": self.media_dir}
        if handle is not None:
            values.update(backend="runware", base_url=handle.base_url, api_key=handle.api_key)
        return settings.configure(**{**values, **changes})

    def use_fake(self, fake: FakeRunware, **changes: Any) -> settings.Settings:
        """Point jobs at an in-memory ``FakeRunware`` (through its transport)."""
        jobs.set_transport(fake.transport())
        return self.use(backend="runware", base_url=fake.base_url, api_key=FAKE_KEY, **changes)

    @property
    def store(self) -> Store:
        return Store.open(self.media_dir)


@pytest.fixture
def wan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Wan]:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    settings.reset()
    budget.session_budget.committed = 0.0
    jobs.set_transport(None)
    helper = Wan(tmp_path / "wan_media")
    helper.use()
    yield helper
    for job in jobs.live_jobs():
        if job._loop is not None and job._loop.is_running():  # async tests close theirs
            job.cancel()
    jobs.set_transport(None)
    budget.session_budget.committed = 0.0
    settings.reset()
    Store.close_all()
