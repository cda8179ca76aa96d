"""One running relay's parts, shared by its HTTP handlers: config, roster, ledger, upstream,
worker, and when each student was last seen."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ._config import RelayConfig
from ._ledger import Ledger
from ._roster import Roster, Student
from ._upstream import Upstream
from ._worker import Worker


@dataclass
class Relay:
    config: RelayConfig
    roster: Roster
    ledger: Ledger
    upstream: Upstream
    worker: Worker
    last_seen: dict[str, float] = field(default_factory=dict)  # name -> epoch seconds

    def student(self, tokens: list[str]) -> Student | None:
        """The student these tokens (header and/or auth task) belong to; all must agree."""
        if not tokens:
            return None
        found = [self.roster.find(t) for t in tokens]
        first = found[0]
        if first is None or any(s is None or s.name != first.name for s in found):
            return None
        self.last_seen[first.name] = time.time()
        return first
