"""What a failure means for the bill and for recovery.

Two questions decide what a job does with an error: may the API have taken (and so billed)
the task anyway, so the budget keeps its reservation; and may the API still hold a result,
so the journal marks the failure recoverable and ``recover()`` polls it again.
"""

from __future__ import annotations

import logging
from typing import Final

from ..errors import (
    AuthenticationError,
    JobTimeoutError,
    NetworkError,
    RateLimitError,
    ServerError,
    WanError,
)

__all__ = ["MAYBE_TAKEN", "RECOVERABLE", "as_wan_error", "code_of", "recoverable"]

log = logging.getLogger("wan_notebook.jobs")

# Faults after which a submitted task may have been taken (and billed) anyway.
MAYBE_TAKEN: Final = (NetworkError, ServerError, RateLimitError)
# Errors after which the API may still hold (and bill) a result: recover() retries those.
RECOVERABLE: Final = (
    NetworkError,
    ServerError,
    RateLimitError,
    AuthenticationError,
    JobTimeoutError,
)


def recoverable(exc: Exception) -> bool:
    """After this failure, may the API still hold a result worth fetching?"""
    return not isinstance(exc, WanError) or isinstance(exc, RECOVERABLE)


def as_wan_error(exc: Exception) -> WanError:
    """The error a job ends with: ours as is, a file system fault as a network-side one
    (the result can be fetched again), anything else as an internal error (and logged)."""
    if isinstance(exc, WanError):
        return exc
    if isinstance(exc, OSError):
        return NetworkError(f"could not save: {exc}")
    log.error("job failed unexpectedly", exc_info=exc)
    return WanError(f"internal error: {type(exc).__name__}: {exc}")


def code_of(error: WanError) -> str:
    """The journal's error code: the API's code, else the error's class name."""
    code = getattr(error, "code", "")
    return str(code) if code else type(error).__name__
