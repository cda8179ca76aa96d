"""Jobs advance while cells compute, and buttons answer while jobs run (issue 10, 9 and 10).

In JupyterLab and Notebook 7 (ipykernel 7, comms over kernel subshells), on the local
engine the kernel starts for itself:

- a cell that starts a job and then computes (``time.sleep(10)``) sees the job's card reach
  "done" and its player appear before the cell ends (finding 9: the job used to stay
  queued until the cell ended);
- after a seed grid was waited for (``--wait``) and played, Cancel on a long job ends it
  "cancelled" (not "done"), and a plain ``ipywidgets.Button`` answers at once, also while a
  cell blocks in ``job.wait()``, which Cancel then ends (finding 10: buttons dead for
  minutes, a cancelled job finishing and billed).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from wan_notebook.widgets import bundle_available

from .harness import JupyterFrontend, local_engine_env, running_frontend

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not bundle_available(), reason="front-end bundle not built"),
]

LOCAL_DELAY = 1.5  # seconds each clip reads "processing" on the kernel's engine
CELL_SLEEP = 10  # the "computing" cell
SLOW_DELAY = 300  # the long jobs' engine: they never finish during the test

SLEEPING_NB = "sleeping_cell.ipynb"
SLEEPING_CELLS = [
    """\
import time
import wan_notebook
from wan_notebook.local import ensure_engine
%load_ext wan_notebook
# Started here, so the timed cell below does not wait for it; tiny clips spare the CPU.
ensure_engine(delay=1.5, render_mode="tiny")""",
    f"""\
job = wan_notebook.generate("A red kite circling over a hill, late light", size="1280x720",
                            duration=5, seed=21)
display(job)
time.sleep({CELL_SLEEP})  # a cell that computes: the kernel's own loop cannot run
print("after the sleep the job was", job.status)""",
]

CANCEL_NB = "cancel_after_grid.ipynb"
CANCEL_CELLS = [
    """\
import ipywidgets as W
import wan_notebook
from wan_notebook.local.launcher import ensure_engine, stop_shared_engine
%load_ext wan_notebook
ensure_engine(delay=1.5, render_mode="tiny")""",
    """\
%%wan --seeds 1-2 --size 1280x720 --duration 5 --wait -o g
A paper boat drifting on a rain puddle, close up""",
    f"""\
stop_shared_engine()  # the grid's engine; the long jobs get one that holds them
ensure_engine(delay={SLOW_DELAY}, render_mode="tiny")""",
    """\
%%wan --size 1920x1080 --duration 15 --seed 5 -o slow
A lighthouse keeper climbing spiral stairs, slow dolly""",
    """\
clicks = []
def answer(button):
    clicks.append(1)
    button.description = f"pong {len(clicks)}"
ping = W.Button(description="ping")
ping.on_click(answer)
ping""",
    "print(slow.status, type(slow.error).__name__)",
    """\
%%wan --size 1280x720 --duration 5 --seed 6 -o slow2
A fox trotting through fresh snow at dawn""",
    """\
try:
    slow2.wait(240)
except Exception as exc:
    print("wait ended:", type(exc).__name__, slow2.status)""",
]


@pytest.fixture(scope="module", params=["lab", "notebook"])
def frontend(
    request: pytest.FixtureRequest,
    chromium_browser: Browser,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[JupyterFrontend]:
    """JupyterLab, then Notebook 7, whose kernels run jobs on the local engine."""
    if request.param == "notebook":
        pytest.importorskip("notebook")
    with running_frontend(
        request.param,
        chromium_browser,
        tmp_path_factory.mktemp(f"background-{request.param}"),
        env=local_engine_env(LOCAL_DELAY),
    ) as fe:
        yield fe


def _running(fe: JupyterFrontend, index: int) -> bool:
    """Whether a cell shows the busy prompt ``[*]``."""
    prompt = fe.cell(index).locator(".jp-InputPrompt").first.inner_text()
    return "*" in prompt


def test_player_appears_while_the_cell_that_started_the_job_sleeps(
    frontend: JupyterFrontend,
) -> None:
    fe = frontend
    fe.write_notebook(SLEEPING_NB, SLEEPING_CELLS)
    fe.open(SLEEPING_NB, only=True)
    fe.run_cell(0, timeout=60)
    fe.run_cell(1, wait=False)
    start = time.monotonic()
    fe.wait_for(fe.cell_selector(1, '.wan-card [data-role="status"]'), timeout=10)
    # The cell sleeps 10 s: the player must be there before it ends.
    fe.wait_for(fe.cell_selector(1, 'video[data-role="video"]'), timeout=CELL_SLEEP)
    seconds = time.monotonic() - start
    still_sleeping = _running(fe, 1)
    status = fe.page.locator(fe.cell_selector(1, '.wan-card [data-role="status"]'))
    print(f"{fe.label}: player shown {seconds:.1f} s into a {CELL_SLEEP} s sleeping cell")
    fe.screenshot("background-player-while-sleeping", fe.cell_selector(1))
    assert still_sleeping, f"the player came only after the cell ended ({seconds:.1f} s)"
    assert status.get_attribute("data-status") == "done"
    fe.wait_for_cells_done(timeout=CELL_SLEEP + 30)
    assert fe.cell_output(1).strip().splitlines()[-1] == "after the sleep the job was done"


def test_cancel_after_a_played_grid_ends_cancelled_and_buttons_answer(
    frontend: JupyterFrontend,
) -> None:
    fe = frontend
    fe.write_notebook(CANCEL_NB, CANCEL_CELLS)
    fe.open(CANCEL_NB, only=True)
    fe.run_cell(0, timeout=60)
    fe.run_cell(1, timeout=120)  # --wait: the cell ends with the grid's jobs
    grid = fe.page.locator(fe.cell_selector(1, '[data-role="seed-grid"]'))
    grid.locator('[data-role="grid-controls"] [data-role="play"]').click()
    fe.wait_until(
        """(grid) => [...grid.querySelectorAll("video")].some((v) => v.currentTime > 0.5)""",
        grid.element_handle(),
        timeout=20,
    )
    fe.run_cell(2, timeout=60)
    fe.run_cell(3, timeout=60)
    card = fe.cell_selector(3, ".wan-card")
    fe.wait_for(f'{card} [data-role="status"][data-status="processing"]', timeout=30)
    fe.run_cell(4)
    ping = fe.page.locator(fe.cell_selector(4, "button:has-text('ping')"))

    fe.page.locator(f'{card} [data-role="cancel"]').click()
    fe.wait_for(f'{card} [data-role="status"][data-status="cancelled"]', timeout=15)
    fe.run_cell(5)
    assert fe.cell_output(5).strip() == "cancelled JobCancelledError"
    ping.click()
    fe.wait_for(fe.cell_selector(4, "button:has-text('pong 1')"), timeout=5)

    # While a cell blocks in job.wait(): the button answers, and Cancel ends the wait.
    card2 = fe.cell_selector(6, ".wan-card")
    fe.run_cell(6, timeout=60)
    fe.wait_for(f'{card2} [data-role="status"][data-status="processing"]', timeout=30)
    fe.run_cell(7, wait=False)
    fe.wait_until(
        "(sel) => /\\*/.test(document.querySelectorAll(sel)[7].querySelector"
        "('.jp-InputPrompt').textContent)",
        fe.CELLS,
        timeout=10,
    )
    fe.page.locator(fe.cell_selector(4, "button:has-text('pong 1')")).click()
    fe.wait_for(fe.cell_selector(4, "button:has-text('pong 2')"), timeout=5)
    assert _running(fe, 7), "the waiting cell must still be running"
    fe.page.locator(f'{card2} [data-role="cancel"]').click()
    fe.wait_for(f'{card2} [data-role="status"][data-status="cancelled"]', timeout=15)
    fe.wait_for_cells_done(timeout=15)
    assert fe.cell_output(7).strip() == "wait ended: JobCancelledError cancelled"
    fe.screenshot("background-cancelled-after-grid", fe.cell_selector(3))
