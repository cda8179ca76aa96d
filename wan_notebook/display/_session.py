"""The session at a glance: ``%wan status`` (jobs and where requests go), ``%wan cost``."""

from __future__ import annotations

import html
from typing import Final

from IPython.display import HTML

from .. import settings
from .._text import shorten

__all__ = ["spend_view", "status_view"]

_PROMPT_SHOWN: Final = 60


def spend_view() -> HTML:
    """What this session has spent, and its cap."""
    from .. import jobs  # late: the static views load without the job machinery

    spent = jobs.session_spend()
    cap = settings.get_settings().budget_usd
    cap_text = f"${cap:.2f}" if cap is not None else "no cap"
    return HTML(f"<b>This session</b>: ${spent:.2f} estimated on submitted tasks; cap: {cap_text}.")


def status_view() -> HTML:
    """Where requests go, where media is kept, and the session's live jobs."""
    from .. import jobs

    current = settings.get_settings()
    rows = "".join(
        f"<tr><td>{html.escape(j.task_uuid[:8])}</td><td>{html.escape(j.status)}</td>"
        f"<td>{html.escape(shorten(j.request.positive_prompt, _PROMPT_SHOWN))}</td></tr>"
        for j in jobs.live_jobs()
    )
    backend = "Runware" if current.resolved_backend == "runware" else "local preview engine"
    return HTML(
        f"<p>Requests go to <b>{backend}</b>; "
        f"media in <code>{html.escape(str(current.media_dir))}</code>.</p>"
        f"<table><tr><th>task</th><th>status</th><th>prompt</th></tr>{rows}</table>"
    )
