"""A Job, JobGroup or Result made in Python shows as its live view (finding 4 of issue 12)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from wan_notebook import jobs
from wan_notebook.display import _hooks
from wan_notebook.widgets._displays import register_displays
from wan_notebook.widgets._slots import WIDGET_VIEW


@pytest.fixture
def shell(engine, wan) -> Iterator[InteractiveShell]:
    """A shell with the extension loaded (which registers the displays), tiny renders."""
    wan.use(engine(render_mode="tiny"))
    ip = InteractiveShell.instance()
    ip.extension_manager.load_extension("wan_notebook")
    yield ip
    ip.extension_manager.unload_extension("wan_notebook")


def _outputs(shell: InteractiveShell, code: str) -> list[dict[str, object]]:
    with capture_output() as captured:
        result = shell.run_cell(code)
    assert result.success, result.error_in_exec
    return [o.data for o in captured.outputs]


def test_a_job_as_the_last_expression_shows_its_card(shell: InteractiveShell) -> None:
    shell.user_ns["job"] = job = jobs.generate("an otter", size="1280x720", seed=11)
    live, slot = _outputs(shell, "job")
    assert WIDGET_VIEW in live and live["text/plain"].startswith(f"Wan 2.6 job {job.task_uuid[:8]}")
    assert "<Job" not in str(live) and "text/html" in slot
    job.wait(60)


def test_display_of_a_group_and_of_a_result(shell: InteractiveShell) -> None:
    group = jobs.seed_sweep("a kite", [1, 2], size="1280x720")
    group.wait(60)
    shell.user_ns.update(group=group, result=group[0].results[0])
    # done: the static copy at once; above the grid, once, the prompt-rewrite note (issue 11)
    note, grid, filled = _outputs(shell, "display(group)")
    assert str(note["text/plain"]).startswith("Note: promptExtend is on")
    assert grid["text/plain"].startswith("Wan 2.6 grid of 2 videos")
    assert "<table" in filled["text/html"] and filled["text/plain"].startswith("Wan 2.6 grid:")
    player, player_slot = _outputs(shell, "result")
    assert WIDGET_VIEW in player and player["text/plain"].startswith("Wan 2.6 result ")
    assert '<video src="' in player_slot["text/html"]


def test_unloading_the_extension_shows_jobs_as_text_again(shell: InteractiveShell) -> None:
    shell.extension_manager.unload_extension("wan_notebook")
    try:
        job = jobs.generate("a fox", size="1280x720", seed=1)
        shell.user_ns["job"] = job
        formatter = shell.display_formatter.ipython_display_formatter
        assert not formatter(job)
        job.wait(60)
    finally:
        shell.extension_manager.load_extension("wan_notebook")


def test_loading_the_widgets_registers_the_displays_too(shell: InteractiveShell) -> None:
    _hooks.unregister(shell)
    assert register_displays() is True
    job = jobs.generate("a fox", size="1280x720", seed=2)
    assert shell.display_formatter.ipython_display_formatter.lookup(job) is not None
    job.wait(60)
