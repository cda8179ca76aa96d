"""Result files: names built from our own values, and JSON sidecars beside them."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from wan_notebook.store import Store
from wan_notebook.store._media_files import slug


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "media")


def test_media_file_names_follow_the_pattern(store: Store) -> None:
    when = time.mktime((2026, 3, 1, 14, 5, 9, 0, 0, -1))
    path = store.media_path(
        prompt="A red fox, running through SNOW at dawn -- cinematic, 35mm film look",
        seed=42, video_uuid="1f2e3d4c-aaaa-bbbb-cccc-000000000000", ext="MP4", when=when,
    )  # fmt: skip
    assert path.parent == store.media_dir
    assert path.name == "20260301-140509_a-red-fox-running-through-snow-at-dawn-c_42_1f2e3d4c.mp4"
    stem_slug = path.name.split("_")[1]
    assert len(stem_slug) <= 40


def test_media_file_names_never_use_server_text_as_a_path(store: Store) -> None:
    path = store.media_path(prompt="../../etc", seed=None, video_uuid="../../x/..", ext="../mp4")
    assert path.parent == store.media_dir
    assert re.fullmatch(r"\d{8}-\d{6}_etc_noseed_x\.mp4", path.name)


def test_a_taken_file_name_gets_a_suffix(store: Store) -> None:
    first = store.media_path(prompt="fox", seed=1, video_uuid="abc", ext="mp4", when=1e9)
    first.write_bytes(b"x")
    second = store.media_path(prompt="fox", seed=1, video_uuid="abc", ext="mp4", when=1e9)
    assert second != first and second.stem.endswith("-1")


def test_slug_is_short_lower_case_and_safe() -> None:
    assert slug("Hello, World!") == "hello-world"
    assert slug("日本語") == "video"
    assert len(slug("x" * 100)) == 40


def test_sidecars_are_json_beside_the_media_file(store: Store) -> None:
    media_file = store.media_dir / "clip.mp4"
    media_file.write_bytes(b"v")
    sidecar = store.write_sidecar(media_file, {"request": {"seed": 3}})
    assert sidecar.name == "clip.mp4.json"
    assert json.loads(sidecar.read_text())["request"] == {"seed": 3}
    assert sorted(p.name for p in store.media_dir.iterdir() if p.suffix != ".sqlite3"
                  and "sqlite3" not in p.name) == ["clip.mp4", "clip.mp4.json"]  # fmt: skip


@pytest.mark.parametrize(
    ("extend", "billed", "actual"),
    [(None, 0.5011, 0.5011), (False, 0.5, 0.5), (True, float("nan"), None), (None, None, None)],
)
def test_a_sidecar_records_prompt_extend_and_the_estimate_beside_the_actual_cost(
    store: Store, extend: bool | None, billed: float | None, actual: float | None
) -> None:
    from wan_notebook.store._media_files import manifest
    from wan_notebook.store._results import Result

    task: dict = {"positivePrompt": "x", "width": 1280, "height": 720, "duration": 5}
    if extend is not None:
        task["providerSettings"] = {"alibaba": {"promptExtend": extend}}
    media_file = store.media_dir / "clip.mp4"
    media_file.write_bytes(b"v")
    result = Result("t", "v", None, media_file, seed=1, cost=billed)
    info = manifest(task=task, result=result, response={}, engine="local", timings={}, version="0")
    sidecar = json.loads(store.write_sidecar(media_file, info).read_text())  # valid JSON
    assert sidecar["prompt_extend"] is (extend is not False)  # the API's default is on
    assert sidecar["cost"] == {"estimated": 0.5, "actual": actual}
