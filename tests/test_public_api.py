"""The public surface, pinned: ``__all__``, ``dir()`` and the lazy table agree exactly.

In the manner of httpx's ``tests/test_exported_members.py``: a name added to or dropped
from the package's one table (``_EXPORTS``) must be added to or dropped from this list too.
"""

from __future__ import annotations

import sys

import pytest

import wan_notebook
from tests.fresh_imports import loaded_by_import

DOCUMENTED = {
    # errors
    "WanError",
    "APIError",
    "AuthenticationError",
    "BudgetExceededError",
    "InsufficientCreditError",
    "InvalidRequestError",
    "JobCancelledError",
    "JobTimeoutError",
    "MissingExtraError",
    "NetworkError",
    "RateLimitError",
    "ServerError",
    "TaskFailedError",
    # the request
    "VideoRequest",
    "AlibabaSettings",
    "FrameImage",
    "Inputs",
    "ProviderSettings",
    "Safety",
    # settings
    "Settings",
    "configure",
    "get_settings",
    # answers and transport
    "Ack",
    "ApiErrorItem",
    "AsyncRunwareClient",
    "Processing",
    "VideoResult",
    # results
    "Result",
    "export_history",
    # jobs
    "Job",
    "JobGroup",
    "arecover",
    "generate",
    "generate_many",
    "recover",
    "seed_sweep",
    # research
    "VideoMetrics",
    "cached_metrics",
    "export_dataset",
    "metrics",
    "results_frame",
    # live views
    "Builder",
    "GridView",
    "compare",
    "grid",
    "history",
    # extension hooks and version
    "load_ipython_extension",
    "unload_ipython_extension",
    "__version__",
}

LAZY = {
    "Ack": "client",
    "ApiErrorItem": "client",
    "AsyncRunwareClient": "client",
    "Processing": "client",
    "VideoResult": "client",
    "Result": "store",
    "export_history": "store",
    "Job": "jobs",
    "JobGroup": "jobs",
    "arecover": "jobs",
    "generate": "jobs",
    "generate_many": "jobs",
    "recover": "jobs",
    "seed_sweep": "jobs",
    "VideoMetrics": "research",
    "cached_metrics": "research",
    "export_dataset": "research",
    "metrics": "research",
    "results_frame": "research",
    "Builder": "widgets.builder",
    "GridView": "widgets.grid_view",
    "compare": "widgets.grid_view",
    "grid": "widgets.grid_view",
    "history": "widgets.gallery",
}


def test_all_is_exactly_the_documented_names() -> None:
    assert set(wan_notebook.__all__) == DOCUMENTED
    assert list(wan_notebook.__all__) == sorted(wan_notebook.__all__)


def test_lazy_table_is_exactly_the_lazy_names() -> None:
    assert dict(wan_notebook._LAZY) == LAZY


def test_dir_lists_every_public_name_and_nothing_else_public() -> None:
    listed = {name for name in dir(wan_notebook) if not name.startswith("_")}
    assert listed == DOCUMENTED - {"__version__"}
    assert "__version__" in dir(wan_notebook)


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_every_exported_name_resolves_to_its_defining_unit(name: str) -> None:
    value = getattr(wan_notebook, name)
    assert value is not None
    unit = LAZY.get(name)
    if unit is not None:
        module = sys.modules[f"wan_notebook.{unit}"]
        assert getattr(module, name) is value


def test_public_names_are_exactly_all() -> None:
    public = {n for n in vars(wan_notebook) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(wan_notebook, n)).__name__ == "module"}
    # Resolved lazy names land in the namespace too; anything else public must be exported.
    assert public - modules - {"annotations", "importlib", "TYPE_CHECKING", "Any", "Final"} <= set(
        wan_notebook.__all__
    )


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="does_not_exist"):
        wan_notebook.does_not_exist  # noqa: B018


def test_import_does_not_load_network_storage_or_widgets() -> None:
    heavy = ("httpx", "sqlite3", "tenacity", "anywidget", "ipywidgets", "av")
    assert loaded_by_import("wan_notebook", heavy) == []
