"""Every knob of one relay, checked once: where it listens, where it forwards, its limits.

The teacher's upstream key and token are kept out of the repr and registered as secrets,
so no message, log line or traceback shows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal
from urllib.parse import urlsplit

from .._net import is_loopback
from .._secrets import register_secret
from ..errors import BadValueError

LOCAL: Final = "local"
MAX_BODY_BYTES: Final = 48 * 1024 * 1024  # a 30 MB reference video as base64 (40 MB) fits
MAX_CONNECTIONS: Final = 256  # uvicorn answers 503 past this many open connections


@dataclass(frozen=True)
class RelayConfig:
    """One relay: ``upstream`` is ``"local"`` (an engine it starts) or a Runware-compatible URL."""

    roster: Path
    teacher_token: str = field(repr=False)
    upstream: str = LOCAL
    upstream_key: str | None = field(default=None, repr=False)  # for a URL upstream
    db: Path = Path("relay.sqlite")
    host: str = "127.0.0.1"
    port: int = 0
    public: bool = False  # required to bind a host other than loopback
    public_url: str | None = None  # scheme://host:port in result URLs (behind a proxy)
    max_in_flight: int = 4  # open tasks per student; past it a submit gets 429
    retry_after: float = 5.0  # seconds a refused (429) student is asked to wait
    max_body: int = MAX_BODY_BYTES
    max_connections: int = MAX_CONNECTIONS
    poll_interval: float = 0.5  # seconds between the relay's polls of the upstream
    cache_seconds: float = 24 * 3600.0  # how long an identical request reuses a result
    local_delay: float = 3.0  # the local engine: seconds a clip reads "processing"
    local_render: Literal["full", "tiny"] = "full"

    def __post_init__(self) -> None:
        register_secret(self.teacher_token)
        register_secret(self.upstream_key)
        problems = []
        if len(self.teacher_token) < 8:
            problems.append("the teacher token must have at least 8 characters")
        if not (is_loopback(self.host) or self.public):
            problems.append(f"refusing to bind {self.host}: not loopback; add --public")
        if self.upstream != LOCAL:
            parts = urlsplit(self.upstream)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                problems.append(f"upstream {self.upstream!r}: 'local' or an http(s) URL")
            if not self.upstream_key:
                problems.append("a URL upstream needs the teacher's key in RUNWARE_API_KEY")
        if self.max_in_flight < 1 or self.max_body < 1024 or self.max_connections < 1:
            problems.append("max_in_flight, max_body and max_connections must be positive")
        if self.poll_interval <= 0 or self.retry_after <= 0:
            problems.append("poll_interval and retry_after must be positive")
        if problems:
            raise BadValueError("; ".join(problems))

    @property
    def media_dir(self) -> Path:
        """Where the relay keeps the result files it serves itself (beside the ledger)."""
        return self.db.with_name(self.db.stem + "-media")
