"""May a task be sent again? Ask the API (``getTaskDetails``) before any automatic resend.

A resend under the same taskUUID is safe only when the API says it does not know the task:
then nothing was taken and nothing billed. Runware does not document what a reused
taskUUID does, so a resend never rests on it. When the API knows the task it is followed,
not resent; when it refused it at submit, the job ends with that refusal; when the answer
is unclear (a refused query), the poller asks again later and sends nothing meanwhile.
"""

from __future__ import annotations

import logging
from typing import Literal

from ..client import ApiErrorItem, AsyncRunwareClient, PollRefused

__all__ = ["Verdict", "resend_verdict"]

log = logging.getLogger("wan_notebook.jobs._poller")

# "unknown": safe to send again; "known": follow it; "unsure": ask again later;
# an ApiErrorItem: the API refused the task at submit (it was not billed).
Verdict = Literal["unknown", "known", "unsure"] | ApiErrorItem


async def resend_verdict(client: AsyncRunwareClient, task_uuid: str) -> Verdict:
    """What the API's task details say about sending ``task_uuid`` again."""
    try:
        details = (await client.task_details([task_uuid])).get(task_uuid)
    except PollRefused as refused:
        log.info("task %s: task details refused (%s); not resending", task_uuid, refused)
        return "unsure"
    except Exception:  # a bug: the safe answer is not to send
        log.exception("task details of %s failed unexpectedly", task_uuid)
        return "unsure"
    if details is None:
        return "unknown"
    return details.rejection or "known"
