"""ProgressCard: one job's live status, with a Cancel button."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import traitlets

from .._status import JOB_STATUSES, LIVE_STATUSES
from ..display import live_sentence
from ._base import WanWidget
from ._slots import with_sentence

__all__ = ["ProgressCard"]

CancelCallback = Callable[[], Any]


class ProgressCard(WanWidget):
    """Live status of one generation job.

    The browser ticks the elapsed time itself from ``started_at`` and
    ``finished_at`` (every 100 ms), so the kernel only writes a trait when
    something really changes.

    Usage::

        card = ProgressCard(prompt="a red fox", seed=7, engine="Runware")
        card.on_cancel(job.cancel)
        card.status = "processing"
        card.progress = 0.4
    """

    _kind = traitlets.Unicode("progress", read_only=True).tag(sync=True)

    status = traitlets.Enum(JOB_STATUSES, default_value="queued").tag(sync=True)
    """Job status; one of ``_status.JOB_STATUSES``. Default ``"queued"``."""

    prompt = traitlets.Unicode("").tag(sync=True)
    """The prompt (shown as text, never as HTML)."""

    seed = traitlets.Int(None, allow_none=True).tag(sync=True)
    """Seed of the request, ``None`` if not chosen yet."""

    task_uuid = traitlets.Unicode("").tag(sync=True)
    """The API's taskUUID (the card shows its first 8 characters)."""

    started_at = traitlets.Float(0.0).tag(sync=True)
    """Epoch seconds when the job started; ``0`` = not started."""

    finished_at = traitlets.Float(0.0).tag(sync=True)
    """Epoch seconds when the job ended; ``0`` = still running."""

    progress = traitlets.Float(-1.0).tag(sync=True)
    """Fraction done, 0..1; ``-1`` = unknown (indeterminate bar).

    Values above 1 are clamped to 1 and negative values become ``-1``.
    """

    progress_source = traitlets.Enum(("api", "estimate", ""), default_value="").tag(sync=True)
    """Where ``progress`` comes from: ``"api"``, ``"estimate"`` (shown as "~42% est.") or ``""``."""

    estimated_cost = traitlets.Float(-1.0).tag(sync=True)
    """Estimated cost in USD; ``-1`` = unknown."""

    cost = traitlets.Float(-1.0).tag(sync=True)
    """Charged cost in USD; ``-1`` = unknown."""

    error = traitlets.Unicode("").tag(sync=True)
    """A short error message shown in the card (red); ``""`` for none."""

    engine = traitlets.Unicode("").tag(sync=True)
    """Small badge naming the backend, e.g. ``"Runware"`` or ``"local preview engine"``."""

    cached = traitlets.Bool(False).tag(sync=True)
    """Show a "cached result" badge."""

    _repr_traits = ("status", "seed", "progress", "error", "cached")
    _repr_always = ("status",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._cancel_callbacks: list[CancelCallback] = []
        self.on_msg(self._handle_message)

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        # Shown on its own: a sentence for text views, not the repr (which nbval compares).
        what = f"Wan 2.6 job card {self.task_uuid[:8]}".rstrip()
        return with_sentence(super()._repr_mimebundle_(**kwargs), live_sentence(what, [self.seed]))

    @traitlets.validate("progress")
    def _clamp_progress(self, proposal: dict[str, Any]) -> float:
        value = float(proposal["value"])
        if value != value or value < 0:  # NaN or negative: unknown
            return -1.0
        return min(value, 1.0)

    @property
    def live(self) -> bool:
        """Whether the job can still be cancelled (the card shows Cancel while it can)."""
        return self.status in LIVE_STATUSES

    def on_cancel(self, callback: CancelCallback, *, remove: bool = False) -> None:
        """Register (or remove) a callable run when the user presses Cancel.

        The callback takes no arguments. Exceptions it raises are printed by
        ipywidgets and do not stop the other callbacks.
        """
        if remove:
            if callback in self._cancel_callbacks:
                self._cancel_callbacks.remove(callback)
        elif callback not in self._cancel_callbacks:
            self._cancel_callbacks.append(callback)

    def _handle_message(self, _widget: object, content: Any, _buffers: list[bytes]) -> None:
        if isinstance(content, dict) and content.get("type") == "cancel":
            self._fire_cancel()

    def _fire_cancel(self) -> None:
        errors: list[BaseException] = []
        for callback in list(self._cancel_callbacks):
            try:
                callback()
            except Exception as exc:  # noqa: BLE001 - run every callback, then re-raise the first
                errors.append(exc)
        if errors:
            raise errors[0]
