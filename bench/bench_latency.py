"""Detection delay: from "result ready on the server" to "the client knows" (target p50 < 0.5 s).

    python bench/bench_latency.py [--jobs 24] [--rate 2] [--delay 3]

One local engine runs in its own process with a fixed ``delay`` per clip and
``render_mode="tiny"`` (the cached clip is ready at once), so a task's result is ready on
the server ``delay`` seconds after the engine acknowledged it. Jobs are started at a modest
rate (``--rate`` per second) with ``generate``; the delay of each is

    (time its status became "downloading") - (time it became "submitted") - delay

read from the job's own event timestamps. The baseline in the same run is the floor a
client could reach by polling that task every ``poll_min`` seconds: half a poll interval on
average. Figures are p50/p95/max over all jobs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=24)
    parser.add_argument("--rate", type=float, default=2.0, help="jobs started per second")
    parser.add_argument("--delay", type=float, default=3.0, help="engine seconds per clip")
    args = parser.parse_args()

    from wan_notebook import jobs, settings
    from wan_notebook.local.launcher import start_engine

    engine = start_engine(delay=args.delay, render_mode="tiny")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            current = settings.configure(
                backend="runware",
                base_url=engine.base_url,
                api_key=engine.api_key,
                media_dir=Path(tmp),
            )
            started = []
            for i in range(args.jobs):
                started.append(
                    jobs.generate("a kite over dunes", size="1280x720", seed=i, new=True)
                )
                time.sleep(1.0 / args.rate)
            group = jobs.JobGroup(started)
            group.wait(120)
            delays = []
            for job in group:
                submitted = job.time_of("submitted")
                detected = job.time_of("downloading")
                if submitted is not None and detected is not None:
                    delays.append(detected - submitted - args.delay)
            requests = engine.stats()["http_requests"]
    finally:
        engine.stop()
    if not delays:
        print("no job reported both events", file=sys.stderr)
        return 1
    delays.sort()
    p50 = statistics.median(delays)
    p95 = delays[min(len(delays) - 1, int(0.95 * len(delays)))]
    floor = current.poll_min / 2
    print(f"{len(delays)} jobs, started {args.rate:g}/s, engine delay {args.delay:g} s")
    print(
        f"detection delay  p50 {p50 * 1000:6.0f} ms   p95 {p95 * 1000:6.0f} ms   "
        f"max {delays[-1] * 1000:6.0f} ms   (target p50 < 500 ms)"
    )
    print(
        f"baseline: per-task polling every poll_min={current.poll_min:g} s averages "
        f"{floor * 1000:.0f} ms; ratio p50/baseline {p50 / floor:.2f}"
    )
    print(f"HTTP requests to the engine: {requests} ({requests / len(delays):.2f} per job)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
