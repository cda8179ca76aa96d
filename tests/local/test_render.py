"""The local engine's renderer: real files, checked by probing and decoding them.

Nothing here trusts RenderInfo: streams are read back with ffprobe (an independent tool) or
decoded with PyAV. Most clips are small and short to keep the suite quick on 2 cores; the
format test renders the real default, 1280x720 for 5 s with audio.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import shutil
import subprocess
import wave
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

from wan_notebook.local.render import FORMAT_EXT, FORMAT_MIME, RenderSpec, probe, render
from wan_notebook.request import catalog

SMALL = RenderSpec(width=640, height=360, duration=3, audio=False, prompt="a quiet harbour", seed=1)


# --------------------------------------------------------------------------- helpers


def ffprobe(path: Path) -> dict:
    if shutil.which("ffprobe") is None:
        pytest.skip("ffprobe is not installed")
    out = subprocess.run(
        [
            "ffprobe", "-v", "error", "-of", "json", "-count_packets",
            "-show_entries",
            "format=format_name,duration:stream=codec_type,codec_name,width,height,"
            "avg_frame_rate,sample_rate,channels,pix_fmt,nb_read_packets",
            str(path),
        ],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(out)


def stream_end(path: Path, kind: str) -> float:
    """Where a stream's last packet ends, in seconds (WEBM streams carry no duration)."""
    end = 0.0
    with av.open(str(path)) as container:
        stream = getattr(container.streams, kind)[0]
        for packet in container.demux(stream):
            if packet.pts is not None:
                end = max(end, float((packet.pts + packet.duration) * packet.time_base))
    return end


def frames(path: Path, size: tuple[int, int] | None = (160, 90)) -> np.ndarray:
    """Decoded RGB frames, (n, h, w, 3); shrunk by default so whole clips fit in memory."""
    with av.open(str(path)) as container:
        out = []
        for frame in container.decode(video=0):
            if size is not None:
                frame = frame.reformat(size[0], size[1], interpolation="AREA")
            out.append(frame.to_ndarray(format="rgb24"))
    return np.stack(out)


def frame_hashes(path: Path) -> list[str]:
    with av.open(str(path)) as container:
        return [
            hashlib.sha256(b"".join(bytes(p) for p in f.planes)).hexdigest()
            for f in container.decode(video=0)
        ]


def audio_pcm(path: Path) -> tuple[np.ndarray, int]:
    """Decoded audio as (channels, samples) float, and its sample rate."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        chunks = [f.to_ndarray() for f in container.decode(stream)]
        rate = stream.codec_context.sample_rate
    return np.concatenate(chunks, axis=1).astype(np.float64), rate


def frame_jumps(clip: np.ndarray) -> np.ndarray:
    """Mean absolute difference between consecutive frames, 0-255 scale."""
    return np.abs(np.diff(clip.astype(np.int16), axis=0)).mean(axis=(1, 2, 3))


def cuts(clip: np.ndarray) -> list[int]:
    jumps = frame_jumps(clip)
    return [i + 1 for i, j in enumerate(jumps) if j > 12 and j > 6 * np.median(jumps)]


def mean_shift(clip: np.ndarray) -> float:
    """Average horizontal motion between consecutive frames (px), by phase correlation."""
    luma = clip.mean(axis=3)
    shifts = []
    for a, b in itertools.pairwise(luma):
        cross = np.fft.fft2(b - b.mean()) * np.conj(np.fft.fft2(a - a.mean()))
        corr = np.abs(np.fft.ifft2(cross / (np.abs(cross) + 1e-9)))
        _, dx = np.unravel_index(np.argmax(corr), corr.shape)
        shifts.append(dx - corr.shape[1] if dx > corr.shape[1] / 2 else dx)
    return float(np.mean(shifts))


def write_tone(path: Path, freq: float, seconds: float, rate: int = 44_100) -> None:
    t = np.arange(round(seconds * rate)) / rate
    pcm = (0.5 * 32767 * np.sin(2 * np.pi * freq * t)).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def dominant_frequency(mono: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
    return float(np.fft.rfftfreq(len(mono), 1 / rate)[np.argmax(spectrum)])


def write_reference(path: Path, still: int = 36, moving: int = 36, speed: int = 6) -> None:
    """A textured clip: still for `still` frames, then panning right by `speed` px a frame."""
    rng = np.random.default_rng(7)
    texture = Image.fromarray((rng.random((45, 200)) * 255).astype(np.uint8))
    texture = np.asarray(texture.resize((1600, 360), Image.Resampling.BICUBIC))
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=24, options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = 640, 360, "yuv420p"
        for i in range(still + moving):
            x = 800 - speed * max(0, i - still)  # content moves right as the window moves left
            grey = np.ascontiguousarray(texture[:, x : x + 640])
            frame = av.VideoFrame.from_ndarray(np.stack([grey] * 3, axis=-1), format="rgb24")
            frame.pts = i
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """Render a spec once per module (several tests look at the same clips)."""
    folder = tmp_path_factory.mktemp("clips")
    done: dict[RenderSpec, Path] = {}

    def make(spec: RenderSpec = SMALL, **changes: object) -> Path:
        spec = replace(spec, **changes)
        if spec not in done:
            done[spec] = folder / f"clip{len(done)}{FORMAT_EXT[spec.fmt]}"
            render(spec, done[spec])
        return done[spec]

    return make


# --------------------------------------------------------------------------- containers


@pytest.mark.parametrize(
    ("fmt", "container", "video", "audio"),
    [
        ("MP4", "mov,mp4,m4a,3gp,3g2,mj2", "h264", "aac"),
        ("WEBM", "matroska,webm", "vp9", "opus"),
        ("MOV", "mov,mp4,m4a,3gp,3g2,mj2", "h264", "aac"),
    ],
)
def test_each_format_has_its_codecs_and_container(
    tmp_path: Path, fmt: str, container: str, video: str, audio: str
) -> None:
    out = tmp_path / f"clip{FORMAT_EXT[fmt]}"
    info = render(RenderSpec(1280, 720, 5, fmt=fmt, prompt="night market", seed=42), out)

    found = ffprobe(out)
    assert found["format"]["format_name"] == container
    streams = {s["codec_type"]: s for s in found["streams"]}
    assert set(streams) == {"video", "audio"}
    assert streams["video"]["codec_name"] == video
    assert (streams["video"]["width"], streams["video"]["height"]) == (1280, 720)
    assert streams["video"]["avg_frame_rate"] == "24/1"
    assert streams["video"]["pix_fmt"] == "yuv420p"
    assert int(streams["video"]["nb_read_packets"]) == 120
    assert streams["audio"]["codec_name"] == audio
    assert (streams["audio"]["sample_rate"], streams["audio"]["channels"]) == ("48000", 2)
    assert float(found["format"]["duration"]) == pytest.approx(5, abs=0.1)
    assert stream_end(out, "audio") == pytest.approx(5, abs=0.1)
    assert stream_end(out, "video") == pytest.approx(5, abs=0.1)
    # RenderInfo and probe() agree with ffprobe.
    assert (info.video_codec, info.audio_codec, info.frames) == (video, audio, 120)
    assert info.bytes == out.stat().st_size
    assert probe(out)["format"] == container


def test_mp4_is_faststart(clip: Callable[..., Path]) -> None:
    data = clip(audio=True).read_bytes()
    assert 0 <= data.find(b"moov") < data.find(b"mdat")  # the browser can start playing at once


def test_format_tables_cover_every_output_format() -> None:
    assert set(FORMAT_EXT) == set(FORMAT_MIME) == set(catalog.OUTPUT_FORMATS)
    assert FORMAT_MIME["WEBM"] == "video/webm"


@pytest.mark.parametrize(("width", "height"), list(catalog.SIZES.values()))
def test_every_wan_size_renders_at_that_size(tmp_path: Path, width: int, height: int) -> None:
    out = tmp_path / "clip.mp4"
    render(RenderSpec(width, height, duration=0.25, audio=False), out)  # 6 frames is plenty
    video = next(s for s in ffprobe(out)["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (width, height)


@pytest.mark.parametrize("seconds", catalog.DURATIONS)
def test_video_and_audio_last_the_requested_duration(tmp_path: Path, seconds: int) -> None:
    out = tmp_path / "clip.mp4"
    render(RenderSpec(320, 180, seconds), out)
    assert float(ffprobe(out)["format"]["duration"]) == pytest.approx(seconds, abs=0.1)
    assert stream_end(out, "video") == pytest.approx(seconds, abs=0.1)
    assert stream_end(out, "audio") == pytest.approx(seconds, abs=0.1)
    assert probe(out)["frames"] == seconds * 24


def test_audio_off_writes_no_audio_stream(clip: Callable[..., Path]) -> None:
    streams = ffprobe(clip(audio=False))["streams"]
    assert [s["codec_type"] for s in streams] == ["video"]


def test_generated_soundtrack_is_audible_and_stereo(clip: Callable[..., Path]) -> None:
    pcm, rate = audio_pcm(clip(audio=True))
    assert rate == 48_000
    assert pcm.shape[0] == 2
    rms = float(np.sqrt(np.mean(pcm**2)))
    assert 0.02 < rms < 0.5
    assert np.abs(pcm).max() < 1.0


# --------------------------------------------------------------------------- audio input


@pytest.mark.parametrize("input_seconds", [2.0, 8.0])
def test_audio_input_replaces_the_soundtrack_cut_or_padded(
    tmp_path: Path, input_seconds: float
) -> None:
    tone = tmp_path / "tone.wav"
    write_tone(tone, 660.0, input_seconds)
    out = tmp_path / "clip.webm"
    render(replace(SMALL, fmt="WEBM", duration=4, audio_input=tone), out)

    assert stream_end(out, "audio") == pytest.approx(4, abs=0.1)
    pcm, rate = audio_pcm(out)
    mono = pcm.mean(axis=0)
    assert dominant_frequency(mono[int(0.2 * rate) : int(1.8 * rate)], rate) == pytest.approx(
        660, abs=5
    )
    tail = mono[int(2.5 * rate) : int(3.8 * rate)]
    tail_rms = float(np.sqrt(np.mean(tail**2)))
    if input_seconds < 4:
        assert tail_rms < 0.01  # padded with silence after the input ends
    else:
        assert dominant_frequency(tail, rate) == pytest.approx(660, abs=5)


# --------------------------------------------------------------------------- content


def test_same_spec_decodes_to_identical_frames(clip: Callable[..., Path], tmp_path: Path) -> None:
    again = tmp_path / "again.mp4"
    render(SMALL, again)
    assert frame_hashes(clip()) == frame_hashes(again)


def test_same_spec_writes_identical_bytes(clip: Callable[..., Path], tmp_path: Path) -> None:
    spec = replace(SMALL, fmt="WEBM", duration=1, audio=True, shot_type="multi")
    again = tmp_path / "again.webm"
    render(spec, again)
    assert clip(spec).read_bytes() == again.read_bytes()


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


def test_reference_video_drives_the_motion(clip: Callable[..., Path], tmp_path: Path) -> None:
    reference = tmp_path / "reference.mp4"
    write_reference(reference)  # still for 1.5 s, then panning right
    plain = frames(clip())
    driven = frames(clip(reference_videos=(reference,)))

    assert np.abs(plain.astype(np.int16) - driven).mean() > 5
    # The clip moves more while the reference moves than while it is still, and the plain
    # clip shows no such step.
    jumps, plain_jumps = frame_jumps(driven), frame_jumps(plain)
    ratio = jumps[40:70].mean() / jumps[5:34].mean()
    assert ratio > 2 * plain_jumps[40:70].mean() / plain_jumps[5:34].mean()
    # ...and the same way: content slides right, as in the reference.
    assert mean_shift(driven[40:70]) > 0.5 + mean_shift(plain[40:70])


def test_label_is_drawn_legibly_in_a_corner(clip: Callable[..., Path]) -> None:
    labelled = frames(clip(), size=None)[::12]
    bare = frames(clip(label=""), size=None)[::12]
    changed = np.abs(labelled.astype(np.int16) - bare).max(axis=(0, 3)) > 40
    rows, cols = np.nonzero(changed)
    assert changed.sum() > 1000  # a real label, not encoder noise
    assert rows.max() < 360 / 6 and cols.max() < 640 / 2  # confined to the top-left corner
    box = labelled[:, : rows.max() + 1, : cols.max() + 1].mean(axis=3)
    assert (box.max(axis=(1, 2)) - box.min(axis=(1, 2))).min() > 150  # white on dark: legible


# --------------------------------------------------------------------------- API behaviour


def test_render_info_matches_the_file(tmp_path: Path) -> None:
    out = tmp_path / "clip.mov"
    info = render(replace(SMALL, fmt="MOV", audio=True), out)
    found = probe(out)
    assert info.path == out
    assert (info.width, info.height, info.fps, info.frames) == (640, 360, 24.0, 72)
    assert (info.video_codec, info.audio_codec) == (found["video_codec"], found["audio_codec"])
    assert info.duration == pytest.approx(3, abs=0.1)
    assert info.bytes == out.stat().st_size
    assert info.seconds_taken > 0
    assert (found["sample_rate"], found["channels"]) == (48_000, 2)


def test_progress_rises_to_one(tmp_path: Path) -> None:
    seen: list[float] = []
    render(replace(SMALL, duration=1), tmp_path / "clip.mp4", progress=seen.append)
    assert len(seen) == 25
    assert seen == sorted(seen)
    assert 0 < seen[0] < 0.1
    assert seen[-1] == 1.0


def test_failed_render_leaves_no_file(tmp_path: Path) -> None:
    def cancel(fraction: float) -> None:
        if fraction > 0.5:
            raise KeyboardInterrupt

    out = tmp_path / "clip.mp4"
    out.write_bytes(b"older result")
    with pytest.raises(KeyboardInterrupt):
        render(replace(SMALL, duration=1), out, progress=cancel)
    assert out.read_bytes() == b"older result"  # replaced only when complete
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mp4"]  # no temporary left


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


def test_probe_rejects_a_file_that_is_not_media(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"nope" * 100)
    with pytest.raises(ValueError, match="cannot probe"):
        probe(junk)
