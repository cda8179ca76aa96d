"""DryRun: what ``%%wan --dry-run`` shows, the exact request JSON and its estimated cost.

Under them, one line per note of ``request.advice.notes``: what was filled in (a default
size), a prompt that names no reference video, input lengths that could not be checked.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

from ..request import advice
from ..request.models import VideoRequest

__all__ = ["DryRun"]


class DryRun:
    """What ``%%wan --dry-run`` shows: the exact request JSON and its estimated cost."""

    def __init__(self, request: VideoRequest, *, seeds: Sequence[int] | None = None) -> None:
        self.request = request
        self.seeds = list(seeds) if seeds else None

    @property
    def tasks(self) -> list[dict[str, Any]]:
        if not self.seeds:
            return [self.request.to_api()]
        return [self.request.with_changes(seed=s).to_api() for s in self.seeds]

    @property
    def estimated_cost(self) -> float:
        return round(self.request.estimated_cost * (len(self.seeds) if self.seeds else 1), 4)

    def _text(self) -> str:
        body = json.dumps(self.tasks if self.seeds else self.tasks[0], indent=2, ensure_ascii=False)
        count = f"{len(self.tasks)} tasks, " if self.seeds else ""
        cost = f"{count}estimated cost ${self.estimated_cost:.2f} (nothing was sent)"
        return "\n".join([f"{body}\n\n{cost}", *(f"note: {n}" for n in self.notes)])

    @property
    def notes(self) -> list[str]:
        """What ``advice.notes`` says about the request (seeds change none of it)."""
        return advice.notes(self.request)

    def __repr__(self) -> str:
        return self._text()

    def _repr_html_(self) -> str:
        return f'<pre class="wan-dry-run">{html.escape(self._text())}</pre>'
