"""The static fallback HTML of a finished job, and the URLs the browser loads media from."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.render_cache import cached_renders
from wan_notebook import jobs
from wan_notebook.display import _static, browser_urls, static_html

PROMPT = 'A fox <script>alert("x")</script> & friends'


@pytest.fixture
def done_job(engine, wan, monkeypatch: pytest.MonkeyPatch, tmp_path_factory):
    monkeypatch.chdir(wan.media_dir.parent)
    with cached_renders(tmp_path_factory):  # both tests' job is the same spec: one render
        wan.use(engine(), media_dir=Path("wan_media"))
    job = jobs.generate(PROMPT, size="1280x720", seed=5)
    job.wait(60)
    return job


def test_static_fallback_has_video_poster_metadata_and_escaped_prompt(done_job) -> None:
    page = static_html(done_job)
    assert f'data-wan-task="{done_job.task_uuid}"' in page
    src = re.search(r'<video src="([^"]+)"', page)
    assert src and src.group(1).startswith("wan_media/") and Path(src.group(1)).is_file()
    assert 'poster="data:image/jpeg;base64,' in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "seed 5" in page and "1280x720" in page
    # The estimate beside what was billed, as the live card says it (issue 11).
    assert f"est. ${done_job.estimated_cost:.2f} · billed $" in page


def test_static_fallback_is_a_few_kb_whatever_the_video_size(done_job) -> None:
    video_bytes = Path(done_job.results[0].path).stat().st_size
    page = static_html(done_job)
    assert len(page.encode()) < 20_000 < video_bytes


def test_browser_urls_use_the_servers_files_route(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "root"
    (root / "course" / "wan_media").mkdir(parents=True)
    video = root / "course" / "wan_media" / "a b.mp4"
    video.write_bytes(b"x")
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    (runtime / "jpserver-1.json").write_text(
        json.dumps({"root_dir": str(root), "base_url": "/user/ada/", "pid": 1})
    )
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(runtime))
    monkeypatch.chdir(root / "course")
    _static._server.cache_clear()
    try:
        src, fallback = browser_urls(video)
    finally:
        _static._server.cache_clear()
    assert src == "/user/ada/files/course/wan_media/a%20b.mp4"
    assert fallback == "wan_media/a b.mp4"


def test_browser_urls_without_a_server_are_relative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "none"))
    monkeypatch.chdir(tmp_path)
    _static._server.cache_clear()
    try:
        assert browser_urls(tmp_path / "wan_media" / "v.mp4") == ("wan_media/v.mp4", "")
    finally:
        _static._server.cache_clear()
