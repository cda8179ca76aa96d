"""wan-notebook: Alibaba Wan 2.6 video generation (Runware API) in Jupyter.

``%load_ext wan_notebook`` registers the ``%%wan`` magic. Without a Runware key everything
runs against the bundled local engine, a Runware-compatible server that renders real
(clearly labelled) preview videos.

The public names below come from one table, ``_EXPORTS`` (name -> the subpackage that
defines it); ``__all__``, ``__dir__`` and the lazy ``__getattr__`` are all derived from it,
and ``tests/test_public_api.py`` pins them. Only ``errors``, ``settings`` and the request
model load with the package: the rest pull in httpx, sqlite and IPython, and
``%load_ext`` must stay fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

from ._version import __version__
from .errors import (
    APIError,
    AuthenticationError,
    BudgetExceededError,
    InsufficientCreditError,
    InvalidRequestError,
    JobCancelledError,
    JobTimeoutError,
    MissingExtraError,
    NetworkError,
    RateLimitError,
    ServerError,
    TaskFailedError,
    WanError,
)
from .request import AlibabaSettings, FrameImage, Inputs, ProviderSettings, Safety, VideoRequest
from .settings import Settings, configure, get_settings

if TYPE_CHECKING:
    from .client import Ack, ApiErrorItem, AsyncRunwareClient, Processing, VideoResult
    from .jobs import Job, JobGroup, arecover, generate, generate_many, recover, seed_sweep
    from .research import VideoMetrics, cached_metrics, export_dataset, metrics, results_frame
    from .store import Result, export_history
    from .widgets.builder import Builder
    from .widgets.gallery import history
    from .widgets.grid_view import GridView, compare, grid

# name -> defining unit; "" means loaded with the package (imported above).
_EXPORTS: Final[dict[str, str]] = {
    "__version__": "",
    # errors
    "WanError": "",
    "APIError": "",
    "AuthenticationError": "",
    "BudgetExceededError": "",
    "InsufficientCreditError": "",
    "InvalidRequestError": "",
    "JobCancelledError": "",
    "JobTimeoutError": "",
    "MissingExtraError": "",
    "NetworkError": "",
    "RateLimitError": "",
    "ServerError": "",
    "TaskFailedError": "",
    # the request
    "VideoRequest": "",
    "AlibabaSettings": "",
    "FrameImage": "",
    "Inputs": "",
    "ProviderSettings": "",
    "Safety": "",
    # settings
    "Settings": "",
    "configure": "",
    "get_settings": "",
    # the API's answers and the transport
    "Ack": "client",
    "ApiErrorItem": "client",
    "AsyncRunwareClient": "client",
    "Processing": "client",
    "VideoResult": "client",
    # results and their history
    "Result": "store",
    "export_history": "store",
    # jobs
    "Job": "jobs",
    "JobGroup": "jobs",
    "arecover": "jobs",
    "generate": "jobs",
    "generate_many": "jobs",
    "recover": "jobs",
    "seed_sweep": "jobs",
    # research: measurements and data out
    "VideoMetrics": "research",
    "cached_metrics": "research",
    "export_dataset": "research",
    "metrics": "research",
    "results_frame": "research",
    # live views
    "Builder": "widgets.builder",
    "GridView": "widgets.grid_view",
    "compare": "widgets.grid_view",
    "grid": "widgets.grid_view",
    "history": "widgets.gallery",
    # the IPython extension
    "load_ipython_extension": "",
    "unload_ipython_extension": "",
}

_LAZY: Final[dict[str, str]] = {name: unit for name, unit in _EXPORTS.items() if unit}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    unit = _LAZY.get(name)
    if unit is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{unit}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    # The public names (loaded or not) and the module's dunders; no helper imports.
    return sorted({*__all__, *(name for name in globals() if name.startswith("__"))})


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext wan_notebook``: register the magics (imported only now, to load fast)."""
    from .magics import load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext wan_notebook``: remove the magics and their event hooks."""
    from .magics import unload

    unload(ipython)
