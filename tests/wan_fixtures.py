"""Fixtures for the client/jobs tests, loaded as a plugin: ``pytest_plugins = [...]``.

- ``wan``: isolated settings (tiny poll and retry intervals, a temporary media folder), a
  jobs ``Session`` of its own (fresh budget, clients and job list; installed with
  ``use_session`` and put back afterwards), and a way to point everything at an engine (or at
  an in-memory ``FakeRunware``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.fake_runware import FakeRunware
from wan_notebook import settings
from wan_notebook.jobs import Session, use_session
from wan_notebook.jobs import _loop as runtime
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
    session: Session = field(default_factory=Session)  # where this test's jobs start
    sessions: list[Session] = field(default_factory=list)  # every one installed, for teardown

    def __post_init__(self) -> None:
        self.sessions.append(self.session)

    def use(self, handle: EngineHandle | None = None, **changes: Any) -> settings.Settings:
        """Point jobs at an engine (as a Runware-compatible server) with fast timings."""
        values: dict[str, Any] = {**FAST, "media_dir": self.media_dir}
        if handle is not None:
            values.update(backend="runware", base_url=handle.base_url, api_key=handle.api_key)
        return settings.configure(**{**values, **changes})

    def use_fake(self, fake: FakeRunware, **changes: Any) -> settings.Settings:
        """Point jobs at an in-memory ``FakeRunware``: a session whose clients send through
        its transport (the budget carries over)."""
        self.session = Session(transport=fake.transport(), budget=self.session.budget)
        self.sessions.append(self.session)
        use_session(self.session)
        return self.use(backend="runware", base_url=fake.base_url, api_key=FAKE_KEY, **changes)

    @property
    def store(self) -> Store:
        return Store.open(self.media_dir)


@pytest.fixture
def wan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Wan]:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    settings.reset()
    helper = Wan(tmp_path / "wan_media")
    previous = use_session(helper.session)
    helper.use()
    yield helper
    for session in helper.sessions:
        for job in session.live():
            if job._loop is not None and job._loop.is_running():  # async tests close theirs
                job.cancel()
    use_session(previous)
    _close_pools(helper.sessions)
    settings.reset()
    Store.close_all()


# Sessions whose jobs ran on an async test's loop: that loop is closed before teardown, so
# their pools there cannot be closed. They are kept to the end of the run (as the process-wide
# job list kept every client before); collected in a later test, they would warn there
# (ResourceWarning: unclosed socket).
_KEPT: list[Session] = []


def _close_pools(sessions: list[Session]) -> None:
    """Close the sessions' connection pools on the private loop, where sync tests' jobs ran."""
    private = runtime.running_private_loop()
    for session in sessions:
        if private is not None:
            runtime.run_sync(session.aclose(), 10.0, loop=private)
        if any(job._loop not in (None, private) for job in session.jobs):
            _KEPT.append(session)
