"""Test-only start-up hook: this process's local engines render through the run's cache.

Python imports ``sitecustomize`` at start-up from ``PYTHONPATH``; tests/browser/conftest.py puts
this folder there, so Jupyter servers, kernels and the engines they start as child
processes inherit it. With ``WAN_RENDER_CACHE`` naming a folder, ``wan_notebook.local.engine``
gets ``tests.render_cache.CachedRenderer`` as its renderer the moment it is imported (nothing
is imported before that, so other processes start as fast as before). See tests/render_cache.py.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

_ENGINE = "wan_notebook.local.engine"


class _CachedEngineRenders(MetaPathFinder):
    """Finds nothing itself: wraps the engine module's loader to swap its renderer."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> ModuleSpec | None:
        if fullname != _ENGINE:
            return None
        sys.meta_path.remove(self)  # once, and so the lookup below finds the real module
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        loader: Any = spec.loader
        exec_module = loader.exec_module

        def exec_and_swap(module: ModuleType) -> None:
            exec_module(module)
            from tests.render_cache import CachedRenderer

            module.render = CachedRenderer(os.environ[_VAR])

        loader.exec_module = exec_and_swap
        return spec


_VAR = "WAN_RENDER_CACHE"
if os.environ.get(_VAR) and _ENGINE not in sys.modules:
    sys.meta_path.insert(0, _CachedEngineRenders())
