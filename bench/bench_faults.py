"""The fault suite: N jobs under every fault knob of the local engine, and combinations.

    python bench/bench_faults.py [--jobs 40] [--delay 0.2] [--only NAME]

One local engine runs in its own process (``render_mode="tiny"``). For each scenario the
engine's faults are set, a fresh media folder and session start ``--jobs`` jobs (one seed
each) and wait for them; then the faults are cleared and ``recover()`` fetches whatever
the journal left open or recoverable, as a user would. Printed per scenario, all of which
must be 0:

- lost: generations the engine rendered (and so billed) whose video is not in the journal
  after recovery;
- paid twice: generations rendered beyond one per request;
- bad files: result files whose header fails the probe (container and duration; tiny
  renders are small by design, so their size is not checked), or whose sha256 differs;
- never ended: jobs not finished when their wait ran out;
- wrong errors: errors of a class the scenario's faults cannot explain (each fault kind
  names the error it may end in once retries run out, ``CAUSES``).
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wan_notebook import VideoRequest, configure
from wan_notebook.client import ExpectedVideo, PollRefused
from wan_notebook.client._media_check import check_video
from wan_notebook.errors import (
    InsufficientCreditError,
    NetworkError,
    RateLimitError,
    ServerError,
    TaskFailedError,
    WanError,
)
from wan_notebook.jobs import Session, recover, seed_sweep, use_session
from wan_notebook.local.launcher import EngineHandle, start_engine
from wan_notebook.store import Store

PROMPT = "a lighthouse in a storm, waves crashing"
FAST = {"poll_first": 0.05, "poll_min": 0.05, "poll_max": 0.3, "backoff_base": 0.01,
        "backoff_max": 0.05, "request_timeout": 5.0}  # fmt: skip

ALL_POST = ["402", "429", "500", "503", "drop", "drop_after", "malformed", "slow"]
# The error each fault may end in once its retries run out (a refused poll: PollRefused).
CAUSES: dict[str, type[WanError]] = {
    "402": InsufficientCreditError, "429": RateLimitError, "500": ServerError,
    "503": ServerError, "drop": NetworkError, "drop_after": NetworkError,
    "malformed": NetworkError, "slow": NetworkError, "truncate": NetworkError,
    "task_fail": TaskFailedError,
}  # fmt: skip


@dataclass
class Scenario:
    name: str
    faults: dict[str, Any]
    allowed: tuple[type[WanError], ...] = ()  # errors these faults may cause, beyond CAUSES
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def explained(self) -> tuple[type[WanError], ...]:
        kinds = [*self.faults.get("rates", {}), *self.faults.get("next", {})]
        polls = self.faults.get("apply_to") == ["getResponse"]
        other = tuple(CAUSES[k] for k in kinds if k not in ALL_POST)
        posts = (PollRefused,) if polls else tuple(CAUSES[k] for k in kinds if k in ALL_POST)
        return (*self.allowed, *posts, *other)


def scenarios() -> list[Scenario]:
    out = [Scenario("no faults", {})]
    out.append(
        Scenario(
            "combined: submits 503+drop+malformed 10% each",
            {"rates": {"503": 0.1, "drop": 0.1, "malformed": 0.1}, "apply_to": ["videoInference"]},
        )
    )
    for kind in ALL_POST:
        allowed: tuple[type[WanError], ...] = (InsufficientCreditError,) if kind == "402" else ()
        extra = {"slow_seconds": 0.3} if kind == "slow" else {}
        out.append(Scenario(f"{kind}, 15% of POSTs", {"rates": {kind: 0.15}, **extra}, allowed))
        out.append(
            Scenario(
                f"{kind}, 30% of polls",
                {"rates": {kind: 0.3}, "apply_to": ["getResponse"], **extra},
                settings={"max_attempts": 2},
            )
        )
    out += [
        Scenario("malformed shape, 15%", {"rates": {"malformed": 0.15}, "malformed": "shape"}),
        Scenario("task_fail 20%", {"rates": {"task_fail": 0.2}}, (TaskFailedError,)),
        Scenario(
            "task_fail 20%, data shape",
            {"rates": {"task_fail": 0.2}, "error_shape": "data"},
            (TaskFailedError,),
        ),
        Scenario("truncate 30% of downloads", {"rates": {"truncate": 0.3}}),
        Scenario("batched getResponse refused", {"reject_batched_get_response": True}),
        Scenario(
            "polls refused for good (402)",
            {"rates": {"402": 1.0}, "apply_to": ["getResponse"]},
            (PollRefused,),
            {"max_attempts": 1},
        ),
        Scenario(
            "everything at 5%",
            {"rates": {k: 0.05 for k in [*ALL_POST, "truncate", "task_fail"]}, "slow_seconds": 0.3},
            (InsufficientCreditError, TaskFailedError),
        ),
        Scenario(
            "combined: polls 503+drop+malformed 20% each, truncate 20%",
            {
                "rates": {"503": 0.2, "drop": 0.2, "malformed": 0.2, "truncate": 0.2},
                "apply_to": ["getResponse"],
            },
            settings={"max_attempts": 3},
        ),
    ]
    return out


@dataclass
class Row:
    name: str
    done: int
    failed: int
    lost: int
    paid_twice: int
    bad_files: int
    never_ended: int
    wrong_errors: int
    seconds: float


def run(engine: EngineHandle, scenario: Scenario, jobs: int, media: Path) -> Row:
    configure(backend="runware", base_url=engine.base_url, api_key=engine.api_key,
              media_dir=media, **{**FAST, **scenario.settings})  # fmt: skip
    use_session(Session())
    engine.reset_stats()
    engine.set_faults({"seed": 7, **scenario.faults})
    started = time.perf_counter()
    group = seed_sweep(VideoRequest.build(PROMPT, size="1280x720", duration=5), range(jobs))
    group.wait(180, raise_errors=False)
    never_ended = sum(1 for job in group if job.status not in ("done", "failed", "cancelled"))
    errors = [job.error for job in group if job.error is not None]
    wrong = [e for e in errors if not isinstance(e, scenario.explained)]
    for error in wrong[:3]:
        print(f"    wrong error: {type(error).__name__}: {error}")
    # Recovery, as a user would run it once the faults are gone.
    engine.set_faults({})
    recovered = recover()
    recovered.wait(180, raise_errors=False)
    never_ended += sum(1 for job in recovered if job.status not in ("done", "failed", "cancelled"))
    stats = engine.stats()
    store = Store.open(media)
    results = [r for task in store.tasks() for r in store.results_for(task.task_uuid)]
    rendered = stats["generations_rendered"] + stats["generations_failed"]
    bad = 0
    for result in results:
        problems = check_video(result.path, ExpectedVideo("MP4", None, None, 5.0))
        digest = hashlib.sha256(result.path.read_bytes()).hexdigest()
        bad += bool(problems) or digest != result.sha256
    tasks = store.tasks()
    return Row(
        name=scenario.name,
        done=sum(1 for t in tasks if t.status == "done"),
        failed=sum(1 for t in tasks if t.status == "failed"),
        lost=max(0, stats["generations_rendered"] - len({r.task_uuid for r in results})),
        paid_twice=max(0, rendered - jobs),
        bad_files=bad,
        never_ended=never_ended,
        wrong_errors=len(wrong),
        seconds=time.perf_counter() - started,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--only", default="", help="run the scenarios whose name has this")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    header = (f"{'scenario':<46} {'done':>4} {'fail':>4} {'lost':>4} {'paid2':>5} "
              f"{'badf':>4} {'hung':>4} {'wrong':>5} {'s':>6}")  # fmt: skip
    print(header)
    print("-" * len(header))
    totals = [0, 0, 0, 0, 0]
    with start_engine(delay=args.delay, render_mode="tiny", workers=8) as engine:
        for scenario in scenarios():
            if args.only and args.only not in scenario.name:
                continue
            with tempfile.TemporaryDirectory() as tmp:
                row = run(engine, scenario, args.jobs, Path(tmp) / "wan_media")
                Store.close_all()
            figures = (row.lost, row.paid_twice, row.bad_files, row.never_ended,
                       row.wrong_errors)  # fmt: skip
            totals = [a + b for a, b in zip(totals, figures, strict=True)]
            print(f"{row.name:<46} {row.done:>4} {row.failed:>4} {row.lost:>4} "
                  f"{row.paid_twice:>5} {row.bad_files:>4} {row.never_ended:>4} "
                  f"{row.wrong_errors:>5} {row.seconds:>6.1f}", flush=True)  # fmt: skip
    print("-" * len(header))
    print(f"totals: lost {totals[0]}, paid twice {totals[1]}, files failing a probe {totals[2]},"
          f" jobs never ending {totals[3]}, wrong errors {totals[4]}")  # fmt: skip


if __name__ == "__main__":
    main()
