"""Jobs: one Wan 2.6 task from request to video file, and the entry points that start them.

This package's ``__init__`` is the jobs layer's whole surface for the layers above it
(display, widgets, magics): they import from here, never from the private modules.
"""

from ._budget import session_spend
from ._job import (
    Job,
    JobGroup,
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
    "arecover",
    "generate",
    "generate_many",
    "live_jobs",
    "recover",
    "seed_sweep",
    "session_jobs",
    "session_spend",
    "shutdown_quietly",
]
