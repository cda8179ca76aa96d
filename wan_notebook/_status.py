"""The one vocabulary of job and journal statuses (the front end's ``js/src/format.js``
mirrors it; ``tests/test_status.py`` keeps the two in step).

A job moves ``queued -> submitted -> processing -> downloading -> done`` and may end
``failed`` or ``cancelled`` at any point. The journal writes ``journaled`` for a task that is
recorded but perhaps not yet sent, then the same words as the job.
"""

from __future__ import annotations

from typing import Final, Literal

JobStatus = Literal[
    "queued", "submitted", "processing", "downloading", "done", "failed", "cancelled"
]

JOB_STATUSES: Final[tuple[JobStatus, ...]] = (
    "queued",
    "submitted",
    "processing",
    "downloading",
    "done",
    "failed",
    "cancelled",
)
LIVE_STATUSES: Final[frozenset[JobStatus]] = frozenset(
    {"queued", "submitted", "processing", "downloading"}
)
TERMINAL_STATUSES: Final[tuple[JobStatus, ...]] = ("done", "failed", "cancelled")

JournalStatus = Literal[
    "journaled", "submitted", "processing", "downloading", "done", "failed", "cancelled"
]
# A journal row that may still become a result: recovery polls these.
OPEN_JOURNAL_STATUSES: Final[tuple[JournalStatus, ...]] = (
    "journaled",
    "submitted",
    "processing",
    "downloading",
)
