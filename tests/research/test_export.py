"""``export_dataset()``: a folder that opens with pandas and with Hugging Face ``datasets``."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.research.conftest import EngineVideos
from tests.wan_fixtures import Wan
from wan_notebook.errors import ExportError
from wan_notebook.research import export_dataset, results_frame

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")


def test_the_dataset_round_trips_through_pandas(
    engine_videos: EngineVideos, tmp_path: Path
) -> None:
    table = export_dataset(tmp_path / "ds")
    assert table == tmp_path / "ds" / "results.parquet"
    back = pd.read_parquet(table)
    original = results_frame(metrics=True)
    assert list(back.columns) == list(original.columns)
    assert (back.dtypes == original.dtypes).all()
    assert not [c for c, t in back.dtypes.items() if t is object or t == "object"]
    # The same rows; only the paths now point into the dataset folder.
    assert back["path"].str.startswith("media/").all()
    pd.testing.assert_frame_equal(back.drop(columns="path"), original.drop(columns="path"))
    for path, digest in zip(back["path"], back["sha256"], strict=True):
        data = (tmp_path / "ds" / path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest


def test_the_manifest_carries_the_provenance(engine_videos: EngineVideos, tmp_path: Path) -> None:
    export_dataset(tmp_path / "ds")
    manifest = json.loads((tmp_path / "ds" / "manifest.json").read_text())
    assert manifest["format"] == "wan-notebook-dataset" and manifest["rows"] == 3
    assert manifest["table"] == "results.parquet" and manifest["columns"]["seed"] == "Int64"
    packages = manifest["packages"]
    assert packages["wan-notebook"] and packages["pandas"] == pd.__version__
    assert {"python", "av", "numpy", "pyarrow", "scipy", "pyloudnorm"} <= set(packages)
    items = {item["request"].get("seed"): item for item in manifest["items"]}
    multi = items[3]
    assert multi["task_uuid"] == engine_videos.multi.task_uuid
    assert multi["request"]["taskUUID"] == engine_videos.multi.task_uuid
    assert multi["model"] == "alibaba:wan@2.6" and multi["prompt_extend"] is True
    assert items[1]["prompt_extend"] is None  # not sent
    probe = multi["probe"]
    assert probe["video_codec"] == "h264" and probe["audio_codec"] is None
    assert (probe["width"], probe["height"]) == (1280, 720)
    assert items[1]["probe"]["audio_codec"] == "aac"
    for item in manifest["items"]:
        assert (tmp_path / "ds" / item["file"]).is_file()
        sidecar = json.loads((tmp_path / "ds" / item["sidecar"]).read_text())
        assert sidecar["task_uuid"] == item["task_uuid"]
    assert engine_videos.media_dir.name not in json.dumps(manifest)  # nothing points back


def test_the_dataset_loads_with_hugging_face_datasets(
    engine_videos: EngineVideos, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    datasets = pytest.importorskip("datasets")
    table = export_dataset(tmp_path / "ds")
    loaded = datasets.load_dataset(
        "parquet", data_files=str(table), split="train", cache_dir=str(tmp_path / "hf")
    )
    assert loaded.num_rows == 3
    assert sorted(loaded["seed"]) == [1, 2, 3]
    assert loaded.features["flicker"].dtype == "float64"
    assert loaded.features["has_audio"].dtype == "bool"
    assert loaded.features["created"].dtype.startswith("timestamp")


def test_an_existing_dataset_is_kept_unless_overwrite(
    engine_videos: EngineVideos, tmp_path: Path
) -> None:
    export_dataset(tmp_path / "ds", metrics=False)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        export_dataset(tmp_path / "ds")
    export_dataset(tmp_path / "ds", overwrite=True, text="lighthouse")
    assert len(pd.read_parquet(tmp_path / "ds" / "results.parquet")) == 1


def test_a_copy_that_does_not_match_its_sha256_is_removed(
    engine_videos: EngineVideos, tmp_path: Path
) -> None:
    # A stored file changed after it was recorded: the export refuses it.
    source = engine_videos.multi.results[0].path
    original = source.read_bytes()
    try:
        source.write_bytes(original[:-10] + b"x" * 10)
        with pytest.raises(ExportError, match="sha256 of the copy"):
            export_dataset(tmp_path / "ds", metrics=False, text="lighthouse")
        assert list((tmp_path / "ds" / "media").iterdir()) == []
    finally:
        source.write_bytes(original)


def test_wrong_arguments_are_named(wan: Wan, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="format='csv'; allowed: parquet"):
        export_dataset(tmp_path / "ds", format="csv")
    with pytest.raises(TypeError, match="folder must be a path"):
        export_dataset(3)  # type: ignore[arg-type]
