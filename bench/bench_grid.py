"""A 16-tile grid of 1080p results in JupyterLab: dropped frames and bytes loaded.

    python bench/bench_grid.py [--tiles 16] [--seconds 10] [--size 1920x1080]

Writes ``--tiles`` 5-second H.264 + AAC clips (textured, so they weigh what real results
weigh), serves them from a small HTTP server on 127.0.0.1 that counts the bytes it sends
(with Range support, as a browser needs for media), and shows them in a ``SeedGrid`` in
JupyterLab (headless Chromium, 4 columns, every tile on screen), twice:

- ``full``: ``previews=False``, every tile plays its original;
- ``previews``: every tile asks the kernel for a copy about as wide as it is drawn
  (made once beside the file; the time to make them is printed apart) and plays that.

Each run presses Play, plays ``--seconds`` seconds, and reads every tile's
``getVideoPlaybackQuality()`` (dropped / total frames over the run) and the bytes the
server sent for the grid. Targets (issue 12): with previews, dropped frames at most 2% and
bytes at most 20% of the full-resolution files.
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import pathlib
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from fractions import Fraction
from typing import Any

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.browser.harness import launch_chromium, start_frontend  # noqa: E402

FPS = 24
SECONDS = 5
DROPPED_TARGET = 0.02
BYTES_TARGET = 0.20


# ---- clips ----------------------------------------------------------------------------


def write_clip(path: pathlib.Path, size: tuple[int, int], seed: int) -> None:
    """5 s of moving blocky texture with a tone: a few Mbit/s at 1080p, like a real result."""
    import av
    import numpy as np

    rng = np.random.default_rng(seed)
    width, height = size
    with av.open(str(path), "w", options={"movflags": "+faststart"}) as out:
        video = out.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "ultrafast", "crf": "26"}
        audio = out.add_stream("aac", rate=48000)
        texture = rng.integers(0, 255, (height // 16 + 2, width // 16 + 2, 3), dtype=np.uint8)
        for i in range(SECONDS * FPS):
            if i % 6 == 0:  # new detail four times a second: it costs bits, as real video does
                texture = rng.integers(0, 255, texture.shape, dtype=np.uint8)
            shifted = np.roll(texture, i, axis=1)
            img = np.repeat(np.repeat(shifted, 16, axis=0), 16, axis=1)[:height, :width]
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, FPS)
            out.mux(video.encode(frame))
        out.mux(video.encode())
        tone = (0.1 * np.sin(np.arange(48000 * SECONDS) * 0.05)).astype(np.float32)
        for start in range(0, tone.size, 1024):
            af = av.AudioFrame.from_ndarray(
                tone[start : start + 1024].reshape(1, -1), format="fltp", layout="mono"
            )
            af.sample_rate, af.pts = 48000, start
            out.mux(audio.encode(af))
        out.mux(audio.encode())


# ---- a file server that counts what it sends -----------------------------------------------


class CountingServer(http.server.ThreadingHTTPServer):
    """Serves one folder with Range support; ``sent`` counts bytes per file name."""

    def __init__(self, folder: pathlib.Path) -> None:
        self.folder = folder
        self.sent: Counter[str] = Counter()
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: CountingServer

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        name = self.path.split("?")[0].lstrip("/")
        path = self.server.folder / name
        if "/" in name or not path.is_file():
            self.send_error(404)
            return
        size = path.stat().st_size
        start, end = 0, size - 1
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", ""))
        if match:
            if match[1]:
                start = int(match[1])
                end = int(match[2]) if match[2] else size - 1
            else:
                start = size - int(match[2])
            end = min(end, size - 1)
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        else:
            self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        with path.open("rb") as fh:
            fh.seek(start)
            left = end - start + 1
            with contextlib.suppress(ConnectionError):
                while left > 0:
                    piece = fh.read(min(left, 1 << 16))
                    self.wfile.write(piece)
                    left -= len(piece)
                    with self.server.lock:
                        self.server.sent[name] += len(piece)


# ---- the grid in JupyterLab ---------------------------------------------------------------

CELL = """\
from pathlib import Path
from wan_notebook.widgets import SeedGrid
folder = Path({folder!r})
grid = SeedGrid(columns=4, previews={previews}, tiles=[
    dict(key=f"t{{i}}", seed=i, status="done", src={base!r} + f"/clip{{i}}.mp4")
    for i in range({tiles})])
grid.set_files({{f"t{{i}}": folder / f"clip{{i}}.mp4" for i in range({tiles})}})
grid"""

QUALITY = """() => [...document.querySelectorAll('[data-role="tile-video"]')].map((v) => {
    const q = v.getVideoPlaybackQuality();
    return {total: q.totalVideoFrames, dropped: q.droppedVideoFrames, src: v.currentSrc,
            ready: v.readyState, width: v.videoWidth};
})"""


def run(frontend: Any, server: CountingServer, args: argparse.Namespace, previews: bool) -> dict:
    name = f"grid_{'previews' if previews else 'full'}.ipynb"
    cell = CELL.format(
        folder=str(server.folder), previews=previews, base=server.base, tiles=args.tiles
    )
    frontend.write_notebook(name, [cell])
    with server.lock:
        server.sent.clear()
    started = time.monotonic()
    frontend.open(name, only=True)
    frontend.run_all()
    frontend.wait_until(
        """(n) => { const vs = [...document.querySelectorAll('[data-role="tile-video"]')];
                    return vs.length === n && vs.every((v) => v.readyState >= 3); }""",
        args.tiles,
        timeout=600,
    )
    ready_s = time.monotonic() - started
    before = frontend.evaluate(QUALITY)
    frontend.evaluate(
        '() => document.querySelector(\'[data-role="grid-controls"] [data-role="play"]\').click()'
    )
    time.sleep(args.seconds)
    after = frontend.evaluate(QUALITY)
    frontend.evaluate(
        '() => document.querySelector(\'[data-role="grid-controls"] [data-role="play"]\').click()'
    )
    total = sum(a["total"] - b["total"] for a, b in zip(after, before, strict=True))
    dropped = sum(a["dropped"] - b["dropped"] for a, b in zip(after, before, strict=True))
    with server.lock:
        sent = sum(server.sent.values())
        per_file = dict(server.sent)
    tile_css = frontend.evaluate(
        "() => [...document.querySelectorAll('.wan-tile__media')].map((m) => m.clientWidth)"
    )
    return {
        "per_file": per_file,
        "tile_css": tile_css,
        "ready_s": ready_s,
        "frames": total,
        "dropped": dropped,
        "dropped_ratio": dropped / total if total else float("nan"),
        "bytes": sent,
        "widths": sorted({a["width"] for a in after}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiles", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--size", default="1920x1080")
    args = parser.parse_args()
    width, height = (int(x) for x in args.size.split("x"))

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        media = work / "media"
        media.mkdir()
        t0 = time.monotonic()
        for i in range(args.tiles):
            write_clip(media / f"clip{i}.mp4", (width, height), seed=i)
        originals = sum(p.stat().st_size for p in media.glob("clip*.mp4"))
        print(
            f"{args.tiles} clips of {width}x{height}, {SECONDS} s: "
            f"{originals / 1e6:.1f} MB in all (written in {time.monotonic() - t0:.0f} s)"
        )
        server = CountingServer(media)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            frontend = start_frontend("lab", browser, work / "lab")
            try:
                # Tall enough that every tile is on screen (offscreen video may be spared).
                frontend.page.set_viewport_size({"width": 1280, "height": 2200})
                results = {}
                for previews in (False, True):
                    results["previews" if previews else "full"] = run(
                        frontend, server, args, previews
                    )
            finally:
                frontend.shutdown()
                browser.close()
        server.shutdown()
        copies = sorted(p.name for p in media.glob("*.tile*.mp4"))

    print(
        f"preview copies made: {len(copies)}"
        f" ({', '.join(sorted({c.split('.')[1] for c in copies}))})"
    )
    print(
        f"{'run':<10}{'ready s':>9}{'frames':>8}{'dropped':>9}{'dropped %':>11}"
        f"{'MB loaded':>11}{'of files':>10}  widths"
    )
    for name, r in results.items():
        print(
            f"{name:<10}{r['ready_s']:>9.1f}{r['frames']:>8}{r['dropped']:>9}"
            f"{100 * r['dropped_ratio']:>10.1f}%{r['bytes'] / 1e6:>11.1f}"
            f"{100 * r['bytes'] / originals:>9.0f}%  {r['widths']}"
        )
    full, small = results["full"], results["previews"]
    ok_drop = small["dropped_ratio"] <= DROPPED_TARGET
    ok_bytes = small["bytes"] <= BYTES_TARGET * originals
    print(
        f"previews vs full: dropped {100 * small['dropped_ratio']:.1f}% vs "
        f"{100 * full['dropped_ratio']:.1f}% (target <= {100 * DROPPED_TARGET:.0f}%: "
        f"{'met' if ok_drop else 'NOT met'}); bytes {small['bytes'] / max(1, full['bytes']):.2f}x "
        f"of the full run, {100 * small['bytes'] / originals:.0f}% of the files "
        f"(target <= {100 * BYTES_TARGET:.0f}%: {'met' if ok_bytes else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
