"""Detection delay: from "result ready on the server" to "the client knows" (target p50 < 250
ms), while the caller is idle and while a cell computes.

    python bench/bench_latency.py [--jobs 24] [--rate 2] [--delay 3]

One local engine runs in its own process with a fixed ``delay`` per clip and
``render_mode="tiny"`` (the cached clip is ready at once), so a task's result is ready on
the server ``delay`` seconds after the engine acknowledged it. Jobs are started at a modest
rate (``--rate`` per second) with ``generate``; the delay of each is

    (time its status became "downloading") - (time it became "submitted") - delay

read from the job's own event timestamps. Three rows, same engine:

- idle: the caller starts the jobs, then blocks in ``JobGroup.wait()``;
- cell computing: what ipykernel does with a cell, sync code run by a running asyncio loop,
  that starts the jobs and then holds its thread in a pure-Python CPU loop (it also holds
  the GIL most of the time) until they are done;
- cell sleeping: the same with ``time.sleep`` instead of the CPU loop.

The baseline in the same run is the floor a client could reach by polling that task every
``poll_min`` seconds: half a poll interval on average. Figures are p50/p95/max over all jobs.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

LIMIT_S = 120.0  # a row whose jobs do not end by then is reported as stalled


def compute(seconds: float) -> None:
    """Hold this thread in Python bytecode for ``seconds`` (a cell's real work)."""
    end = time.perf_counter() + seconds
    total = 0
    while time.perf_counter() < end:
        total += sum(i * i for i in range(2000))


def run_row(mode: str, args: argparse.Namespace, first_seed: int) -> tuple[list[float], bool]:
    from wan_notebook import jobs

    started: list[Any] = []
    pause: Callable[[float], None] = compute if mode == "cell computing" else time.sleep

    def start_all() -> None:
        for i in range(args.jobs):
            seed = first_seed + i
            started.append(jobs.generate("a kite over dunes", size="1280x720", seed=seed, new=True))
            pause(1.0 / args.rate)

    if mode == "idle":
        start_all()
        jobs.JobGroup(started).wait(LIMIT_S)
    else:

        async def cell() -> None:  # sync code on a running loop, as ipykernel runs a cell
            start_all()
            deadline = time.monotonic() + LIMIT_S
            while not all(job.done for job in started) and time.monotonic() < deadline:
                pause(0.05)

        asyncio.run(cell())
    delays = []
    for job in started:
        submitted = job.time_of("submitted")
        detected = job.time_of("downloading")
        if submitted is not None and detected is not None:
            delays.append(detected - submitted - args.delay)
    return sorted(delays), all(job.status == "done" for job in started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=24)
    parser.add_argument("--rate", type=float, default=2.0, help="jobs started per second")
    parser.add_argument("--delay", type=float, default=3.0, help="engine seconds per clip")
    args = parser.parse_args()

    from wan_notebook import settings
    from wan_notebook.local.launcher import start_engine

    engine = start_engine(delay=args.delay, render_mode="tiny")
    rows: list[tuple[str, list[float], bool, int]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            current = settings.configure(
                backend="runware",
                base_url=engine.base_url,
                api_key=engine.api_key,
                media_dir=Path(tmp),
            )
            for n, mode in enumerate(("idle", "cell computing", "cell sleeping")):
                engine.reset_stats()
                delays, all_done = run_row(mode, args, first_seed=1000 * n)
                rows.append((mode, delays, all_done, engine.stats()["http_requests"]))
    finally:
        engine.stop()
    floor = current.poll_min / 2
    print(f"{args.jobs} jobs per row, started {args.rate:g}/s, engine delay {args.delay:g} s")
    print(f"{'caller':<16}{'p50':>8}{'p95':>8}{'max':>8}  ms   requests/job  all done")
    failed = False
    for mode, delays, all_done, requests in rows:
        if not delays:
            print(f"{mode:<16}  no job reported both events (stalled)")
            failed = True
            continue
        p50 = statistics.median(delays)
        p95 = delays[min(len(delays) - 1, int(0.95 * len(delays)))]
        print(
            f"{mode:<16}{p50 * 1000:8.0f}{p95 * 1000:8.0f}{delays[-1] * 1000:8.0f}"
            f"       {requests / len(delays):8.2f}  {'yes' if all_done else 'NO'}"
        )
        failed |= p50 >= 0.25 or not all_done
    print(
        f"target: p50 < 250 ms in every row. Baseline: per-task polling every"
        f" poll_min={current.poll_min:g} s averages {floor * 1000:.0f} ms"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
