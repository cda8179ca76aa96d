"""The renderer's tests share clips: each spec is rendered once for the whole package."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from tests.local.render.clips import SMALL
from wan_notebook.local.render import RenderSpec, render
from wan_notebook.request import catalog


@pytest.fixture(scope="package")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """Render a spec once per package (several tests look at the same clips)."""
    folder = tmp_path_factory.mktemp("clips")
    done: dict[RenderSpec, Path] = {}

    def make(spec: RenderSpec = SMALL, **changes: object) -> Path:
        spec = replace(spec, **changes)
        if spec not in done:
            done[spec] = folder / f"clip{len(done)}{catalog.FORMATS[spec.fmt][0]}"
            render(spec, done[spec])
        return done[spec]

    return make
