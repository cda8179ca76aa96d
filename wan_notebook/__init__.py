"""wan-notebook: Alibaba Wan 2.6 video generation (Runware API) in Jupyter.

``%load_ext wan_notebook`` registers the ``%%wan`` magic. Without a Runware key everything
runs against the bundled local engine, a Runware-compatible server that renders real
(clearly labelled) preview videos.
"""

from __future__ import annotations

from typing import Any

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

__all__ = [
    "APIError",
    "Ack",
    "AlibabaSettings",
    "ApiErrorItem",
    "AuthenticationError",
    "BudgetExceededError",
    "FrameImage",
    "Inputs",
    "InsufficientCreditError",
    "InvalidRequestError",
    "JobCancelledError",
    "JobTimeoutError",
    "NetworkError",
    "Processing",
    "ProviderSettings",
    "RateLimitError",
    "Safety",
    "ServerError",
    "Settings",
    "TaskFailedError",
    "VideoRequest",
    "VideoResult",
    "WanError",
    "__version__",
    "configure",
    "get_settings",
    "load_ipython_extension",
    "unload_ipython_extension",
]


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext wan_notebook``: register the magics (imported only now, to load fast)."""
    from .magics import load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    from .magics import unload

    unload(ipython)
