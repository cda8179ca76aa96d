"""Measurements against videos whose truth is known (made by ``clips.write``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.research.clips import Clip, irregular_events, write
from wan_notebook.research._measure import VideoMetrics, measure

pytest.importorskip("scipy")
pytest.importorskip("pyloudnorm")
pytest.importorskip("imagehash")

FPS = 24


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clips")


def measured(folder: Path, name: str, clip: Clip) -> VideoMetrics:
    return measure(write(clip, folder / f"{name}.mp4"))


@pytest.mark.parametrize(
    "cuts",
    [(), (30,), (30, 71, 100), (12, 20, 90)],
    ids=["one-shot", "two-shots", "four-shots", "short-shot"],
)
def test_cut_times_are_within_two_frames_and_shot_count_is_exact(folder: Path, cuts) -> None:
    m = measured(folder, f"cuts{len(cuts)}", Clip(seconds=5, cuts=cuts, pan=2.0))
    assert m.shot_count == len(cuts) + 1
    assert len(m.cut_times) == len(cuts)
    for measured_s, frame in zip(m.cut_times, cuts, strict=True):
        assert abs(measured_s - frame / FPS) <= 2 / FPS


def test_a_fast_pan_and_strong_flicker_are_not_cuts(folder: Path) -> None:
    assert measured(folder, "pan", Clip(seconds=3, pan=9.0)).shot_count == 1
    flickering = measured(folder, "strobe", Clip(seconds=3, cuts=(36,), flicker=0.3))
    assert flickering.cut_times == pytest.approx((36 / FPS,), abs=2 / FPS)


def test_flicker_rises_with_the_flicker_of_the_picture(folder: Path) -> None:
    levels = [0.0, 0.01, 0.03, 0.08, 0.2]
    scores = [
        measured(folder, f"flicker{level}", Clip(seconds=3, cuts=(40,), flicker=level)).flicker
        for level in levels
    ]
    assert all(s is not None for s in scores)
    assert scores == sorted(scores) and len(set(scores)) == len(scores), scores
    assert scores[0] < 0.2  # a steady picture (with a pan and a cut) scores near zero


def test_motion_rises_with_the_speed_of_the_pan(folder: Path) -> None:
    speeds = [0.0, 1.0, 4.0]
    motion = [measured(folder, f"pan{s}", Clip(seconds=2, pan=s)).motion for s in speeds]
    assert motion[0] is not None and motion[0] < 0.1
    assert motion == sorted(motion) and len(set(motion)) == 3, motion


@pytest.mark.parametrize("sound", ["none", "silence", "tone"])
def test_loudness_is_none_exactly_when_there_is_no_audio(folder: Path, sound) -> None:
    m = measured(folder, f"sound-{sound}", Clip(seconds=2, sound=sound))
    assert m.has_audio is (sound != "none")
    assert (m.loudness_lufs is None) is (sound == "none")
    assert (m.silence_ratio is None) is (sound == "none")
    if sound == "silence":
        assert m.loudness_lufs == -70.0 and m.silence_ratio == 1.0
        assert m.av_offset_ms is None
    if sound == "tone":  # a -20 dBFS sine in both channels: -20 LUFS (BS.1770)
        assert m.loudness_lufs == pytest.approx(-20.0, abs=1.0)
        assert m.silence_ratio == 0.0


@pytest.mark.parametrize("offset_ms", [0, 200, 500, -200])
def test_av_offset_is_within_80_ms_of_the_true_offset(folder: Path, offset_ms: int) -> None:
    events = irregular_events(6.0)
    clip = Clip(seconds=6, events=events, sound="clicks", offset_s=offset_ms / 1000)
    m = measured(folder, f"sync{offset_ms}", clip)
    assert m.av_offset_ms is not None
    assert abs(m.av_offset_ms - offset_ms) <= 80


def test_av_offset_is_none_when_sound_and_picture_share_no_events(folder: Path) -> None:
    m = measured(folder, "tone-pan", Clip(seconds=4, pan=2.0, sound="tone"))
    assert m.has_audio and m.av_offset_ms is None


def test_the_stream_facts_and_the_phash(folder: Path) -> None:
    a = measured(folder, "facts-a", Clip(seconds=2.5, size=(256, 144), seed=1))
    again = measured(folder, "facts-a-again", Clip(seconds=2.5, size=(256, 144), seed=1))
    other = measured(folder, "facts-b", Clip(seconds=2.5, size=(256, 144), seed=2))
    assert (a.width, a.height, a.fps) == (256, 144, 24.0)
    assert a.duration_s == pytest.approx(2.5, abs=0.05)
    assert len(a.phash) == 16 and int(a.phash, 16) >= 0
    assert a.phash == again.phash
    distance = bin(int(a.phash, 16) ^ int(other.phash, 16)).count("1")
    assert distance > 10  # other colours and texture: another picture


def test_to_dict_round_trips(folder: Path) -> None:
    m = measured(folder, "dict", Clip(seconds=2, cuts=(20,), sound="tone"))
    data = m.to_dict()
    assert data["cut_times"] == list(m.cut_times) and isinstance(data["cut_times"], list)
    assert VideoMetrics.from_dict(data) == m
