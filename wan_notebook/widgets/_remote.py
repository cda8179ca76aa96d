"""The API's own URL of a result, as the player and the grid's tiles take it.

Outside a Jupyter page (VS Code, Colab) the browser tries this URL first, while it lives; on
a Jupyter page, after the server's files. It lives ``ttl`` seconds (the request's field,
when set) from when the video was made; without a ttl its end is unknown (``0``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..jobs import Job
    from ..store import Result

__all__ = ["job_remote_fields", "remote_fields"]


def remote_fields(url: str | None, *, ttl: object, made_at: float | None) -> dict[str, Any]:
    """``remote_src`` and ``remote_expires`` for a result's URL (empty without one).

    ``ttl`` is the request's field as stored (an int, or None or anything else: unknown).
    """
    if not url or not url.lower().startswith(("https://", "http://")):
        return {"remote_src": "", "remote_expires": 0.0}
    if isinstance(ttl, bool) or not isinstance(ttl, int) or ttl <= 0 or not made_at:
        return {"remote_src": url, "remote_expires": 0.0}
    return {"remote_src": url, "remote_expires": float(made_at + ttl)}


def job_remote_fields(job: Job, result: Result | None) -> dict[str, Any]:
    """:func:`remote_fields` of one result of a job. A result reused from the journal
    (``job.cached``) was made earlier, at a time not known here: its end is unknown."""
    return remote_fields(
        result.url if result is not None else None,
        ttl=job.request.ttl,
        made_at=None if job.cached else job.finished_at,
    )
