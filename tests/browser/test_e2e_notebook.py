"""End to end: the quickstart notebook in a real JupyterLab and Notebook 7, on the local engine.

No API key: every job goes to the local engine the kernel starts for itself. The server's
environment sets ``WAN_LOCAL_DELAY`` (seconds a clip reads "processing"), which kernels
inherit: short enough for a quick run, long enough to see the card's live states.

JupyterLab: Run All of ``notebooks/01_quickstart.ipynb`` (card states recorded by a
MutationObserver, player, short validation error, Run All going on past it), then save,
check the .ipynb (small, no video bytes, nbconvert keeps the ``<video>``) and reopen it
with a fresh kernel (the static fallback shows). A second notebook, whose kernel starts
its engine with a long delay, checks that a trivial cell runs while a job is processing
and that the card's Cancel button cancels the job in the kernel. Notebook 7 runs the
quickstart too.
"""

from __future__ import annotations

import base64
import json
import pathlib
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from wan_notebook.widgets import JOB_STATUSES, bundle_available

from .harness import REPO_ROOT, JupyterFrontend, local_engine_env, running_frontend

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not bundle_available(),
        reason="front-end bundle not built: cd js && npm ci && npm run build",
    ),
]

LOCAL_DELAY = 1.5  # seconds each clip reads "processing" on the engine
SLOW_DELAY = 60  # the cancel notebook's engine: its job never finishes during the test
CLIP_SECONDS = 5.0
CLIP_WIDTH = 1280
MAX_OUTPUT_BYTES_PER_VIDEO = 40_000

QUICKSTART = REPO_ROOT / "notebooks" / "01_quickstart.ipynb"
NB = "quickstart.ipynb"
SLOW_NB = "slow.ipynb"

SLOW_CELLS = [
    f"""\
import wan_notebook

# The engine starts with this kernel's first job and keeps its delay: a long one here,
# so the job below is still processing when the test runs a cell and presses Cancel.
wan_notebook.configure(local_delay={SLOW_DELAY})
%load_ext wan_notebook""",
    """\
%%wan --size 1280x720 --duration 5 --seed 41 -o slow
A snail crossing a wet garden path at dusk, macro lens""",
    "1 + 1",
    "print(slow.status, type(slow.error).__name__)",
]

# Records every value of data-status that any [data-role=status] element takes, per
# element, with a timestamp. Installed before Run All, so no state is missed: a card's
# element is noted when it is attached and again on each attribute change.
STATUS_RECORDER = """() => {
    if (window.__wanStatus) return;
    const rec = (window.__wanStatus = { els: [], seqs: [] });
    const note = (el) => {
        let i = rec.els.indexOf(el);
        if (i < 0) {
            i = rec.els.length;
            rec.els.push(el);
            rec.seqs.push([]);
        }
        const seq = rec.seqs[i];
        const status = el.dataset.status;
        if (status && (seq.length === 0 || seq[seq.length - 1].status !== status)) {
            seq.push({ status, t: performance.now() });
        }
    };
    const sel = '[data-role="status"]';
    new MutationObserver((mutations) => {
        for (const m of mutations) {
            if (m.type === "attributes") {
                if (m.target.matches(sel)) note(m.target);
                continue;
            }
            for (const n of m.addedNodes) {
                if (n.nodeType !== Node.ELEMENT_NODE) continue;
                if (n.matches(sel)) note(n);
                n.querySelectorAll(sel).forEach(note);
            }
        }
    }).observe(document.body, {
        subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"],
    });
}"""

RECORDED = """(cells) => {
    const all = [...document.querySelectorAll(cells)];
    return window.__wanStatus.els.map((el, i) => ({
        cell: all.indexOf(el.closest(".jp-Cell")),
        statuses: window.__wanStatus.seqs[i].map((s) => s.status),
        times: window.__wanStatus.seqs[i].map((s) => s.t),
    }));
}"""

VIDEO_INFO = """(video) => ({
    readyState: video.readyState, duration: video.duration, width: video.videoWidth,
    height: video.videoHeight, src: video.currentSrc, poster: video.getAttribute("poster") || "",
    error: video.error && video.error.code, visible: video.getBoundingClientRect().height > 0,
})"""


def code_cell_index(nb_path: pathlib.Path, startswith: str) -> int:
    """Index (markdown cells count, as in the DOM) of the first cell whose source starts so."""
    cells = json.loads(nb_path.read_text())["cells"]
    for index, cell in enumerate(cells):
        if "".join(cell["source"]).startswith(startswith):
            return index
    msg = f"{nb_path.name} has no cell starting with {startswith!r} (notebooks/_make.py changed?)"
    raise LookupError(msg)


def play_and_advance(frontend: JupyterFrontend, video: Any, seconds: float = 0.6) -> float:
    """Play a (muted) video element; return how far its currentTime moved in ~``seconds``."""
    start = float(video.evaluate("(v) => { v.muted = true; v.play(); return v.currentTime; }"))
    frontend.wait_until(
        "([v, t]) => !v.paused && v.currentTime > t + 0.2", [video, start], timeout=10
    )
    time.sleep(seconds)
    return float(video.evaluate("(v) => v.currentTime")) - start


# ---- servers -----------------------------------------------------------------------


def _copy_quickstart(root: pathlib.Path) -> None:
    shutil.copy(QUICKSTART, root / NB)


@pytest.fixture(scope="module")
def lab(
    chromium_browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[JupyterFrontend]:
    """JupyterLab whose kernels run jobs on the local engine with a short delay."""
    with running_frontend(
        "lab",
        chromium_browser,
        tmp_path_factory.mktemp("e2e-lab"),
        prepare=_copy_quickstart,
        env=local_engine_env(LOCAL_DELAY),
    ) as frontend:
        yield frontend


@pytest.fixture(scope="module")
def nb7(
    chromium_browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[JupyterFrontend]:
    """Notebook 7, same environment."""
    pytest.importorskip("notebook")
    with running_frontend(
        "notebook",
        chromium_browser,
        tmp_path_factory.mktemp("e2e-nb7"),
        prepare=_copy_quickstart,
        env=local_engine_env(LOCAL_DELAY),
    ) as frontend:
        yield frontend


@pytest.fixture(scope="module")
def quickstart(lab: JupyterFrontend) -> dict[str, Any]:
    """The quickstart notebook run with Run All in JupyterLab, card states recorded."""
    lab.open(NB, only=True)
    lab.evaluate(STATUS_RECORDER)
    started = time.monotonic()
    lab.run_all(timeout=120)
    job_cell = code_cell_index(lab.root / NB, "%%wan --size 1280x720 --duration 5 --seed 7 -o job")
    lab.wait_for(lab.cell_selector(job_cell, '[data-role="status"][data-status="done"]'))
    run_seconds = time.monotonic() - started
    print(f"quickstart Run All: {run_seconds:.1f} s")
    return {"job_cell": job_cell, "recorded": lab.evaluate(RECORDED, lab.CELLS)}


# ---- JupyterLab: the quickstart ----------------------------------------------------


def test_progress_card_goes_through_live_states_to_done(
    lab: JupyterFrontend, quickstart: dict[str, Any]
) -> None:
    cards = [r for r in quickstart["recorded"] if r["cell"] == quickstart["job_cell"]]
    assert len(cards) == 1, quickstart["recorded"]
    statuses = cards[0]["statuses"]
    print("card states:", " -> ".join(statuses))
    assert statuses[-1] == "done"
    live_seen = [s for s in statuses if s in ("submitted", "processing")]
    assert live_seen, f"no live state observed before done: {statuses}"
    order = [JOB_STATUSES.index(s) for s in statuses]
    assert order == sorted(order), f"states out of lifecycle order: {statuses}"
    lab.screenshot("e2e-card-done", lab.cell_selector(quickstart["job_cell"], ".wan-card"))


def test_player_loads_the_5_second_720p_clip_and_plays(
    lab: JupyterFrontend, quickstart: dict[str, Any]
) -> None:
    cell = lab.cell(quickstart["job_cell"])
    video = cell.locator('video[data-role="video"]')
    video.scroll_into_view_if_needed()
    handle = video.element_handle()
    lab.wait_until("(v) => v.readyState === 4", handle, timeout=30)
    info = handle.evaluate(VIDEO_INFO)
    assert info["error"] is None
    assert "/files/wan_media/" in info["src"]
    assert info["duration"] == pytest.approx(CLIP_SECONDS, abs=0.1)
    assert info["width"] == CLIP_WIDTH
    assert play_and_advance(lab, handle) > 0.3
    assert "local preview engine" in cell.locator(".wan-card").inner_text()
    lab.screenshot("e2e-player", lab.cell_selector(quickstart["job_cell"], ".wan-player"))


def test_validation_error_is_short_and_run_all_goes_on(
    lab: JupyterFrontend, quickstart: dict[str, Any]
) -> None:
    nb_path = lab.root / NB
    bad = code_cell_index(nb_path, "%%wan --size 1000x1000")
    text = lab.cell_output(bad)
    assert "InvalidRequestError" in text
    assert "duration=7" in text
    assert "Traceback" not in text
    assert len(text.strip().splitlines()) <= 8, text
    # The cell is tagged raises-exception, so Run All ran every cell after it.
    counts = lab.execution_counts()
    assert None not in counts, counts
    assert lab.cell_output(len(json.loads(nb_path.read_text())["cells"]) - 1).strip() == (
        "True True"
    )
    lab.screenshot("e2e-validation-error", lab.cell_selector(bad))


@pytest.fixture(scope="module")
def saved(lab: JupyterFrontend, quickstart: dict[str, Any]) -> dict[str, Any]:
    """The quickstart saved from the browser, parsed."""
    path = lab.save()
    return {"path": path, "text": path.read_text(), "nb": json.loads(path.read_text())}


def test_saved_notebook_is_small_and_holds_no_video_bytes(
    lab: JupyterFrontend, saved: dict[str, Any]
) -> None:
    text, nb = saved["text"], saved["nb"]
    per_cell = [len(json.dumps(c.get("outputs", []))) for c in nb["cells"]]
    videos = text.count("<video ")
    assert videos >= 2, "each shown video leaves a static <video> output"
    total = sum(per_cell)
    print(f".ipynb: {len(text)} bytes, outputs {total} bytes for {videos} videos")
    assert total / videos < MAX_OUTPUT_BYTES_PER_VIDEO
    assert max(per_cell) < MAX_OUTPUT_BYTES_PER_VIDEO
    assert "data:video" not in text
    clips = sorted((lab.root / "wan_media").glob("*.mp4"))
    assert clips
    data = clips[0].read_bytes()
    middle = len(data) // 2
    for shift in range(3):  # base64 of a chunk, at each of the three byte alignments
        chunk = base64.b64encode(data[middle + shift : middle + shift + 300]).decode()[4:-4]
        assert chunk not in text, "video bytes found in the saved notebook"


def test_nbconvert_html_of_the_saved_notebook_keeps_the_video(saved: dict[str, Any]) -> None:
    html = subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "html", "--stdout", str(saved["path"])],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    assert "<video" in html
    assert 'src="wan_media/' in html


def test_reopened_notebook_shows_the_static_fallback(
    lab: JupyterFrontend, saved: dict[str, Any]
) -> None:
    lab.reopen()  # kernel shut down first: no widget models, only what the file holds
    assert lab.page.locator(".wan-live").count() == 0
    static = lab.page.locator(".wan-static video").first
    static.scroll_into_view_if_needed()
    assert static.is_visible()
    handle = static.element_handle()
    # Saved previews load nothing until asked (preload="none", issue 12): ask, as Play would.
    handle.evaluate("(v) => { v.preload = 'metadata'; v.load(); }")
    lab.wait_until("(v) => v.readyState >= 1", handle, timeout=30)
    info = handle.evaluate(VIDEO_INFO)
    assert info["error"] is None
    assert "/files/wan_media/" in info["src"]
    assert info["duration"] == pytest.approx(CLIP_SECONDS, abs=0.1)
    assert info["poster"].startswith("data:image/jpeg;base64,")
    lab.screenshot("e2e-reopened-static", ".wan-static")


# ---- JupyterLab: a job that stays processing ---------------------------------------


@pytest.fixture(scope="module")
def slow_job(lab: JupyterFrontend) -> JupyterFrontend:
    """A notebook whose job stays "processing" (its kernel's engine has a long delay)."""
    lab.write_notebook(SLOW_NB, SLOW_CELLS)
    lab.open(SLOW_NB, only=True)
    lab.run_cell(0)
    lab.run_cell(1)
    lab.wait_for('.wan-card [data-role="status"][data-status="processing"]', timeout=30)
    return lab


def test_trivial_cell_runs_while_a_job_is_processing(slow_job: JupyterFrontend) -> None:
    lab = slow_job
    seconds = lab.run_cell(2)
    assert lab.cell_output(2).strip().splitlines()[-1] == "2"
    status = lab.page.locator('.wan-card [data-role="status"]').get_attribute("data-status")
    print(f"1 + 1 ran in {seconds * 1000:.0f} ms (key press to result) with the job {status}")
    assert status == "processing", "the cell must finish while the job is still running"
    assert seconds < 5.0
    kernel = lab.kernel()
    rounds = []
    for _ in range(10):
        start = time.perf_counter()
        assert kernel.execute("print(1 + 1)").strip() == "2"
        rounds.append(time.perf_counter() - start)
    rounds.sort()
    print(f"kernel round trips while processing: median {rounds[5] * 1000:.1f} ms")
    assert kernel.execute("print(slow.status)").strip() == "processing"
    lab.screenshot("e2e-kernel-free", ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")


def test_cancel_button_cancels_the_job_in_the_kernel(slow_job: JupyterFrontend) -> None:
    lab = slow_job
    lab.page.locator('.wan-card [data-role="cancel"]').click()
    lab.wait_for('.wan-card [data-role="status"][data-status="cancelled"]', timeout=15)
    assert not lab.page.locator('.wan-card [data-role="cancel"]').is_visible()
    lab.run_cell(3)
    assert lab.cell_output(3).strip() == "cancelled JobCancelledError"
    assert lab.kernel().execute("print(slow.status)").strip() == "cancelled"
    lab.screenshot("e2e-cancelled", ".wan-card")


# ---- Notebook 7 --------------------------------------------------------------------


def test_notebook7_runs_the_quickstart_and_plays_the_video(nb7: JupyterFrontend) -> None:
    nb7.open(NB)
    nb7.run_all(timeout=120)
    job_cell = code_cell_index(nb7.root / NB, "%%wan --size 1280x720 --duration 5 --seed 7 -o job")
    cell = nb7.cell(job_cell)
    cell.locator('[data-role="status"][data-status="done"]').wait_for(timeout=60_000)
    video = cell.locator('video[data-role="video"]')
    video.scroll_into_view_if_needed()
    handle = video.element_handle()
    nb7.wait_until("(v) => v.readyState === 4", handle, timeout=30)
    info = handle.evaluate(VIDEO_INFO)
    assert info["duration"] == pytest.approx(CLIP_SECONDS, abs=0.1)
    assert info["width"] == CLIP_WIDTH
    assert "/files/wan_media/" in info["src"]
    assert play_and_advance(nb7, handle) > 0.3
    nb7.screenshot("e2e-notebook7")
