"""wan-notebook: Alibaba Wan 2.6 video generation (Runware API) in Jupyter.

``%load_ext wan_notebook`` registers the ``%%wan`` magic. Without a Runware key everything
runs against the bundled local engine, a Runware-compatible server that renders real
(clearly labelled) preview videos.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import (
    APIError,
    AuthenticationError,
    BudgetExceededError,
    InsufficientCreditError,
    InvalidRequestError,
    JobCancelledError,
    JobTimeoutError,
    NetworkError,
    RateLimitError,
    ServerError,
    TaskFailedError,
    WanError,
)
from .models import AlibabaSettings, FrameImage, Inputs, ProviderSettings, Safety, VideoRequest
from .responses import Ack, ApiErrorItem, Processing, VideoResult
from .settings import Settings, configure, get_settings

if TYPE_CHECKING:
    from .client import AsyncRunwareClient
    from .export import export_history
    from .grids import GridView, compare, grid
    from .jobs import (
        Job,
        JobGroup,
        arecover,
        generate,
        generate_many,
        recover,
        seed_sweep,
    )
    from .store import Result
    from .widgets.builder import Builder
    from .widgets.gallery import history

# Exported lazily (module __getattr__): they pull in httpx and sqlite, and %load_ext must
# stay fast.
_LAZY = {
    "AsyncRunwareClient": "client",
    "Job": "jobs",
    "JobGroup": "jobs",
    "Result": "store",
    "arecover": "jobs",
    "generate": "jobs",
    "generate_many": "jobs",
    "history": "widgets.gallery",
    "Builder": "widgets.builder",
    "GridView": "grids",
    "compare": "grids",
    "export_history": "export",
    "grid": "grids",
    "recover": "jobs",
    "seed_sweep": "jobs",
}

__all__ = [
    "APIError",
    "Ack",
    "AlibabaSettings",
    "ApiErrorItem",
    "AsyncRunwareClient",
    "AuthenticationError",
    "BudgetExceededError",
    "Builder",
    "FrameImage",
    "GridView",
    "Inputs",
    "InsufficientCreditError",
    "InvalidRequestError",
    "Job",
    "JobCancelledError",
    "JobGroup",
    "JobTimeoutError",
    "NetworkError",
    "Processing",
    "ProviderSettings",
    "RateLimitError",
    "Result",
    "Safety",
    "ServerError",
    "Settings",
    "TaskFailedError",
    "VideoRequest",
    "VideoResult",
    "WanError",
    "__version__",
    "arecover",
    "compare",
    "configure",
    "export_history",
    "generate",
    "generate_many",
    "get_settings",
    "grid",
    "history",
    "load_ipython_extension",
    "recover",
    "seed_sweep",
    "unload_ipython_extension",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext wan_notebook``: register the magics (imported only now, to load fast)."""
    from .magics import load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    from .magics import unload

    unload(ipython)
