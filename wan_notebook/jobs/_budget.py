"""The session's spending cap: what this process has committed to spend, checked before
anything is sent.

A job reserves its estimated cost before its submission and keeps it once the API may have
taken the task; it gives it back when nothing was billed (refused, or cancelled before it was
sent). The cap is ``settings.budget_usd`` (``WAN_BUDGET_USD``); ``None`` means no cap.
Each ``Session`` has one budget, which all of its jobs draw on.
"""

from __future__ import annotations

import threading

from ..errors import BudgetExceededError

__all__ = ["Budget"]


class Budget:
    """The session's committed spend (estimates of tasks sent or about to be)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.committed = 0.0

    def reserve(self, amount: float, cap: float | None) -> None:
        with self._lock:
            if cap is not None and self.committed + amount > cap + 1e-9:
                left = max(0.0, cap - self.committed)
                raise BudgetExceededError(
                    f"this would cost about ${amount:.2f}, but only ${left:.2f} of the session's"
                    f" ${cap:.2f} budget is left (${self.committed:.2f} committed)",
                    hint="Raise it with %wan budget USD (or configure(budget_usd=...)). "
                    "Nothing was sent.",
                )
            self.committed += amount

    def release(self, amount: float) -> None:
        with self._lock:
            self.committed = max(0.0, self.committed - amount)
