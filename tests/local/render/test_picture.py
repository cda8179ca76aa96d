"""The picture: seeds and prompts change it, it moves smoothly, cuts, first frame and label."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

from tests.local.render.clips import SMALL, cuts, frame_jumps, frames
from wan_notebook.local.render import render


def test_another_seed_gives_a_visibly_different_video(clip: Callable[..., Path]) -> None:
    one, two = frames(clip(seed=1)), frames(clip(seed=2))
    assert np.abs(one.astype(np.int16) - two).mean() > 20


def test_another_prompt_gives_a_different_video(clip: Callable[..., Path]) -> None:
    one, two = frames(clip()), frames(clip(prompt="lava flowing at sunset"))
    assert np.abs(one.astype(np.int16) - two).mean() > 10


def test_frames_move_smoothly(clip: Callable[..., Path]) -> None:
    jumps = frame_jumps(frames(clip()))
    assert jumps.min() > 0.05  # animated: every frame changes
    assert jumps.max() < 6  # but no jumps within a single shot


def test_multi_shot_has_hard_cuts(clip: Callable[..., Path]) -> None:
    found = cuts(frames(clip(shot_type="multi", duration=5)))
    assert 1 <= len(found) <= 3


def test_single_shot_has_no_cuts(clip: Callable[..., Path]) -> None:
    assert cuts(frames(clip(shot_type="single", duration=5))) == []


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".webp"])
def test_first_frame_is_the_image_then_the_clip_moves_away(tmp_path: Path, suffix: str) -> None:
    picture = Image.new("RGB", (900, 700), (30, 90, 160))
    draw = ImageDraw.Draw(picture)
    for i in range(8):
        draw.ellipse(
            (i * 110, 150 + 30 * (i % 3), i * 110 + 160, 330), fill=(250 - 20 * i, 200, 60)
        )
    draw.rectangle((200, 450, 700, 600), fill=(240, 240, 240))
    source = tmp_path / f"first{suffix}"
    picture.save(source, quality=95)
    out = tmp_path / "clip.mp4"
    render(replace(SMALL, duration=2, first_frame=source), out)

    with Image.open(source) as im:
        expected = np.asarray(ImageOps.fit(im.convert("RGB"), (640, 360)), dtype=np.int16)
    video = frames(out, size=None)
    assert np.abs(video[0] - expected).mean() < 4  # frame 0 is the (cover-cropped) image
    assert np.abs(video[-1] - expected).mean() > 15  # and the clip animates away from it
    assert frame_jumps(video).max() < 8  # smoothly


def test_label_is_drawn_legibly_in_a_corner(clip: Callable[..., Path]) -> None:
    labelled = frames(clip(), size=None)[::12]
    bare = frames(clip(label=""), size=None)[::12]
    changed = np.abs(labelled.astype(np.int16) - bare).max(axis=(0, 3)) > 40
    rows, cols = np.nonzero(changed)
    assert changed.sum() > 1000  # a real label, not encoder noise
    assert rows.max() < 360 / 6 and cols.max() < 640 / 2  # confined to the top-left corner
    box = labelled[:, : rows.max() + 1, : cols.max() + 1].mean(axis=3)
    assert (box.max(axis=(1, 2)) - box.min(axis=(1, 2))).min() > 150  # white on dark: legible


def test_the_label_names_the_size_and_its_true_ratio() -> None:
    from wan_notebook.local.render._picture import size_label

    assert size_label(1088, 832) == "1088x832 17:13"  # not 4:3: 1088/832 = 17/13
    assert size_label(1248, 1632) == "1248x1632 13:17"
    assert size_label(1920, 1080) == "1920x1080 16:9"
    assert size_label(640, 360) == "640x360 16:9"
