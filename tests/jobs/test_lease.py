"""Leases (finding 8): a kernel's recover() leaves alone the tasks another live kernel
follows in the same media folder, and takes those of a kernel that is gone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING

from tests.wan_checks import journal_problems
from wan_notebook.jobs import recover

if TYPE_CHECKING:
    from tests.wan_fixtures import Wan
    from wan_notebook.local.launcher import EngineHandle


LIVE_KERNEL = """
    import json, sys
    from wan_notebook import VideoRequest, configure
    from wan_notebook.jobs import seed_sweep

    configure(poll_first=0.05, poll_min=0.05, poll_max=0.2)
    group = seed_sweep(VideoRequest.build("a fox on a frozen lake", size="1280x720"), range(6))
    while not all(job.status in ("submitted", "processing") for job in group):
        pass
    print("IN FLIGHT", flush=True)
    sys.stdin.readline()  # the test recovers meanwhile
    group.wait(60)
    print(json.dumps([j.status for j in group]), flush=True)
"""


def _env(eng: EngineHandle, wan: Wan) -> dict[str, str]:
    return {**os.environ, "WAN_BACKEND": "runware", "WAN_BASE_URL": eng.base_url,
            "RUNWARE_API_KEY": eng.api_key, "WAN_MEDIA_DIR": str(wan.media_dir)}  # fmt: skip


def test_recover_leaves_the_tasks_of_a_live_kernel_alone(wan: Wan, engine) -> None:
    eng = engine(delay=1.5, render_mode="tiny")
    wan.use(eng)
    kernel = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(LIVE_KERNEL)], env=_env(eng, wan),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert kernel.stdout is not None and kernel.stdin is not None
        assert kernel.stdout.readline().strip() == "IN FLIGHT", kernel.stderr
        assert len(wan.store.unfinished()) == 6
        taken = recover()  # another kernel, same media folder
        assert len(taken) == 0
        kernel.stdin.write("go\n")
        kernel.stdin.flush()
        out, err = kernel.communicate(timeout=90)
    finally:
        if kernel.poll() is None:
            kernel.kill()
    assert kernel.returncode == 0, err
    assert json.loads(out.strip().splitlines()[-1]) == ["done"] * 6
    stats = eng.stats()
    assert stats["downloads"] == 6  # each result fetched once, by its own kernel
    assert set(stats["submits_by_uuid"].values()) == {1}
    assert journal_problems(wan.media_dir) == []
