"""HTTP requests and client CPU per task with many jobs in flight: ours, the SDK, a naive loop.

    python bench/bench_requests.py [--jobs 64] [--delay 3]

One local engine runs in its own process (``render_mode="tiny"``, a fixed ``delay`` per
clip), so its CPU is not counted. Three clients then run the same N text-to-video tasks
against it, one after the other, each fetching every video to disk:

- ours: ``seed_sweep`` (one task per seed) with the default poll policy, waited on with
  ``JobGroup.wait``; includes the journal, sidecars, sha256 and fsync of every file.
- the official ``runware-sdk`` with ``transport="rest"``: N concurrent ``client.run(...)``
  calls (``taskType`` given, so no schema registry is fetched), then a plain GET per video.
- a naive loop: submit each task, then each task polls getResponse every 1 s on its own.

Requests per task come from the engine's own count of ``POST /v1``; client CPU from
``time.process_time()`` of this process around each run. Each client first runs one
warm-up task, not counted, so one-time costs (lazy imports, the first connection) do not
blur the per-task figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

MODEL = "alibaba:wan@2.6"
PROMPT = "a lighthouse in a storm, waves crashing"


@dataclass
class Row:
    client: str
    jobs: int
    http_requests: int
    get_response_tasks: int
    downloads: int
    cpu_s: float
    wall_s: float

    @property
    def requests_per_task(self) -> float:
        return self.http_requests / self.jobs

    @property
    def cpu_ms_per_task(self) -> float:
        return 1000 * self.cpu_s / self.jobs


def thread_cpu() -> dict[str, float]:
    """CPU seconds so far of each live thread of this process, by thread name (Linux)."""
    seconds: dict[str, float] = {}
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for thread in threading.enumerate():
        try:
            stat = Path(f"/proc/self/task/{thread.native_id}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        name = re.sub(r"_\d+$", "_N", thread.name)  # pool workers counted together
        seconds[name] = seconds.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return seconds


class Meter:
    """Counts from ``start()`` (after a client's warm-up task) to ``stop()``."""

    def __init__(self, engine: Any, *, per_thread: bool = False) -> None:
        self.engine = engine
        self.cpu = self.wall = 0.0
        self.per_thread = per_thread
        self.threads: dict[str, float] = {}

    def start(self) -> None:
        self.engine.reset_stats()
        self.threads = thread_cpu() if self.per_thread else {}
        self.cpu, self.wall = time.process_time(), time.perf_counter()

    def stop(self, name: str, jobs: int) -> Row:
        cpu, wall = time.process_time() - self.cpu, time.perf_counter() - self.wall
        if self.per_thread:  # threads that ended meanwhile are not listed
            now = thread_cpu()
            spent = {t: now[t] - self.threads.get(t, 0.0) for t in now}
            print(f"{name}: CPU ms/task by thread: " + ", ".join(
                f"{t} {1000 * s / jobs:.2f}" for t, s in sorted(spent.items(), key=lambda i: -i[1])
                if s > 0))  # fmt: skip
        stats = self.engine.stats()
        return Row(
            client=name,
            jobs=jobs,
            http_requests=stats["http_requests"],
            get_response_tasks=stats["tasks"].get("getResponse", 0),
            downloads=stats["downloads"],
            cpu_s=cpu,
            wall_s=wall,
        )


WARM_UP_SEED = 1_000_000  # one task per client before measuring: lazy imports, connections


# ----- (a) ours -----------------------------------------------------------------------------------


def run_ours(meter: Meter, jobs: int, folder: Path) -> Row:
    from wan_notebook import VideoRequest, configure, generate
    from wan_notebook.jobs import seed_sweep

    engine = meter.engine
    configure(backend="runware", base_url=engine.base_url, api_key=engine.api_key, media_dir=folder)
    generate(PROMPT, size="1280x720", seed=WARM_UP_SEED).wait(60)
    meter.start()
    group = seed_sweep(VideoRequest.build(PROMPT, size="1280x720"), range(jobs))
    group.wait(600)
    row = meter.stop("wan-notebook (seed_sweep)", jobs)
    assert group.counts == {"done": jobs}, group.counts
    return row


# ----- (b) the official SDK -----------------------------------------------------------------------


async def run_sdk(meter: Meter, jobs: int, folder: Path) -> Row:
    from runware import Runware

    engine = meter.engine
    folder.mkdir(parents=True, exist_ok=True)
    async with (
        Runware(api_key=engine.api_key, transport="rest", http_base_url=engine.base_url) as sdk,
        httpx.AsyncClient(timeout=60.0, trust_env=False) as http,
    ):

        async def one(seed: int) -> None:
            task = {"taskType": "videoInference", "model": MODEL, "positivePrompt": PROMPT,
                    "width": 1280, "height": 720, "seed": seed, "includeCost": True}  # fmt: skip
            results = await sdk.run(task)
            url = str(results[0]["videoURL"])
            (folder / f"{seed}.mp4").write_bytes((await http.get(url)).content)

        await one(WARM_UP_SEED)
        meter.start()
        await asyncio.gather(*(one(seed) for seed in range(jobs)))
        return meter.stop("runware-sdk (rest)", jobs)


# ----- (c) a naive per-task polling loop ----------------------------------------------------------


async def run_naive(meter: Meter, jobs: int, folder: Path) -> Row:
    engine = meter.engine
    folder.mkdir(parents=True, exist_ok=True)
    headers = {"Authorization": f"Bearer {engine.api_key}"}
    async with httpx.AsyncClient(headers=headers, timeout=60.0, trust_env=False) as http:

        async def one(seed: int) -> None:
            task_uuid = str(uuid.uuid4())
            task = {"taskType": "videoInference", "taskUUID": task_uuid, "model": MODEL,
                    "positivePrompt": PROMPT, "width": 1280, "height": 720, "seed": seed,
                    "deliveryMethod": "async", "includeCost": True}  # fmt: skip
            (await http.post(engine.base_url, json=[task])).raise_for_status()
            while True:
                await asyncio.sleep(1.0)
                poll = [{"taskType": "getResponse", "taskUUID": task_uuid}]
                body = (await http.post(engine.base_url, json=poll)).json()
                if body.get("errors"):
                    raise RuntimeError(body["errors"])
                done = [i for i in body.get("data", []) if i.get("status") == "success"]
                if done:
                    break
            video = await http.get(done[0]["videoURL"])
            (folder / f"{seed}.mp4").write_bytes(video.content)

        await one(WARM_UP_SEED)
        meter.start()
        await asyncio.gather(*(one(seed) for seed in range(jobs)))
        return meter.stop("naive loop (1 s per task)", jobs)


# ----- report ---------------------------------------------------------------------------------


def report(rows: list[Row], delay: float) -> str:
    lines = [
        f"{rows[0].jobs} jobs in flight, engine delay {delay:g} s per clip (render_mode tiny)",
        "",
        f"{'client':<32}{'HTTP req/task':>14}{'getResponse/task':>18}{'CPU ms/task':>13}"
        f"{'wall s':>8}",
    ]
    for row in rows:
        lines.append(
            f"{row.client:<32}{row.requests_per_task:>14.2f}"
            f"{row.get_response_tasks / row.jobs:>18.2f}{row.cpu_ms_per_task:>13.2f}"
            f"{row.wall_s:>8.1f}"
        )
    ours = rows[0]
    lines.append("")
    for other in rows[1:]:
        lines.append(
            f"ours vs {other.client}: {other.requests_per_task / ours.requests_per_task:.1f}x "
            f"fewer HTTP requests, {other.cpu_ms_per_task / ours.cpu_ms_per_task:.2f}x "
            f"the CPU per task (>1: ours uses less), wall {ours.wall_s:.1f} s vs "
            f"{other.wall_s:.1f} s"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=64)
    parser.add_argument("--delay", type=float, default=3.0, help="engine seconds per clip")
    parser.add_argument("--json", action="store_true", help="also print the rows as JSON")
    parser.add_argument(
        "--dir",
        default=None,
        help="where the clients' folders are made (default: the system temp folder); file"
        " creation costs differ a lot between folders of one disk (see README)",
    )
    parser.add_argument(
        "--threads", action="store_true", help="also print each thread's CPU per task"
    )
    parser.add_argument(
        "--clients",
        default="ours,sdk,naive",
        help="comma-separated subset of ours,sdk,naive to run (e.g. ours, for a profiler)",
    )
    args = parser.parse_args()

    import runware  # noqa: F401  (imports are not part of the measured CPU)

    import wan_notebook.jobs  # noqa: F401
    from wan_notebook.local.launcher import start_engine

    engine = start_engine(delay=args.delay, render_mode="tiny")
    try:
        with tempfile.TemporaryDirectory(prefix="wan-bench-", dir=args.dir) as tmp:
            root = Path(tmp)
            meter = Meter(engine, per_thread=args.threads)
            runs = {
                "ours": lambda: run_ours(meter, args.jobs, root / "ours"),
                "sdk": lambda: asyncio.run(run_sdk(meter, args.jobs, root / "sdk")),
                "naive": lambda: asyncio.run(run_naive(meter, args.jobs, root / "naive")),
            }
            chosen = [name.strip() for name in args.clients.split(",") if name.strip()]
            if not chosen or set(chosen) - set(runs):
                parser.error(f"--clients: choose from {', '.join(runs)}")
            rows = [runs[name]() for name in chosen]
            for row in rows:
                assert row.downloads == args.jobs, (row.client, row.downloads)
    finally:
        engine.stop()
    print(report(rows, args.delay))
    if args.json:
        print(json.dumps([{**row.__dict__, "requests_per_task": row.requests_per_task,
                           "cpu_ms_per_task": row.cpu_ms_per_task} for row in rows]))  # fmt: skip


if __name__ == "__main__":
    main()
