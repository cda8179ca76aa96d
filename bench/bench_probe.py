"""How cheap the download check is: the container-header read against full probes.

    python bench/bench_probe.py

Renders one 5 s 1280x720 clip per format with the local engine's renderer, then times, per
file (median of REPEAT calls, warm page cache):

- header: ``client._media_check.check_video`` (what every download runs; reads the moov box
  or the Matroska Info/Tracks, nothing decoded, no dependency);
- av-open: PyAV opening the container and reading its stream headers (libavformat);
- probe: ``wan_notebook.local.probe.probe`` (PyAV, every packet demuxed, not decoded);
- sha256: hashing the file once (what the download already does while streaming), as a
  floor that scales with size.

The ratio column is each figure over the header check's, measured in the same run.
"""

from __future__ import annotations

import hashlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import av

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wan_notebook.client._media_check import ExpectedVideo, check_video
from wan_notebook.local.probe import probe
from wan_notebook.local.render import RenderSpec, render

REPEAT = 50
FORMATS = {"MP4": ".mp4", "WEBM": ".webm", "MOV": ".mov"}


def median_ms(job: Callable[[], object], repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        job()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def av_open(path: Path) -> tuple[int, int]:
    with av.open(str(path)) as container:
        ctx = container.streams.video[0].codec_context
        return ctx.width, ctx.height


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'format':6} {'size':>9} {'method':8} {'median ms':>10} {'x header':>9}")
        for fmt, ext in FORMATS.items():
            path = Path(folder) / f"clip{ext}"
            render(RenderSpec(1280, 720, duration=5.0, fmt=fmt, prompt="a bench"), path)
            expect = ExpectedVideo(fmt, 1280, 720, 5.0)
            assert check_video(path, expect) == [], check_video(path, expect)
            header = median_ms(lambda: check_video(path, expect))  # noqa: B023
            rows = [
                ("header", header),
                ("av-open", median_ms(lambda: av_open(path))),  # noqa: B023
                ("probe", median_ms(lambda: probe(path), repeat=10)),  # noqa: B023
                ("sha256", median_ms(lambda: sha256(path))),  # noqa: B023
            ]
            size = f"{path.stat().st_size / 1024:.0f} KB"
            for name, ms in rows:
                print(f"{fmt:6} {size:>9} {name:8} {ms:10.3f} {ms / header:9.1f}")


if __name__ == "__main__":
    main()
