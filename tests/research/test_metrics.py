"""``metrics(source)``: sources, the journal cache, wrong arguments, and the optional extra."""

from __future__ import annotations

import importlib.util
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.research.clips import Clip, write
from tests.research.conftest import EngineVideos
from tests.wan_fixtures import Wan
from wan_notebook.errors import MissingExtraError, WanError
from wan_notebook.jobs import generate
from wan_notebook.research import VideoMetrics, _measure, _metrics, cached_metrics, metrics
from wan_notebook.research._cache import MetricsCache
from wan_notebook.store import Result, Store

pytest.importorskip("scipy")

HEAVY = ("numpy", "scipy", "pandas", "pyarrow", "pyloudnorm", "imagehash", "av", "PIL")


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return write(Clip(seconds=2, cuts=(20,), sound="tone"), tmp_path / "clip.mp4")


@pytest.fixture
def count_measures(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    seen: list[Path] = []
    real = _measure.measure

    def counting(path: Path) -> VideoMetrics:
        seen.append(path)
        return real(path)

    monkeypatch.setattr(_metrics, "measure", counting)
    return seen


def test_a_file_is_measured_once_then_read_from_the_journal(
    wan: Wan, clip: Path, count_measures: list[Path]
) -> None:
    assert cached_metrics(clip) is None
    first = metrics(clip)
    assert metrics(str(clip)) == first and cached_metrics(clip) == first
    assert count_measures == [clip]
    MetricsCache.close_all()  # a new kernel: the journal still has it
    assert metrics(clip) == first and count_measures == [clip]
    assert metrics(clip, refresh=True) == first and len(count_measures) == 2
    with sqlite3.connect(Store.open(wan.media_dir).path) as db:
        (count,) = db.execute("SELECT COUNT(*) FROM metrics").fetchone()
    assert count == 1


def test_the_cache_is_keyed_by_content_not_by_path(
    wan: Wan, clip: Path, tmp_path: Path, count_measures: list[Path]
) -> None:
    copy = tmp_path / "elsewhere" / "same.mp4"
    copy.parent.mkdir()
    copy.write_bytes(clip.read_bytes())
    assert metrics(copy) == metrics(clip)
    assert count_measures == [copy]


def test_a_result_is_read_by_its_recorded_sha256(wan: Wan, clip: Path, count_measures) -> None:
    result = Result(task_uuid="t", video_uuid="v", url=None, path=clip, sha256="ab" * 32)
    by_result = metrics(result)
    assert isinstance(by_result, VideoMetrics) and by_result.shot_count == 2
    assert metrics(result) == by_result and len(count_measures) == 1
    assert cached_metrics(clip) is None  # the file's own hash was never computed


def test_a_job_is_its_first_result_and_a_group_one_per_result(
    engine_videos: EngineVideos, count_measures: list[Path]
) -> None:
    by_job = metrics(engine_videos.multi)
    assert by_job == metrics(engine_videos.multi.results[0]) and by_job.shot_count >= 2
    by_group = metrics(engine_videos.sweep)
    assert isinstance(by_group, list) and len(by_group) == 2
    assert [m.phash for m in by_group] != [by_group[0].phash] * 2
    # Files other tests measured already come from the journal; none is measured twice.
    assert len(count_measures) == len(set(count_measures)) <= 3


def test_a_job_without_a_video_says_to_wait(wan: Wan, engine) -> None:
    wan.use(engine(delay=5.0, render_mode="tiny"))
    job = generate("a slow one", size="1280x720", seed=9)
    try:
        with pytest.raises(ValueError, match="no video yet"):
            metrics(job)
    finally:
        job.cancel()


@pytest.mark.parametrize("source", [3, None, b"clip.mp4", ["a.mp4"]])
def test_another_kind_of_source_is_a_type_error(wan: Wan, source) -> None:
    with pytest.raises(TypeError, match="source must be a path, a Result, a Job or a JobGroup"):
        metrics(source)


def test_refresh_must_be_a_bool(wan: Wan, clip: Path) -> None:
    with pytest.raises(TypeError, match="refresh"):
        metrics(clip, refresh="yes")  # type: ignore[arg-type]


def test_a_missing_or_broken_file_is_named(wan: Wan, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no video file"):
        metrics(tmp_path / "gone.mp4")
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video at all" * 100)
    with pytest.raises(WanError, match=r"broken\.mp4: cannot decode"):
        metrics(broken)


def test_without_the_extra_metrics_names_the_pip_line(
    wan: Wan, clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pyloudnorm" else real(name)
    )
    with pytest.raises(MissingExtraError) as caught:
        metrics(clip)
    assert 'pip install "wan-notebook[research]"' in str(caught.value)
    assert caught.value.missing == ("pyloudnorm",) and isinstance(caught.value, ImportError)


def test_load_ext_and_the_research_layer_import_none_of_the_extra() -> None:
    code = textwrap.dedent(f"""
        import sys
        from IPython.core.interactiveshell import InteractiveShell
        InteractiveShell.instance().run_line_magic("load_ext", "wan_notebook")
        from wan_notebook.research import metrics, results_frame, export_dataset
        print(sorted(m for m in {HEAVY!r} if m in sys.modules))
    """)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
