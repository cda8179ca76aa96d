"""The tests' shared render cache: a copy is the render, and engines in child processes use it."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import EngineApi
from tests.render_cache import ENV, SITE_DIR, CachedRenderer, spec_key
from wan_notebook.local.launcher import start_engine
from wan_notebook.local.render import RenderSpec, render

TINY = RenderSpec(width=96, height=64, duration=0.5, prompt="a cached harbour", seed=4)


def test_a_copy_has_the_bytes_and_info_of_a_real_render(tmp_path: Path) -> None:
    cached = CachedRenderer(tmp_path / "cache")
    (tmp_path / "cache").mkdir()
    seen: list[float] = []
    first = cached(TINY, tmp_path / "first.mp4")
    second = cached(TINY, tmp_path / "second.mp4", progress=seen.append)
    real = render(TINY, tmp_path / "real.mp4")
    assert cached.renders == 1
    # The copy is the render the cache made. A fresh render of the same spec is the same
    # clip, but not always the same bytes: x264 encodes of identical MP4 frames differed in
    # 9 of 60 tries here, so only the header facts and the plan are compared with it.
    assert (tmp_path / "second.mp4").read_bytes() == (tmp_path / "first.mp4").read_bytes()
    assert second.path == tmp_path / "second.mp4" and first.path == tmp_path / "first.mp4"
    ignore = {"path": None, "seconds_taken": 0.0, "bytes": 0}
    assert replace(second, **ignore) == replace(first, **ignore)
    assert replace(second, **ignore) == replace(real, **ignore)  # the plan included
    assert seen == [1.0]


def test_inputs_count_by_content_not_by_path(tmp_path: Path) -> None:
    a, b, c = (tmp_path / name for name in ("a.png", "b.png", "c.png"))
    Image.new("RGB", (96, 64), (30, 90, 160)).save(a)
    Image.new("RGB", (96, 64), (30, 90, 160)).save(b)
    Image.new("RGB", (96, 64), (200, 40, 40)).save(c)
    keys = [spec_key(replace(TINY, first_frame=p)) for p in (a, b, c)]
    assert keys[0] == keys[1] != keys[2]
    assert spec_key(TINY) != spec_key(replace(TINY, seed=5))


def test_an_engine_child_process_renders_through_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    # start_engine's child inherits this environment, so it runs tests/_site/sitecustomize.py.
    monkeypatch.setenv(ENV, str(folder))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(SITE_DIR), str(SITE_DIR.parents[1])]))
    handle = start_engine(delay=0.0, render_mode="tiny")
    api = EngineApi(handle)
    try:
        items = api.wait(api.submit(duration=5, seed=1))
        assert [i["status"] for i in items] == ["success"]
    finally:
        api.close()
        handle.stop()
    assert len(list(folder.glob("*.video"))) == 1
    assert len(list(folder.glob("*.info"))) == 1
