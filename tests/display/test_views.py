"""Live job views bound to real jobs on the local engine, and the static fallback HTML."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.wan_checks import wait_until
from wan_notebook import VideoRequest
from wan_notebook.display import DryRun, JobView, browser_urls, static_html
from wan_notebook.display import _views as views
from wan_notebook.jobs import _job as jobs

PROMPT = 'A fox <script>alert("x")</script> & friends'


@pytest.fixture
def done_job(engine, wan, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(wan.media_dir.parent)
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


def test_static_fallback_is_a_few_kb_whatever_the_video_size(done_job) -> None:
    video_bytes = Path(done_job.results[0].path).stat().st_size
    page = static_html(done_job)
    assert len(page.encode()) < 20_000 < video_bytes


def test_job_view_follows_the_job_and_shows_a_player_when_done(engine, wan) -> None:
    wan.use(engine(delay=0.5))
    job = jobs.generate("a heron in fog", size="1280x720", seed=2)
    view = JobView(job)
    assert view.card.status in ("queued", "submitted", "processing")
    job.wait(60)
    wait_until(lambda: view.card.status == "done", timeout=10)
    assert view.card.cost == pytest.approx(0.5)
    assert view.card.finished_at >= view.card.started_at > 0
    [player] = view.box.children[1:]
    assert player.seed == 2 and player.duration == pytest.approx(5.0, abs=0.1)
    assert player.width == 1280 and player.download_name.endswith(".mp4")


def test_cancel_button_message_cancels_the_job(engine, wan) -> None:
    wan.use(engine(delay=30))
    job = jobs.generate("a slow glacier", size="1280x720", seed=3)
    view = JobView(job)
    wait_until(lambda: job.status in ("submitted", "processing"), timeout=10)
    view.card._handle_message(view.card, {"type": "cancel"}, [])
    wait_until(lambda: view.card.status == "cancelled", timeout=10)
    assert job.status == "cancelled"


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
    views._server.cache_clear()
    try:
        src, fallback = browser_urls(video)
    finally:
        views._server.cache_clear()
    assert src == "/user/ada/files/course/wan_media/a%20b.mp4"
    assert fallback == "wan_media/a b.mp4"


def test_browser_urls_without_a_server_are_relative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "none"))
    monkeypatch.chdir(tmp_path)
    views._server.cache_clear()
    try:
        assert browser_urls(tmp_path / "wan_media" / "v.mp4") == ("wan_media/v.mp4", "")
    finally:
        views._server.cache_clear()


def test_dry_run_shows_exact_json_and_cost() -> None:
    shown = DryRun(
        VideoRequest.build("a <b>bold</b> fox", size="1920x1080", duration=10), seeds=[1, 2]
    )
    assert [t["seed"] for t in shown.tasks] == [1, 2]
    assert shown.estimated_cost == pytest.approx(3.0)
    page = shown._repr_html_()
    assert page.startswith('<pre class="wan-dry-run">') and "<b>" not in page
    assert "a &lt;b&gt;bold&lt;/b&gt; fox" in page
    assert "$3.00" in repr(shown) and "2 tasks" in repr(shown)
