"""Jobs: one Wan 2.6 task from request to video file, and the entry points that start them.

This package's ``__init__`` is the jobs layer's whole surface for the layers above it
(display, widgets, magics): they import from here, never from the private modules.

Modules, in the order a job meets them: ``_start`` (entry points), ``_session`` (where
jobs send, which are running, the budget; ``_context``, ``_budget``), ``_job`` (the state
machine; ``_state`` its readable state), ``_inputs`` (the API task), ``_poller`` (batched
submits and polls, through ``_watched``; ``_refusals`` for refused polls, ``_resubmit``
for when a resend is safe), ``_progress``, ``_save`` (files and sidecars),
``_faults`` (what a failure means), ``_lease`` (the kernel's heartbeat), ``_foreign`` (a
job another kernel already runs), ``_group`` (JobGroup) and ``_loop`` (the one loop thread).
"""

from ._group import JobGroup
from ._job import Job
from ._session import Session, session_spend, use_session
from ._start import (
    arecover,
    generate,
    generate_many,
    live_jobs,
    recover,
    seed_sweep,
    session_jobs,
    shutdown_quietly,
)

__all__ = [
    "Job",
    "JobGroup",
    "Session",
    "arecover",
    "generate",
    "generate_many",
    "live_jobs",
    "recover",
    "seed_sweep",
    "session_jobs",
    "session_spend",
    "shutdown_quietly",
    "use_session",
]
