"""Where requests go and how they are sent: backend, key, URL, media folder, poll policy.

Read from the environment when first needed (so a key set after import still counts), and
changed with ``configure()``, ``%wan config`` or ``%config WanMagics``. The key lives only
here, in memory; it is registered with ``_secrets`` so that nothing ever prints it.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal, get_args

from ._secrets import mask, register_secret
from .request import catalog
from .request.catalog import Resolution

# Which backend the settings ask for (``client.Backend`` is the one resolved from them).
BackendName = Literal["auto", "local", "runware"]
RUNWARE_URL = "https://api.runware.ai/v1"


@dataclass(frozen=True)
class Settings:
    """Every knob of the client. Environment names are given per field."""

    backend: BackendName = "auto"  # WAN_BACKEND; auto = runware when a key is set, else local
    api_key: str | None = field(default=None, repr=False)  # RUNWARE_API_KEY
    base_url: str = RUNWARE_URL  # WAN_BASE_URL (a Runware-compatible server)
    media_dir: Path = Path("wan_media")  # WAN_MEDIA_DIR, relative to the notebook
    poll_first: float = 1.0  # seconds before the first poll of a new task
    poll_min: float = 0.25  # WAN_POLL_MIN: shortest gap between polls
    poll_max: float = 5.0  # WAN_POLL_MAX: longest gap between polls
    request_timeout: float = 60.0  # seconds per HTTP request
    download_stall_s: float = 30.0  # WAN_DOWNLOAD_STALL_S: under 64 KB in this long = a stall
    max_attempts: int = 6  # tries per HTTP request on 408/429/5xx and network faults
    backoff_base: float = 0.5  # seconds: first retry waits up to this (full jitter, x2 per try)
    backoff_max: float = 30.0  # seconds: cap of one retry wait (a Retry-After may ask for more)
    batch_size: int = 64  # tasks per POST
    job_timeout: float = 3600.0  # seconds job.wait() waits by default
    budget_usd: float | None = None  # WAN_BUDGET_USD: per-session spending cap
    local_delay: float | None = None  # WAN_LOCAL_DELAY: simulated seconds per clip (local engine)
    # WAN_DEFAULT_RESOLUTION: the tier sent when a request gives no size or preset (1280x720
    # for 720p; a frame image alone is sent with this resolution): the estimate is the price.
    default_resolution: Resolution = catalog.DEFAULT_RESOLUTION

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{f.name}={mask(self.api_key) if f.name == 'api_key' else repr(getattr(self, f.name))}"
            for f in fields(self)
        )
        return f"Settings({shown})"

    @property
    def resolved_backend(self) -> Literal["local", "runware"]:
        if self.backend == "auto":
            return "runware" if self.api_key else "local"
        return self.backend

    def public(self) -> dict[str, Any]:
        """The settings as shown to a person: the key masked."""
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["api_key"] = mask(self.api_key)
        out["backend"] = f"{self.backend} -> {self.resolved_backend}"
        out["media_dir"] = str(self.media_dir)
        return out


_lock = threading.Lock()
_current: Settings | None = None


def _float_env(name: str) -> float | None:
    raw = os.environ.get(name)
    return float(raw) if raw not in (None, "") else None


def _resolution(value: Any, name: str) -> Resolution:
    if value not in catalog.RESOLUTIONS:
        raise ValueError(f"{name}={value!r}: allowed: {', '.join(catalog.RESOLUTIONS)}")
    return value  # type: ignore[no-any-return]


def from_env() -> Settings:
    key = os.environ.get("RUNWARE_API_KEY") or None
    register_secret(key)
    values: dict[str, Any] = {"api_key": key}
    backend = os.environ.get("WAN_BACKEND")
    if backend:
        allowed = get_args(BackendName)
        if backend not in allowed:
            raise ValueError(f"WAN_BACKEND={backend!r}: allowed: {', '.join(allowed)}")
        values["backend"] = backend
    if os.environ.get("WAN_BASE_URL"):
        values["base_url"] = os.environ["WAN_BASE_URL"]
    tier = os.environ.get("WAN_DEFAULT_RESOLUTION")
    if tier:
        values["default_resolution"] = _resolution(tier, "WAN_DEFAULT_RESOLUTION")
    if os.environ.get("WAN_MEDIA_DIR"):
        values["media_dir"] = Path(os.environ["WAN_MEDIA_DIR"])
    for env, name in (
        ("WAN_BUDGET_USD", "budget_usd"),
        ("WAN_LOCAL_DELAY", "local_delay"),
        ("WAN_POLL_MIN", "poll_min"),
        ("WAN_POLL_MAX", "poll_max"),
        ("WAN_DOWNLOAD_STALL_S", "download_stall_s"),
    ):
        number = _float_env(env)
        if number is not None:
            values[name] = number
    return Settings(**values)


def get_settings() -> Settings:
    """The current settings, read from the environment on first use."""
    global _current
    with _lock:
        if _current is None:
            _current = from_env()
        return _current


def configure(**changes: Any) -> Settings:
    """Change some settings for this session; returns the new settings."""
    global _current
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(changes) - known)
    if unknown:
        raise TypeError(
            f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    if "default_resolution" in changes:
        _resolution(changes["default_resolution"], "default_resolution")
    if "media_dir" in changes and changes["media_dir"] is not None:
        changes["media_dir"] = Path(changes["media_dir"])
    if changes.get("api_key"):
        register_secret(changes["api_key"])
    base = get_settings()
    with _lock:
        _current = replace(base, **changes)
        return _current


def reset() -> None:
    """Forget changes; the next ``get_settings()`` reads the environment again."""
    global _current
    with _lock:
        _current = None
