"""The session at a glance: ``%wan status`` (every job of this session and where requests
go) and ``%wan cost`` / ``%wan budget`` (what it has spent, and its cap)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from .. import settings
from .._text import shorten
from ._markup import Shown, escape, money, no_tex

if TYPE_CHECKING:
    from ..jobs import Job

__all__ = ["spend_view", "status_view"]

_PROMPT_SHOWN: Final = 60
_ROWS_SHOWN: Final = 40  # the newest jobs; a long session says how many are left out
_CELL: Final = 'style="text-align:left;padding:2px 12px 2px 0;vertical-align:top"'


def spend_view() -> Shown:
    """What this session has spent, and its cap."""
    from .. import jobs  # late: the static views load without the job machinery

    spent = money(jobs.session_spend())
    cap = settings.get_settings().budget_usd
    cap_text = money(cap) if cap is not None else "no cap"
    text = f"This session: {spent} estimated on submitted tasks; cap: {cap_text}."
    html = (
        f"<b>This session</b>: {escape(spent)} estimated on submitted tasks; "
        f"cap: {escape(cap_text)}."
    )
    return Shown(no_tex(html), text)


def status_view() -> Shown:
    """Where requests go, where media is kept, and every job of this session."""
    from .. import jobs

    current = settings.get_settings()
    backend = "Runware" if current.resolved_backend == "runware" else "local preview engine"
    where = f"Requests go to {backend}; media in {current.media_dir}."
    head = (
        f"Requests go to <b>{escape(backend)}</b>; "
        f"media in <code>{escape(str(current.media_dir))}</code>."
    )
    session = jobs.session_jobs()
    if not session:
        idle = " No jobs in this session yet."
        return Shown(no_tex(f"{head}{idle}"), where + idle)
    counts: dict[str, int] = {}
    for job in session:
        counts[job.status] = counts.get(job.status, 0) + 1
    noun = "job" if len(session) == 1 else "jobs"
    tally = f"{len(session)} {noun}: " + ", ".join(f"{n} {s}" for s, n in counts.items())
    shown = session[-_ROWS_SHOWN:]
    rows = "".join(_row(job) for job in reversed(shown))  # newest first
    more = len(session) - len(shown)
    tail = f'<div style="opacity:.7">…and {more} earlier.</div>' if more else ""
    header = "".join(f"<th {_CELL}>{h}</th>" for h in ("task", "status", "seed", "cost", "prompt"))
    html = (
        f"<div>{head} {escape(tally)}.</div>"
        f'<table style="border-collapse:collapse;margin-top:4px"><thead><tr>{header}</tr></thead>'
        f"<tbody>{rows}</tbody></table>{tail}"
    )
    return Shown(no_tex(html), f"{where} {tally}.")


def _row(job: Job) -> str:
    seed = job.results[0].seed if job.results else job.request.seed
    cost = money(job.cost) or money(job.estimated_cost, estimate=True)
    cells = (
        f'<code title="{escape(job.task_uuid)}">{escape(job.task_uuid[:8])}</code>',
        escape(job.status + (" (cached)" if job.cached else "")),
        "" if seed is None else str(seed),
        escape(cost),
        escape(shorten(job.request.positive_prompt, _PROMPT_SHOWN)),
    )
    return "<tr>" + "".join(f"<td {_CELL}>{c}</td>" for c in cells) + "</tr>"
