"""The widgets in a real JupyterLab and Notebook 7, in headless Chromium.

One notebook shows a Player, a Player whose URLs are broken (so it must fall
back to bytes from the kernel), a SeedGrid of 4 tiles and a ProgressCard. The
tests then check playback, synchronized playback (spread of currentTime
across the 4 tiles within one frame after seeks and pause/play), picking,
status updates pushed from the kernel and Cancel reaching Python.
"""

from __future__ import annotations

import pathlib
import time
from fractions import Fraction
from typing import Any

import pytest

from wan_notebook.widgets import bundle_available

from .harness import GRID_STATE, JupyterFrontend, circular_spread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not bundle_available(),
        reason="front-end bundle not built: cd js && npm ci && npm run build",
    ),
]

FPS = 24
FRAME = 1 / FPS
CLIP_SECONDS = 2.0
SETTLE = 0.3  # seconds to wait after an action before measuring

NOTEBOOK = "widgets.ipynb"
CELLS = [
    """\
import time
from pathlib import Path
from wan_notebook.widgets import Player, ProgressCard, SeedGrid

clip = Path("media/clip.mp4")
player = Player.from_file(
    clip, src="/files/media/clip.mp4", fallback_src="media/clip.mp4",
    seed=7, prompt="a test clip <b>not bold</b>", duration=2.0, width=320, height=180, cost=0.5,
)
player""",
    """\
bytes_player = Player.from_file(
    clip, src="/files/media/missing.mp4", fallback_src="media/missing.mp4",
    download_name="bytes.mp4", seed=8,
)
bytes_player""",
    """\
tiles = [
    dict(key=f"s{i}", seed=i, prompt="a red fox", status="done", progress=1.0, cost=0.1,
         src="/files/media/clip.mp4", fallback_src="media/clip.mp4")
    for i in range(1, 5)
]
grid = SeedGrid(tiles=tiles, columns=2)
picks = []
grid.on_pick(picks.append)
grid""",
    """\
card = ProgressCard(prompt="a red fox <script>alert(1)</script>", seed=1,
                    engine="local preview engine", started_at=time.time())
cancels = []
def _cancel():
    cancels.append(1)
    card.status = "cancelled"
    card.finished_at = time.time()
card.on_cancel(_cancel)
card""",
]

# The frame each tile really shows: draw it into a canvas and find the white
# bar of the test clip (its x position encodes the frame number).
SHOWN_FRAMES = """() => {
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 180;
    const g = canvas.getContext('2d', {willReadFrequently: true});
    return [...document.querySelectorAll('[data-role="tile-video"]')].map((v) => {
        g.drawImage(v, 0, 0, 320, 180);
        const row = g.getImageData(0, 90, 320, 1).data;
        for (let x = 0; x < 320; x++) {
            if (row[4 * x] > 240 && row[4 * x + 1] > 240 && row[4 * x + 2] > 240) {
                return Math.round((x * 47) / 310);
            }
        }
        return -1;
    });
}"""

PLAYER_VIDEO = """(name) => {
    const players = [...document.querySelectorAll('.wan-player')];
    const p = name
        ? players.find((x) =>
            x.querySelector('[data-role="download"]').getAttribute('download') === name)
        : players[0];
    return p && p.querySelector('[data-role="video"]');
}"""


def write_clip(
    path: pathlib.Path, seconds: float = CLIP_SECONDS, size: tuple[int, int] = (320, 180)
) -> None:
    """An H.264 MP4: a white bar sweeps across a gradient, one step per frame."""
    av = pytest.importorskip("av")
    np = pytest.importorskip("numpy")
    width, height = size
    frames = round(seconds * FPS)
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", options={"movflags": "+faststart"}) as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.gop_size = 12  # keyframe every 0.5 s: cheap, exact seeks
        stream.options = {"preset": "veryfast"}
        base = np.zeros((height, width, 3), np.uint8)
        base[..., 0] = np.linspace(30, 200, width, dtype=np.uint8)[None, :]
        base[..., 2] = 90
        for i in range(frames):
            rgb = base.copy()
            x = int(i * (width - 10) / (frames - 1))
            rgb[:, x : x + 10] = 255
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, FPS)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def prepare(frontend: JupyterFrontend) -> None:
    write_clip(frontend.root / "media" / "clip.mp4")
    frontend.write_notebook(NOTEBOOK, CELLS)


@pytest.fixture(scope="module")
def lab(jupyter_lab: JupyterFrontend) -> JupyterFrontend:
    """JupyterLab with the widget notebook open and run."""
    prepare(jupyter_lab)
    jupyter_lab.open(NOTEBOOK)
    jupyter_lab.run_all()
    jupyter_lab.wait_for('[data-role="seed-grid"]')
    return jupyter_lab


def wait_video_ready(frontend: JupyterFrontend, name: str | None = None) -> dict[str, Any]:
    frontend.wait_until(
        f"(name) => {{ const v = ({PLAYER_VIDEO})(name); return v && v.readyState === 4; }}",
        name,
        timeout=20,
    )
    return frontend.evaluate(
        f"""(name) => {{
            const v = ({PLAYER_VIDEO})(name);
            return {{readyState: v.readyState, duration: v.duration, width: v.videoWidth,
                     src: v.currentSrc, error: v.error && v.error.code}};
        }}""",
        name,
    )


def play_and_advance(frontend: JupyterFrontend, name: str | None = None) -> float:
    """Play the player's video (muted) and return its time after ~0.6 s."""
    frontend.evaluate(f"(name) => ({PLAYER_VIDEO})(name).play()", name)
    time.sleep(0.6)
    return float(frontend.evaluate(f"(name) => ({PLAYER_VIDEO})(name).currentTime", name))


def measure(frontend: JupyterFrontend, label: str, spreads: dict[str, float]) -> dict[str, Any]:
    time.sleep(SETTLE)
    state = frontend.evaluate(GRID_STATE)
    spread = circular_spread(state["times"], state["duration"])
    spreads[label] = spread
    assert spread <= FRAME, f"{label}: spread {spread * 1e3:.1f} ms > 1 frame: {state['times']}"
    shown = frontend.evaluate(SHOWN_FRAMES)
    assert -1 not in shown, f"{label}: no picture in a tile: {shown}"
    frames = round(CLIP_SECONDS * FPS)
    assert circular_spread([float(f) for f in shown], frames) <= 1, f"{label}: tiles show {shown}"
    return state


# ---- JupyterLab ------------------------------------------------------------------


def test_player_loads_and_plays(lab: JupyterFrontend) -> None:
    info = wait_video_ready(lab)
    assert info["error"] is None
    assert info["src"].endswith("/files/media/clip.mp4")
    assert info["duration"] == pytest.approx(CLIP_SECONDS, abs=0.05)
    assert info["width"] == 320
    assert play_and_advance(lab) > 0.2
    meta = lab.page.locator('.wan-player [data-role="meta"]').first.inner_text()
    assert "seed 7" in meta
    assert "$0.50" in meta
    prompt = lab.page.locator('.wan-player [data-role="prompt"]').first
    assert prompt.inner_text() == "a test clip <b>not bold</b>"  # text, not markup
    lab.screenshot("player", ".wan-player")


def test_player_falls_back_to_bytes_from_the_kernel(lab: JupyterFrontend) -> None:
    info = wait_video_ready(lab, "bytes.mp4")
    assert info["src"].startswith("blob:")
    assert info["duration"] == pytest.approx(CLIP_SECONDS, abs=0.05)
    out = lab.kernel().execute("print(bytes_player.bytes_sent == clip.stat().st_size)")
    assert out.strip() == "True"


def test_grid_plays_in_sync(lab: JupyterFrontend) -> None:
    lab.wait_until(
        """() => {
            const vs = [...document.querySelectorAll('[data-role="tile-video"]')];
            return vs.length === 4 && vs.every((v) => v.readyState >= 2);
        }""",
        timeout=20,
    )
    play = lab.page.locator('[data-role="grid-controls"] [data-role="play"]')
    spreads: dict[str, float] = {}

    play.click()
    state = measure(lab, "play", spreads)
    time.sleep(0.4)
    later = measure(lab, "playing", spreads)
    assert not any(later["paused"])
    assert circular_spread([later["times"][0], state["times"][0]], CLIP_SECONDS) > 0.2  # it moves

    # Seek by clicking the slider a quarter of the way along (a real pointer seek).
    seek = lab.page.locator('[data-role="grid-controls"] [data-role="seek"]')
    box = seek.bounding_box()
    assert box is not None
    seek.click(position={"x": box["width"] * 0.25, "y": box["height"] / 2})
    target = float(seek.input_value())
    state = measure(lab, "seek-click", spreads)
    assert not any(state["paused"])
    assert circular_spread([state["times"][0], target], CLIP_SECONDS) < 0.6

    # Seek by setting the slider's value, as keyboard input would.
    lab.evaluate(
        """(t) => {
            const s = document.querySelector('[data-role="seek"]');
            s.value = String(t);
            s.dispatchEvent(new Event('input', {bubbles: true}));
            s.dispatchEvent(new Event('change', {bubbles: true}));
        }""",
        1.5,
    )
    measure(lab, "seek-1.5", spreads)

    play.click()  # pause
    state = measure(lab, "pause", spreads)
    assert all(state["paused"])
    # The very same time, to Chromium's microsecond rounding (which differs by a unit
    # between files of different time bases: 1.0248 and 1.024799 were seen).
    times = state["times"]
    assert max(times) - min(times) <= 2e-6, f"paused tiles must show the same time: {times}"

    play.click()  # play again
    state = measure(lab, "replay", spreads)
    assert not any(state["paused"])
    time.sleep(1.0)  # through a loop restart
    measure(lab, "after-loop", spreads)

    lab.screenshot("grid", '[data-role="seed-grid"]')
    print("grid spreads (ms):", {k: round(v * 1000, 1) for k, v in spreads.items()})


def test_pick_reaches_the_kernel(lab: JupyterFrontend) -> None:
    lab.page.locator('[data-role="pick"][data-key="s2"]').click()
    lab.wait_for('.wan-tile--picked[data-key="s2"]')
    kernel = lab.kernel()
    deadline = time.monotonic() + 10
    out = ""
    while time.monotonic() < deadline:
        out = kernel.execute("print(grid.picked, picks)").strip()
        if out.startswith("s2"):
            break
        time.sleep(0.1)
    assert out == "s2 ['s2']"


def test_progress_card_follows_the_kernel_and_cancels(lab: JupyterFrontend) -> None:
    lab.wait_for('[data-role="status"][data-status="queued"]')
    prompt = lab.page.locator('.wan-card [data-role="prompt"]')
    assert "<script>" in prompt.inner_text()  # shown as text, never run
    kernel = lab.kernel()
    kernel.execute("card.status = 'processing'; card.progress = 0.5; card.progress_source = 'api'")
    lab.wait_for('[data-role="status"][data-status="processing"]')
    assert lab.page.locator('.wan-card [data-role="progress-text"]').inner_text() == "50%"
    elapsed = lab.page.locator('.wan-card [data-role="elapsed"]')
    first = elapsed.inner_text()
    time.sleep(0.35)
    assert elapsed.inner_text() != first  # ticks in the browser, no kernel traffic
    lab.screenshot("progress", ".wan-card")

    lab.page.locator('.wan-card [data-role="cancel"]').click()
    lab.wait_for('[data-role="status"][data-status="cancelled"]')
    assert kernel.execute("print(len(cancels))").strip() == "1"
    assert not lab.page.locator('.wan-card [data-role="cancel"]').is_visible()


def test_no_widget_errors_in_the_console(lab: JupyterFrontend) -> None:
    ours = [e for e in lab.console_errors if "anywidget" in e or "wan" in e.lower()]
    assert ours == []
    lab.screenshot("notebook")


# ---- Notebook 7 ------------------------------------------------------------------


def test_notebook7_player_plays(jupyter_notebook7: JupyterFrontend) -> None:
    nb7 = jupyter_notebook7
    prepare(nb7)
    nb7.open(NOTEBOOK)
    nb7.run_all()
    info = wait_video_ready(nb7)
    assert info["duration"] == pytest.approx(CLIP_SECONDS, abs=0.05)
    assert info["src"].endswith("/files/media/clip.mp4")
    assert play_and_advance(nb7) > 0.2
    nb7.wait_for('[data-role="seed-grid"]')
    nb7.screenshot("notebook")


def test_dark_theme_screenshots(lab: JupyterFrontend) -> None:
    """Screenshots in JupyterLab Dark, for a visual check of the --jp-* colours."""
    lab.page.click('.lm-MenuBar-item:has-text("Settings")')
    lab.page.hover('.lm-Menu-item:has-text("Theme")')
    lab.page.click('.lm-Menu-item:has-text("JupyterLab Dark")')
    lab.wait_for('body[data-jp-theme-light="false"]', state="attached")
    time.sleep(0.3)
    lab.screenshot("dark-grid", '[data-role="seed-grid"]')
    lab.screenshot("dark-progress", ".wan-card")
    lab.screenshot("dark-player", ".wan-player")
    color = lab.evaluate(
        "() => getComputedStyle(document.querySelector('.wan-card')).backgroundColor"
    )
    assert color not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
