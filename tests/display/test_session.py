"""``%wan status`` and ``%wan cost`` (findings 2 and 8 of issue 12)."""

from __future__ import annotations

import pytest

from tests.tex_checks import dollars_mathjax_would_read
from wan_notebook import jobs, settings
from wan_notebook.display import spend_view, status_view


@pytest.fixture
def fresh_session(wan, monkeypatch: pytest.MonkeyPatch):
    # The wan fixture installs a fresh jobs Session: no earlier test's jobs are in it.
    return wan


def test_idle_status_is_one_line_and_no_empty_table(fresh_session) -> None:
    shown = status_view()
    assert "<table" not in shown.data
    assert repr(shown).endswith("No jobs in this session yet.")
    assert "\n" not in repr(shown)


def test_status_lists_every_job_of_the_session_whatever_its_status(engine, fresh_session) -> None:
    fresh_session.use(engine(render_mode="tiny", faults={"next": {"task_fail": 1}}))
    failed = jobs.generate("a storm that fails", size="1280x720", seed=1)
    _settle(failed)
    done = jobs.generate("a calm lake", size="1280x720", seed=2)
    done.wait(60)
    fresh_session.use(engine(delay=30))
    cancelled = jobs.generate("a slow glacier", size="1280x720", seed=3)
    cancelled.cancel()
    running = jobs.generate("a long dusk", size="1280x720", seed=4)
    try:
        shown = status_view()
        rows = shown.data.split("<tr>")[2:]  # after the header row
        statuses = [r.split("</td>")[1].rsplit(">", 1)[-1] for r in rows]
        assert sorted(statuses) == sorted(["failed", "done", "cancelled", running.status])
        assert running.task_uuid in rows[0], "newest first"
        assert "4 jobs: " in repr(shown)
        assert dollars_mathjax_would_read(shown.data) == []
    finally:
        running.cancel()


def _settle(job: jobs.Job) -> None:
    with pytest.raises(Exception):  # noqa: B017 - the failure is the point
        job.wait(60)
    assert job.status == "failed"


def test_spend_and_cap_are_text_not_tex(fresh_session) -> None:
    settings.configure(budget_usd=0.4)
    shown = spend_view()
    assert "$0.40" in shown.data and dollars_mathjax_would_read(shown.data) == []
    assert repr(shown).startswith("This session: $") and repr(shown).endswith("cap: $0.40.")
