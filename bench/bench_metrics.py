"""Time of all metrics of one video, against the decode-only floor of the same file.

    python bench/bench_metrics.py [--repeat 5] [--clips DIR]

Two clips are rendered by the local engine's renderer (multi-shot, with sound, as the engine
serves them): 10 s at 1920x1080 and 5 s at 1280x720 (targets: all metrics under 1.5 s and
0.5 s on 2 cores). For each, in the same run and alternating:

- floor: decode every video and audio frame of the file (frame-threaded, as the metrics do)
  and nothing else: what any measurement of every frame must pay;
- metrics: ``wan_notebook.research.metrics(path, refresh=True)``: hashing, one decoding pass
  with scaling, the sound pass, every formula, and the cache write.

Figures are the best and the median of ``--repeat`` runs, wall and CPU (user + system, all
threads) seconds. Another process on the machine slows the wall figures: compare a clip's
metrics with its floor from the same run. A first call in a fresh process also pays the
imports of the [research] extra, printed once at the end.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLIPS = [("10 s 1080p", 1920, 1080, 10, 1.5), ("5 s 720p", 1280, 720, 5, 0.5)]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def decode_only(path: Path) -> int:
    import av

    frames = 0
    with av.open(str(path)) as container:
        container.streams.video[0].thread_type = "AUTO"
        for _ in container.decode(*container.streams.video, *container.streams.audio):
            frames += 1
    return frames


def timed(fn, repeat: int) -> tuple[list[float], list[float]]:
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), cpu_seconds()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(cpu_seconds() - cpu)
    return walls, cpus


def show(label: str, walls: list[float], cpus: list[float]) -> str:
    return (
        f"  {label:8s} wall best {min(walls):6.3f} s  median {statistics.median(walls):6.3f} s"
        f"   cpu best {min(cpus):6.3f} s"
    )


def first_call_seconds(path: Path, media_dir: Path) -> float:
    code = (
        "import time; t = time.perf_counter()\n"
        "from wan_notebook import settings\n"
        f"settings.configure(media_dir={str(media_dir)!r})\n"
        "from wan_notebook.research import metrics\n"
        f"metrics({str(path)!r}, refresh=True)\n"
        "print(time.perf_counter() - t)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--clips", type=Path, help="keep the rendered clips here for next time")
    args = parser.parse_args()

    from wan_notebook import settings
    from wan_notebook.local.render import RenderSpec, render
    from wan_notebook.research import metrics

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.clips or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        settings.configure(media_dir=Path(tmp) / "media")
        failed = False
        for label, width, height, seconds, target in CLIPS:
            path = folder / f"bench-{width}x{height}-{seconds}s.mp4"
            if not path.exists():
                spec = RenderSpec(
                    width, height, seconds, prompt="a red fox running through snow at dusk",
                    seed=7, shot_type="multi",
                )  # fmt: skip
                render(spec, path)
            metrics(path, refresh=True)  # imports and first-touch costs out of the figures
            floor_w, floor_c, metric_w, metric_c = [], [], [], []
            for _ in range(args.repeat):  # alternate, so load changes hit both alike
                w, c = timed(lambda p=path: decode_only(p), 1)
                floor_w += w
                floor_c += c
                w, c = timed(lambda p=path: metrics(p, refresh=True), 1)
                metric_w += w
                metric_c += c
            found = metrics(path)
            ok = min(metric_w) < target
            failed |= not ok
            print(f"{label} ({path.stat().st_size / 1e6:.1f} MB, {found.shot_count} shots)")
            print(show("floor", floor_w, floor_c))
            print(show("metrics", metric_w, metric_c))
            print(
                f"  target   under {target} s: {'met' if ok else 'MISSED'};"
                f" metrics / floor {min(metric_w) / min(floor_w):.2f}x wall,"
                f" {min(metric_c) / min(floor_c):.2f}x cpu"
            )
        last = folder / f"bench-{CLIPS[-1][1]}x{CLIPS[-1][2]}-{CLIPS[-1][3]}s.mp4"
        print(
            f"first call in a fresh process, imports included ({CLIPS[-1][0]}):"
            f" {first_call_seconds(last, Path(tmp) / 'media'):.2f} s"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
