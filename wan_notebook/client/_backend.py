"""Where requests go: settings resolved to a base URL, a key and a label people see.

``local`` starts (or reuses) the embedded local engine, a Runware-compatible server in a
child process; its results are labelled "local preview engine" everywhere. ``runware`` is
the real API, or any Runware-compatible server given by ``base_url``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from .._secrets import register_secret
from ..errors import AuthenticationError
from ..settings import RUNWARE_URL, Settings, get_settings

LOCAL_LABEL = "local preview engine"
RUNWARE_LABEL = "Runware"


@dataclass(frozen=True)
class Backend:
    kind: Literal["local", "runware"]
    base_url: str
    api_key: str = field(repr=False)
    label: str

    @property
    def cache_scope(self) -> str:
        """What cached results are keyed by: a preview must never answer for the real API.
        Local engines get a new port per run, so they share one scope."""
        return "local" if self.kind == "local" else self.base_url


def resolve(settings: Settings | None = None) -> Backend:
    """The backend the settings ask for; starts the local engine when needed."""
    s = settings or get_settings()
    if s.resolved_backend == "local":
        from ..local.launcher import ensure_engine  # heavy: only when the local engine is used

        handle = ensure_engine(delay=s.local_delay)  # the engine reads no settings
        register_secret(handle.api_key)
        return Backend("local", handle.base_url, handle.api_key, LOCAL_LABEL)
    if not s.api_key:
        raise AuthenticationError(
            "no API key for the Runware backend",
            hint="Set RUNWARE_API_KEY or run %wan login; or use backend='local'.",
        )
    register_secret(s.api_key)
    return Backend("runware", s.base_url.rstrip("/"), s.api_key, _label(s.base_url))


def _label(base_url: str) -> str:
    if base_url.rstrip("/") == RUNWARE_URL:
        return RUNWARE_LABEL
    host = urlsplit(base_url).netloc or base_url
    return f"Runware-compatible server at {host}"
