"""Shared by the local engine's tests: a tiny-mode engine client, inputs as data URIs, and
smaller renders for tests of what does not depend on the picture's size."""

from __future__ import annotations

import base64
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EngineApi
from wan_notebook.local.render import RenderInfo, RenderSpec, render


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


@pytest.fixture
def tiny(engine, api) -> EngineApi:
    return api(engine(render_mode="tiny"))


@pytest.fixture
def small_renders(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process engines started after this render each clip at a quarter of its width and
    height, same length, rate, format and sound (1280x720 becomes 320x180)."""

    def renderer(spec: RenderSpec, path: Path, *, progress: Any = None) -> RenderInfo:
        width, height = spec.width // 8 * 2, spec.height // 8 * 2  # even, as yuv420p needs
        return render(replace(spec, width=width, height=height), path, progress=progress)

    monkeypatch.setattr("wan_notebook.local.engine.render", renderer)
