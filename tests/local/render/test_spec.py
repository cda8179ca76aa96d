"""The spec: equal specs give equal frames; a bad field or input file is named in the error."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from tests.local.render.clips import SMALL, frame_hashes, write_reference
from wan_notebook.local.render import render


def test_same_spec_decodes_to_identical_frames(clip: Callable[..., Path], tmp_path: Path) -> None:
    again = tmp_path / "again.mp4"
    render(SMALL, again)
    assert frame_hashes(clip()) == frame_hashes(again)


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("fmt", {"fmt": "AVI"}),
        ("width", {"width": 641}),
        ("height", {"height": 0}),
        ("duration", {"duration": 0}),
        ("quality", {"quality": 5}),
        ("shot_type", {"shot_type": "montage"}),
        ("first_frame", {"first_frame": "junk"}),
        ("first_frame", {"first_frame": "missing"}),
        ("reference_videos[0]", {"reference_videos": ("junk",)}),
        ("reference_videos[1]", {"reference_videos": ("ok", "missing")}),
        ("audio_input", {"audio_input": "junk"}),
        ("audio_input", {"audio_input": "ok"}),  # a video without an audio stream
    ],
)
def test_bad_spec_or_input_raises_value_error_naming_the_field(
    tmp_path: Path, field: str, changes: dict
) -> None:
    (tmp_path / "junk").write_bytes(b"\x00not media at all" * 64)
    write_reference(tmp_path / "ok", still=3, moving=0)
    files = {"junk": tmp_path / "junk", "missing": tmp_path / "missing", "ok": tmp_path / "ok"}

    def as_path(value: object) -> object:
        if isinstance(value, tuple):
            return tuple(files[v] for v in value)
        return files.get(value, value) if isinstance(value, str) else value

    spec = replace(SMALL, **{"duration": 0.5, **{k: as_path(v) for k, v in changes.items()}})
    out = tmp_path / "clip.mp4"
    with pytest.raises(ValueError, match="^" + re.escape(field)):
        render(spec, out)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk", "ok"]


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"width": "640"}, "width"),
        ({"duration": None}, "duration"),
        ({"seed": True}, "seed"),
        ({"prompt": 3}, "prompt"),
        ({"first_frame": 7}, "first_frame"),
        ({"reference_videos": (None,)}, r"reference_videos\[0\]"),
    ],
)
def test_a_field_of_the_wrong_type_raises_type_error_naming_it(
    tmp_path: Path, changes: dict, named: str
) -> None:
    with pytest.raises(TypeError, match="^" + named + ": expected"):
        render(replace(SMALL, **changes), tmp_path / "clip.mp4")
    assert not list(tmp_path.iterdir())


def test_wrong_argument_types_raise_type_error_naming_the_argument(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"^spec: expected a RenderSpec"):
        render({"width": 640}, tmp_path / "clip.mp4")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^out_path: expected a path"):
        render(SMALL, 42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^progress: expected a callable"):
        render(SMALL, tmp_path / "clip.mp4", progress=0.5)  # type: ignore[arg-type]
