"""The classroom relay under a class's load: 60 students x 3 jobs, to the local engine.

    python bench/bench_relay.py [--students 60] [--jobs 3] [--delay 1.0]

The local engine runs in its own process (``render_mode="tiny"``, ``delay`` seconds per
clip) and the relay in another (``python -m wan_notebook.relay``, upstream = the engine's
URL). Each simulated student has its own HTTP connection pool and token; it submits its
jobs (one POST each), polls all of them in one ``getResponse`` POST every 0.5 s, and
fetches every video from the relay. Printed:

- results lost: jobs that did not end with a video that downloads whole (target 0);
- budget errors: 402 answers (target 0: every student stays inside a $5 budget);
- the relay's added latency per request, p50 (target <= 5 ms), two ways:
  under load, the time the relay itself spent on each request (its ``Server-Timing``;
  it never waits on the upstream in a request), and on a quiet relay, the round trip of a
  ``getResponse`` through the relay minus the same request straight to the engine;
- requests per second the relay held during the class's run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from wan_notebook.local import start_engine
from wan_notebook.relay import Roster

TEACHER = "bench-teacher-token"
TARGET_MS = 5.0


def task(prompt: str, seed: int) -> dict[str, Any]:
    return {
        "taskType": "videoInference",
        "taskUUID": str(uuid.uuid4()),
        "model": "alibaba:wan@2.6",
        "positivePrompt": prompt,
        "width": 1280,
        "height": 720,
        "seed": seed,
    }


def start_relay(folder: Path, upstream: Any) -> tuple[subprocess.Popen[bytes], str]:
    command = [
        sys.executable, "-m", "wan_notebook.relay", "--port", "0", "--upstream",
        upstream.base_url, "--roster", str(folder / "roster.csv"), "--db",
        str(folder / "relay.sqlite"), "--poll-interval", "0.25",
    ]  # fmt: skip
    env = {**os.environ, "RUNWARE_API_KEY": upstream.api_key, "WAN_TEACHER_TOKEN": TEACHER}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, env=env)
    assert process.stdout is not None
    return process, json.loads(process.stdout.readline())["url"]


class Tally:
    def __init__(self) -> None:
        self.rtt_ms: list[float] = []
        self.relay_ms: list[float] = []
        self.statuses: dict[int, int] = {}

    def note(self, response: httpx.Response, started: float) -> None:
        self.rtt_ms.append((time.perf_counter() - started) * 1000)
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        timing = response.headers.get("server-timing", "")
        if timing.startswith("relay;dur="):
            self.relay_ms.append(float(timing.removeprefix("relay;dur=")))


async def student(url: str, token: str, name: str, jobs: int, tally: Tally) -> int:
    """One student's run; returns how many of its jobs were lost."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(headers=headers, timeout=60, trust_env=False) as http:

        async def post(body: list[dict[str, Any]]) -> httpx.Response:
            started = time.perf_counter()
            response = await http.post(url, json=body)
            tally.note(response, started)
            return response

        uuids = []
        for n in range(jobs):
            one = task(f"{name}'s clip number {n}", seed=n)
            if (await post([one])).status_code == 200:
                uuids.append(one["taskUUID"])
        done: dict[str, dict[str, Any]] = {}
        deadline = time.monotonic() + 120
        while len(done) < len(uuids) and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            body = (await post([{"taskType": "getResponse", "taskUUID": u} for u in uuids])).json()
            for item in body.get("data", []) + body.get("errors", []):
                if item.get("status") in ("success", "error"):
                    done[item["taskUUID"]] = item
        lost = jobs - len(uuids)
        for item in done.values():
            video = await http.get(item["videoURL"]) if item.get("status") == "success" else None
            whole = video is not None and video.status_code == 200
            if not whole or len(video.content) != int(video.headers["content-length"]):
                lost += 1
        return lost + len(uuids) - len(done)


async def quiet_probe(relay_url: str, token: str, upstream: Any, count: int) -> float:
    """p50 round trip of a getResponse through the relay minus straight to the engine (ms)."""
    async with httpx.AsyncClient(timeout=30, trust_env=False) as http:
        mine = task("probe", seed=1)
        auth = {"Authorization": f"Bearer {token}"}
        await http.post(relay_url, json=[mine], headers=auth)
        direct = task("probe direct", seed=1)
        engine_auth = {"Authorization": f"Bearer {upstream.api_key}"}
        await http.post(upstream.base_url, json=[direct], headers=engine_auth)
        await asyncio.sleep(2.0)
        times: dict[str, list[float]] = {"relay": [], "direct": []}
        for _ in range(count):  # interleaved, so both see the same machine
            for kind, url, uuid_, headers in (
                ("relay", relay_url, mine["taskUUID"], auth),
                ("direct", upstream.base_url, direct["taskUUID"], engine_auth),
            ):
                started = time.perf_counter()
                await http.post(
                    url, json=[{"taskType": "getResponse", "taskUUID": uuid_}], headers=headers
                )
                times[kind].append((time.perf_counter() - started) * 1000)
        return statistics.median(times["relay"]) - statistics.median(times["direct"])


def process_cpu(pid: int) -> float:
    """CPU seconds a process has used (Linux: /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def run(args: argparse.Namespace) -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench-relay-"))
    roster = Roster(folder / "roster.csv")
    tokens = {f"student{n:02d}": roster.add(f"student{n:02d}", 5.0) for n in range(args.students)}
    upstream = start_engine(render_mode="tiny", delay=args.delay)
    process, url = start_relay(folder, upstream)
    try:
        tally = Tally()
        cpu_before = process_cpu(process.pid)
        started = time.perf_counter()
        lost = await asyncio.gather(
            *(student(url, t, name, args.jobs, tally) for name, t in tokens.items())
        )
        wall = time.perf_counter() - started
        relay_cpu = process_cpu(process.pid) - cpu_before
        added = await quiet_probe(url, next(iter(tokens.values())), upstream, args.probe)
    finally:
        process.terminate()
        process.wait(timeout=30)
        upstream.stop()
    requests = len(tally.rtt_ms)
    relay_p50 = statistics.median(tally.relay_ms)
    print(f"students {args.students} x jobs {args.jobs}, engine delay {args.delay} s (tiny)")
    print(f"results lost: {sum(lost)}")
    print(f"budget errors: {tally.statuses.get(402, 0)}")
    print(f"http statuses: {dict(sorted(tally.statuses.items()))}")
    print(f"relay's own time per request under load: p50 {relay_p50:.2f} ms,"
          f" p95 {pct(tally.relay_ms, 0.95):.2f} ms")  # fmt: skip
    print(f"round trip through the relay under load: p50 {statistics.median(tally.rtt_ms):.2f} ms,"
          f" p95 {pct(tally.rtt_ms, 0.95):.2f} ms")  # fmt: skip
    print(f"added latency on a quiet relay (relay - direct getResponse, p50): {added:.2f} ms")
    print(f"relay process CPU during the run: {relay_cpu:.1f} s of {wall:.1f} s")
    print(f"requests per second held: {requests / wall:.1f} ({requests} requests in {wall:.1f} s)")
    ok = sum(lost) == 0 and tally.statuses.get(402, 0) == 0 and max(relay_p50, added) <= TARGET_MS
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--jobs", type=int, default=3)
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("--probe", type=int, default=200, help="requests of the quiet probe")
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
