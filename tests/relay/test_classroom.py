"""A class: 30 student processes, each a ``wan_notebook`` client set up with the two lines a
student runs (``WAN_BASE_URL`` and ``RUNWARE_API_KEY``), against one relay. Every student
stays inside their budget, every job finishes, and the teacher's totals equal the sum of
the costs in the students' sidecars (five students ask the same thing: one pays)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.relay.conftest import ROOT

STUDENTS = 30
STUDENT = """
import sys, wan_notebook
prompt, seed = sys.argv[1], int(sys.argv[2])
job = wan_notebook.generate(prompt, size="1280x720", seed=seed)
print(job.wait(timeout=120).video.cost)
"""


def test_thirty_students_finish_within_budget_and_the_totals_match_the_sidecars(
    engine, classroom, tmp_path
):
    upstream = engine(delay=0.5, render_mode="tiny")
    names = {f"s{n:02d}": 1.0 for n in range(STUDENTS)}
    room = classroom(upstream, names)
    running = []
    for n, name in enumerate(names):
        prompt, seed = ("the class's shared clip", 0) if n < 5 else (f"{name}'s own clip", n)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "WAN_BASE_URL": room.url,
            "RUNWARE_API_KEY": room.tokens[name],
            "WAN_MEDIA_DIR": str(tmp_path / name),
            "WAN_POLL_MIN": "0.1",
            "WAN_POLL_MAX": "0.5",
        }
        command = [sys.executable, "-c", STUDENT, prompt, str(seed)]
        running.append(subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True))
    outputs = [p.communicate(timeout=240)[0] for p in running]
    assert [p.returncode for p in running] == [0] * STUDENTS, outputs
    sidecars = [
        json.loads(path.read_text())
        for name in names
        for path in (tmp_path / name).rglob("*.mp4.json")
    ]
    assert len(sidecars) == STUDENTS
    costs = sorted(float(s["result"]["cost"]) for s in sidecars)
    assert costs == [0.0] * 4 + [0.5] * (STUDENTS - 4)  # the shared clip: paid once
    state = room.state()
    assert state["spent"] == sum(costs) == state["billed"]
    assert all(s["spent"] <= s["budget"] and s["in_flight"] == 0 for s in state["students"])
    assert upstream.stats()["tasks"]["videoInference"] == STUDENTS - 4
