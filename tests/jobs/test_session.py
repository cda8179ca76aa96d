"""The jobs' session: the seam tests use instead of globals, and what it shares."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from typing import TYPE_CHECKING

import pytest

from tests.fake_runware import FakeRunware
from wan_notebook.jobs import Session, generate, live_jobs, session_jobs, use_session

if TYPE_CHECKING:
    from tests.wan_fixtures import Wan


PROMPT = "a lighthouse in a storm, waves crashing"


def test_jobs_start_in_the_installed_session_and_stay_in_it(wan: Wan) -> None:
    fake = FakeRunware()
    wan.use_fake(fake)
    first = generate(PROMPT, size="1280x720", seed=1)
    assert wan.session.jobs == [first] and session_jobs() == [first]
    other = Session()
    previous = use_session(other)
    try:
        assert previous is wan.session
        assert session_jobs() == [] and live_jobs() == []
    finally:
        use_session(previous)
    first.wait(30)
    assert wan.session.live() == [] and fake.posts  # sent through the session's transport


def test_a_context_keeps_the_settings_of_its_moment(wan: Wan) -> None:
    session = Session()
    wan.use(backend="runware", base_url="http://one.test/v1", api_key="key-one-0123456789")
    one = session.context()
    assert session.context().client is one.client  # one client per backend and key
    wan.use(backend="runware", base_url="http://two.test/v1", api_key="key-two-0123456789")
    two = session.context()
    assert (one.backend.base_url, two.backend.base_url) == ("http://one.test/v1",
                                                            "http://two.test/v1")  # fmt: skip
    assert one.client is not two.client and one.budget is two.budget is session.budget
    assert "key-one" not in repr(one) + repr(session)


def test_wrong_types_are_refused_with_the_argument_named() -> None:
    with pytest.raises(TypeError, match="Session"):
        use_session("the default")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="transport"):
        Session(transport="http://fake.test")  # type: ignore[arg-type]


def test_closing_clients_at_shutdown_is_arranged_once_and_not_at_import() -> None:
    code = """
        from wan_notebook import configure
        from wan_notebook.jobs import Session, _loop
        print(len(_loop._shutdown_hooks), end=" ")
        configure(backend="runware", base_url="http://one.test/v1", api_key="k" * 20)
        Session().context()
        Session().context()
        print(len(_loop._shutdown_hooks))
    """
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "1"]


def test_a_replaced_session_without_live_jobs_closes_its_pools(engine, wan: Wan) -> None:
    """Dropped unclosed, aiohttp's pools log "Unclosed client session" (bench_faults did).
    What the jobs render does not matter here: tiny clips."""
    wan.use(engine(render_mode="tiny"))
    first = Session()
    use_session(first)
    job = generate(PROMPT, size="1280x720", seed=3)
    job.wait(60)
    (client,) = first._clients.values()
    assert client._by_loop  # the jobs' loop has an open pool
    use_session(Session())
    deadline = time.monotonic() + 5
    while client._by_loop and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not client._by_loop
    # Put back, it opens a new pool on first use.
    use_session(first)
    again = generate(PROMPT, size="1280x720", seed=4)
    assert again.wait(60).status == "done"
