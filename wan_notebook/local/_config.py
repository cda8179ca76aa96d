"""Every knob of one local engine (``EngineConfig``), and how the engine names itself."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

from ._checks import require
from .faults import FaultConfig

RenderMode = Literal["full", "tiny", "small"]
Renderer = Callable[..., object]  # render(spec, out_path, *, progress=...)

ENGINE_NAME: Final = "wan-notebook local engine"
ENGINE_NOTE: Final = "local preview engine — not Wan 2.6"


@dataclass(frozen=True)
class EngineConfig:
    """Every knob of one engine. The key is kept out of the repr."""

    api_key: str = field(repr=False)
    delay: float = 3.0  # minimum seconds a generation reads "processing"
    workers: int | None = None  # render threads; None = os.cpu_count()
    http_workers: int = 32  # threads serving HTTP requests (idle connections need none)
    credit: float | None = None  # USD balance; None = unlimited
    render_mode: RenderMode = "full"  # tiny: load tests; small: the real render at 1/4 size
    progress: bool = True  # send the progress field on processing items
    ttl_scale: float = 1.0  # multiply every ttl (tests use 0.01 instead of waiting 60 s)
    media_dir: Path | None = None  # None = a temporary folder removed at close
    fetch_timeout: float = 5.0  # seconds per input URL fetch
    faults: FaultConfig = field(default_factory=FaultConfig)

    def __post_init__(self) -> None:
        for name, types, what in _KNOB_TYPES:
            require(getattr(self, name), types, name, what)
        require(self.faults, FaultConfig, "faults", "a FaultConfig")
        given: object = self.media_dir  # a str is fine too (the hint says Path)
        if isinstance(given, str):
            object.__setattr__(self, "media_dir", Path(given))
        if self.delay < 0 or self.ttl_scale <= 0 or self.fetch_timeout <= 0:
            raise ValueError("delay must be >= 0; ttl_scale and fetch_timeout > 0")
        if self.render_mode not in ("full", "tiny", "small"):
            raise ValueError("render_mode: 'full', 'tiny' or 'small'")
        if self.workers is not None and self.workers < 1:
            raise ValueError("workers must be >= 1")
        if self.http_workers < 1:
            raise ValueError("http_workers must be >= 1")


# Numbers given as strings (or True) must fail here, naming the knob, not deep in a thread.
_KNOB_TYPES: Final = (
    ("delay", (int, float), "a number of seconds"),
    ("workers", (int, type(None)), "an int or None"),
    ("http_workers", int, "an int"),
    ("credit", (int, float, type(None)), "a number or None"),
    ("ttl_scale", (int, float), "a number"),
    ("fetch_timeout", (int, float), "a number of seconds"),
    ("media_dir", (str, os.PathLike, type(None)), "a path or None"),
)
