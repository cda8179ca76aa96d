"""A class: 30 student processes, each a ``wan_notebook`` client set up with the two lines a
student runs (``WAN_BASE_URL`` and ``RUNWARE_API_KEY``), against one relay in front of a
local engine (tiny render mode: small clips, so 30 processes fit on 2 cores in well under a
minute). The students are forked from a server process that has imported ``wan_notebook``
(multiprocessing's forkserver): each is its own process with its own environment, settings
and media folder, without 30 start-ups that import the package (15.0 CPU-s, now 2.4).

- five students ask the same thing: one upstream task, paid by one;
- twenty-one make one clip of their own;
- four have $0.75 and start two $0.50 clips at once: the reservation lets one through and
  the other is refused with ``InsufficientCreditError`` before it goes upstream.

Then: every student finished; each student's spend on the teacher's page equals the sum of
the costs in their own sidecars, and the class total equals the sum over all sidecars and
what the ledger billed; nobody passed their budget; and nothing was paid twice (one
upstream task per paid video, no video paid for by two sidecars).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import traceback
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

SHARED, OWN, SHORT = 5, 21, 4
SHORT_BUDGET = 0.75
PRELOAD = ["wan_notebook", "wan_notebook.jobs", "wan_notebook.client"]


def _student(env: dict[str, str], clips: list[tuple[str, int]], answer: Connection) -> None:
    """One student's process: the two lines of set-up (here, its environment), then its clips."""
    try:
        os.environ.update(env)
        import wan_notebook

        jobs = [wan_notebook.generate(p, size="1280x720", seed=s) for p, s in clips]
        out: list[dict[str, Any]] = []
        for job in jobs:
            try:
                out.append({"cost": job.wait(timeout=120).video.cost})
            except wan_notebook.WanError as exc:  # a refusal is an answer too
                out.append({"error": type(exc).__name__, "message": str(exc)})
        answer.send(out)
    except BaseException:
        answer.send([{"crash": traceback.format_exc()}])
        raise


def _plans() -> dict[str, tuple[float, list[tuple[str, int]]]]:
    """Each student's budget and the clips they start (prompt, seed)."""
    plans: dict[str, tuple[float, list[tuple[str, int]]]] = {}
    for n in range(SHARED + OWN + SHORT):
        name = f"s{n:02d}"
        if n < SHARED:
            plans[name] = (1.0, [("the class's shared clip", 0)])
        elif n < SHARED + OWN:
            plans[name] = (1.0, [(f"{name}'s own clip", n)])
        else:
            plans[name] = (SHORT_BUDGET, [(f"{name}'s first clip", n), (f"{name}'s second", n)])
    return plans


def test_thirty_students_stay_within_budget_and_the_totals_match_their_sidecars(
    engine, classroom, tmp_path
):
    upstream = engine(delay=0.5, render_mode="tiny")
    plans = _plans()
    room = classroom(upstream, {name: budget for name, (budget, _) in plans.items()})
    students = multiprocessing.get_context("forkserver")
    students.set_forkserver_preload(PRELOAD)
    running = {}
    for name, (_, clips) in plans.items():
        env = {
            "WAN_BASE_URL": room.url,
            "RUNWARE_API_KEY": room.tokens[name],
            "WAN_MEDIA_DIR": str(tmp_path / name),
            "WAN_POLL_MIN": "0.1",
            "WAN_POLL_MAX": "0.5",
        }
        receive, send = students.Pipe(duplex=False)
        process = students.Process(target=_student, args=(env, clips, send), name=name)
        process.start()
        send.close()
        running[name] = (process, receive)
    answers = {}
    for name, (process, receive) in running.items():
        assert receive.poll(240), f"{name} gave no answer in 240 s"
        answers[name] = receive.recv()
        process.join(30)
    assert all(p.exitcode == 0 for p, _ in running.values()), answers

    # Every clip finished, except exactly one of each short-budget student's two.
    for name, (budget, _) in plans.items():
        done = [a for a in answers[name] if "cost" in a]
        refused = [a for a in answers[name] if "error" in a]
        if budget == SHORT_BUDGET:
            assert len(done) == 1 and len(refused) == 1, answers[name]
            assert refused[0]["error"] == "InsufficientCreditError", refused
            assert "class budget of $0.75 is spent; ask your teacher" in refused[0]["message"]
            assert room.tokens[name] not in refused[0]["message"]
        else:
            assert refused == [], answers[name]

    sidecars = {name: _sidecars(tmp_path / name) for name in plans}
    state = room.state()
    spent = {s["name"]: s["spent"] for s in state["students"]}
    for name, (budget, clips) in plans.items():
        costs = [float(s["result"]["cost"]) for s in sidecars[name]]
        assert len(costs) == (1 if budget == SHORT_BUDGET else len(clips))
        assert round(sum(costs), 6) == spent[name] <= budget, name
    every = [s for found in sidecars.values() for s in found]
    total = round(sum(float(s["result"]["cost"]) for s in every), 6)
    assert state["spent"] == total == state["billed"] == 0.5 * (1 + OWN + SHORT)
    assert all(s["in_flight"] == 0 for s in state["students"])

    # Nothing paid twice: each paid video is one upstream task, paid in one sidecar only.
    paid = Counter(s["result"]["video_uuid"] for s in every if float(s["result"]["cost"]) > 0)
    assert all(n == 1 for n in paid.values()), paid
    assert len(paid) == upstream.stats()["tasks"]["videoInference"] == 1 + OWN + SHORT
    shared = {s["result"]["video_uuid"] for n in list(plans)[:SHARED] for s in sidecars[n]}
    assert len(shared) == 1  # the five got the same video, and it is among the paid ones
    assert shared <= set(paid)


def _sidecars(folder: Path) -> list[dict]:
    return [json.loads(path.read_text()) for path in folder.rglob("*.mp4.json")]
