"""``results_frame()`` over real local-engine results: typed columns and a parquet round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.research.conftest import MULTI_PROMPT, PROMPT, EngineVideos
from tests.wan_fixtures import Wan
from wan_notebook.research import metrics, results_frame
from wan_notebook.research._frame import COLUMNS, METRIC_COLUMNS

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

TEXT = ("task_uuid", "video_uuid", "prompt", "negative_prompt", "size", "shot_type", "format",
        "model", "engine", "path", "sha256", "phash")  # fmt: skip


def _no_untyped_columns(frame) -> None:
    assert not [c for c, t in frame.dtypes.items() if t is object or t == "object"], frame.dtypes
    for column in TEXT:
        if column in frame:
            assert frame[column].dtype == "string", column


def test_one_typed_row_per_result_with_what_was_sent(engine_videos: EngineVideos) -> None:
    frame = results_frame()
    assert list(frame.columns) == list(COLUMNS)
    _no_untyped_columns(frame)
    assert len(frame) == 3
    assert str(frame["created"].dtype).endswith(", UTC]")
    by_seed = frame.set_index("seed")
    assert list(frame["seed"]) == [1, 2, 3]  # in the order the tasks were made
    for job in engine_videos.jobs:
        (result,) = job.results
        row = by_seed.loc[result.seed]
        assert row["task_uuid"] == job.task_uuid and row["video_uuid"] == result.video_uuid
        assert row["path"] == str(result.path) and row["sha256"] == result.sha256
        assert row["bytes"] == result.bytes and row["size"] == "1280x720"
        assert row["duration"] == 5 and row["format"] == "MP4"
        assert row["model"] == "alibaba:wan@2.6" and row["engine"] == job.engine
        assert row["estimated_cost"] == pytest.approx(job.estimated_cost)
        assert row["cost"] == pytest.approx(result.cost)
    multi = by_seed.loc[3]
    assert multi["prompt"] == MULTI_PROMPT and multi["negative_prompt"] == "blurry"
    assert (multi["shot_type"], multi["prompt_extend"], multi["audio"]) == ("multi", True, False)
    single = by_seed.loc[1]
    assert single["prompt"] == PROMPT
    # Not sent: the API's default applies, and the frame says unknown.
    assert all(
        single[c] is pd.NA for c in ("negative_prompt", "shot_type", "prompt_extend", "audio")
    )


def test_with_metrics_the_measured_columns_follow(engine_videos: EngineVideos) -> None:
    frame = results_frame(metrics=True)
    assert list(frame.columns) == [*COLUMNS, *METRIC_COLUMNS]
    _no_untyped_columns(frame)
    by_seed = frame.set_index("seed")
    assert by_seed.loc[3, "shot_count"] >= 2  # the engine cut the multi-shot video
    assert by_seed.loc[1, "shot_count"] == 1
    assert json.loads(by_seed.loc[3, "cut_times"]) == list(metrics(engine_videos.multi).cut_times)
    assert not by_seed.loc[3, "has_audio"] and by_seed.loc[3, "loudness_lufs"] is pd.NA
    assert by_seed.loc[1, "has_audio"] and -40 < by_seed.loc[1, "loudness_lufs"] < -5
    assert (by_seed["width"] == 1280).all() and (by_seed["height"] == 720).all()
    assert by_seed.loc[1, "phash"] != by_seed.loc[2, "phash"]


def test_the_frame_round_trips_through_parquet(engine_videos: EngineVideos, tmp_path: Path) -> None:
    frame = results_frame(metrics=True)
    frame.to_parquet(tmp_path / "results.parquet")
    back = pd.read_parquet(tmp_path / "results.parquet")
    pd.testing.assert_frame_equal(back, frame)


def test_filters_are_the_history_filters(engine_videos: EngineVideos) -> None:
    assert list(results_frame(text="lighthouse")["seed"]) == [3]
    assert len(results_frame(limit=1)) == 1  # the task that finished last
    assert results_frame(max_cost=0.01).empty
    assert len(results_frame(since=0)) == 3


def test_an_empty_folder_gives_an_empty_typed_frame(wan: Wan) -> None:
    frame = results_frame(metrics=True)
    assert frame.empty and list(frame.columns) == [*COLUMNS, *METRIC_COLUMNS]
    _no_untyped_columns(frame)


@pytest.mark.parametrize(
    ("arguments", "name"),
    [
        ({"limit": "3"}, "limit"),
        ({"limit": True}, "limit"),
        ({"text": 3}, "text"),
        ({"since": "today"}, "since"),
        ({"metrics": "yes"}, "metrics"),
        ({"media_dir": 3}, "media_dir"),
    ],
)
def test_wrong_types_name_the_argument(wan: Wan, arguments, name) -> None:
    with pytest.raises(TypeError, match=f"results_frame\\(\\): {name} must be"):
        results_frame(**arguments)
