"""One short, true sentence per output, for ``text/plain``: what nbconvert's text, a pager,
GitHub or a terminal shows instead of a widget.

Two kinds: a *state* sentence (``job_sentence``, ``group_sentence``) says what a job is now
and is written when it ends, with the static fallback; a *live* sentence (``live_sentence``)
goes with a live widget and says only what stays true while the notebook is saved and
reopened (which job, which seeds), never a status that would go stale.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .._text import shorten
from ._markup import money

if TYPE_CHECKING:
    from ..jobs import Job
    from ..store import Result

__all__ = [
    "group_sentence",
    "job_sentence",
    "live_sentence",
    "relative_path",
    "result_sentence",
    "seeds_text",
]

_ERROR_SHOWN = 120
_LOCAL = "local preview engine"


def relative_path(path: Path | str) -> str:
    """A result file as the notebook sees it (relative to the working folder when possible)."""
    try:
        return Path(os.path.relpath(path, Path.cwd())).as_posix()
    except ValueError:  # another drive on Windows
        return Path(path).as_posix()


def seeds_text(seeds: Sequence[int | None]) -> str:
    """``seed 7``, ``seeds 1-4`` (a run), ``seeds 3, 9 and 12``; ``""`` if none is known."""
    known = [s for s in seeds if s is not None]
    if not known:
        return ""
    if len(known) == 1:
        return f"seed {known[0]}"
    if len(known) > 2 and known == list(range(known[0], known[0] + len(known))):
        return f"seeds {known[0]}-{known[-1]}"
    return "seeds " + ", ".join(str(s) for s in known[:-1]) + f" and {known[-1]}"


def _who(job: Job) -> str:
    # Never pass a local preview off as Wan 2.6 output.
    return f"Wan 2.6 job ({_LOCAL})" if job.engine == _LOCAL else "Wan 2.6 job"


def _result_seeds(job: Job) -> list[int | None]:
    seeds = [r.seed for r in job.results]
    return seeds or [job.request.seed]


def job_sentence(job: Job) -> str:
    """``Wan 2.6 job: done, seed 7, $0.50, wan_media/fox.mp4`` (the job as it is now)."""
    bits: list[str] = [job.status]
    if len(job.results) > 1:
        bits.append(f"{len(job.results)} results")
    seeds = seeds_text(_result_seeds(job))
    if seeds:
        bits.append(seeds)
    cost = money(job.cost) or (money(job.estimated_cost, estimate=True) if not job.done else "")
    if cost:
        bits.append(cost)
    bits += [relative_path(r.path) for r in job.results if r.path is not None]
    text = f"{_who(job)}: {', '.join(bits)}"
    if job.error is not None:
        first = str(job.error).splitlines()[0] if str(job.error) else type(job.error).__name__
        text += f" ({shorten(first, _ERROR_SHOWN)})"
    return text


def group_sentence(jobs: Sequence[Job], *, kind: str = "grid") -> str:
    """``Wan 2.6 grid: 4 videos, 4 done, seeds 1-4, $2.00`` (the jobs as they are now)."""
    counts: dict[str, int] = {}
    for job in jobs:
        counts[job.status] = counts.get(job.status, 0) + 1
    videos = sum(max(1, job.request.results) for job in jobs)
    bits = [f"{videos} video{'s' if videos != 1 else ''}"]
    bits += [f"{n} {status}" for status, n in counts.items()]
    seeds = seeds_text([s for job in jobs for s in _result_seeds(job)])
    if seeds:
        bits.append(seeds)
    costs = [job.cost for job in jobs if job.cost is not None]
    if costs:
        bits.append(money(sum(costs)))
    local = " (local preview engine)" if any(j.engine == _LOCAL for j in jobs) else ""
    return f"Wan 2.6 {kind}{local}: {', '.join(bits)}"


def live_sentence(what: str, seeds: Sequence[int | None] = ()) -> str:
    """The ``text/plain`` of a live view: ``Wan 2.6 job, seed 7: live view (kernel needed)``."""
    shown = seeds_text(seeds)
    return f"{what}{', ' + shown if shown else ''}: live view (kernel needed)"


def result_sentence(result: Result) -> str:
    """``Wan 2.6 result: seed 7, $0.50, wan_media/fox.mp4``."""
    bits = [seeds_text([result.seed]), money(result.cost), relative_path(result.path)]
    return "Wan 2.6 result: " + ", ".join(b for b in bits if b)
