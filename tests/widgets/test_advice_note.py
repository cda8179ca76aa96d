"""Grids say once, above the grid, that the API's prompt rewrite varies between runs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from wan_notebook import VideoRequest
from wan_notebook.request import advice
from wan_notebook.widgets._advice_note import rewrite_note

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture
def shell(engine, wan) -> Iterator[InteractiveShell]:
    wan.use(engine(render_mode="tiny"))
    ip = InteractiveShell.instance()
    ip.extension_manager.load_extension("wan_notebook")
    ip.run_line_magic("config", "WanMagics.defaults = {}")
    yield ip
    ip.extension_manager.unload_extension("wan_notebook")


def _outputs(shell: InteractiveShell, code: str) -> list[dict[str, object]]:
    with capture_output() as captured:
        result = shell.run_cell(code)
    assert result.success, result.error_in_exec
    return [o.data for o in captured.outputs]


def _notes(outputs: list[dict[str, object]]) -> list[dict[str, object]]:
    return [o for o in outputs if advice.REWRITE_NOTE in str(o.get("text/plain", ""))]


def test_the_note_applies_to_a_comparison_with_prompt_extend_on() -> None:
    on = [VideoRequest.build("a kite", seed=s) for s in (1, 2)]
    off = [VideoRequest.build("a kite", seed=s, extend=False) for s in (1, 2)]
    assert rewrite_note(on) == f"Note: {advice.REWRITE_NOTE}"
    assert rewrite_note(off) is None
    assert rewrite_note(on[:1]) is None  # one job: no comparison of seeds
    assert "--no-extend" in advice.REWRITE_NOTE and "multi-shot" in advice.REWRITE_NOTE


@pytest.mark.parametrize(
    "code",
    [
        "%%wan --seeds 1-3 --size 1280x720 -o g\na paper boat",
        "g = wan_notebook.grid('a kite', seeds=[1, 2, 3], size='1280x720')",
        "g = wan_notebook.compare(['a red kite', 'a blue kite'], seeds=[1, 2], size='1280x720')",
        "g = wan_notebook.seed_sweep('a kite', [1, 2, 3], size='1280x720'); display(g)",
    ],
)
def test_a_grid_shows_the_note_once_above_the_grid(shell: InteractiveShell, code: str) -> None:
    shell.run_cell("import wan_notebook")
    outputs = _outputs(shell, code)
    notes = _notes(outputs)
    assert len(notes) == 1, outputs  # once, not once per tile
    assert outputs.index(notes[0]) < next(i for i, o in enumerate(outputs) if WIDGET_VIEW in o)
    html = str(notes[0]["text/html"])
    assert "wan-rewrite-note" in html and "--no-extend" in html
    assert shell.run_cell("g.wait(60)").success


@pytest.mark.parametrize(
    "code",
    [
        "%%wan --seeds 1-3 --size 1280x720 --no-extend -o g\na paper boat",
        "g = wan_notebook.compare(['a', 'b'], seeds=[1, 2], size='1280x720', extend=False)",
    ],
)
def test_no_note_when_prompt_extend_is_off(shell: InteractiveShell, code: str) -> None:
    shell.run_cell("import wan_notebook")
    outputs = _outputs(shell, code)
    assert _notes(outputs) == [] and any(WIDGET_VIEW in o for o in outputs)
    assert shell.run_cell("g.wait(60)").success
