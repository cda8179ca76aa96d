"""Shared by the local engine's tests: a tiny-mode engine client, inputs as data URIs."""

from __future__ import annotations

import base64

import pytest

from tests.conftest import EngineApi


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


@pytest.fixture
def tiny(engine, api) -> EngineApi:
    return api(engine(render_mode="tiny"))
