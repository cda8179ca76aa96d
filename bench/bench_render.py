"""How fast the local engine renders, against an encode-only floor measured in the same run.

    python bench/bench_render.py

Each figure is the median of 3 runs. "cpu" is user+system time of this process (all
threads), which is steadier than wall time when other work shares the machine. The floor
encodes constant black frames and silence with exactly the renderer's encoder settings, so
render / floor is the price of the procedural content, the label and the soundtrack.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wan_notebook.local import render as r
from wan_notebook.local.render import _encode
from wan_notebook.local.render._audio import soundtrack
from wan_notebook.local.render._spec import shot_bounds, spec_key
from wan_notebook.request.catalog import FORMATS

RUNS = 3


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(job: Callable[[], object]) -> tuple[float, float, float]:
    """Median wall, median CPU and best wall seconds of RUNS runs."""
    walls, cpus = [], []
    for _ in range(RUNS):
        wall, cpu = time.perf_counter(), cpu_seconds()
        job()
        walls.append(time.perf_counter() - wall)
        cpus.append(cpu_seconds() - cpu)
    return statistics.median(walls), statistics.median(cpus), min(walls)


def encode_only(spec: r.RenderSpec, out: Path, pictures: list[av.VideoFrame] | None) -> None:
    """A floor: the renderer's own stream setup fed ready-made frames (black if none) and
    silence, so only encoding and muxing are timed."""
    fmt = _encode.ENCODINGS[spec.fmt]  # the same encoders and options as render()
    n_frames = round(spec.duration * spec.fps)
    n_samples = round(spec.duration * r.SAMPLE_RATE)
    black = av.VideoFrame.from_ndarray(
        np.zeros((spec.height, spec.width, 3), np.uint8), format="rgb24"
    ).reformat(format="yuv420p")
    silence = np.zeros((2, n_samples), np.float32)
    with av.open(str(out), "w", format=fmt.muxer, options=fmt.options) as container:
        video = _encode.add_video(container, spec, fmt)
        audio = _encode.add_audio(container, fmt)
        sent = 0
        for i in range(n_frames):
            picture = pictures[i] if pictures else black
            picture.pts = i
            container.mux(video.encode(picture))
            while sent < (i + 1) * n_samples // n_frames:
                frame = _encode.audio_frame(silence, sent, fmt)
                container.mux(audio.encode(frame))
                sent += frame.samples
        container.mux(video.encode(None))
        container.mux(audio.encode(None))


def decoded(path: Path) -> list[av.VideoFrame]:
    with av.open(str(path)) as container:
        return [f.reformat(format="yuv420p") for f in container.decode(video=0)]


def row(name: str, spec: r.RenderSpec, folder: Path, floor: bool = True) -> None:
    out = folder / f"bench{FORMATS[spec.fmt][0]}"
    wall, cpu, best = measure(lambda: r.render(spec, out))
    size = out.stat().st_size / 1024
    line = (
        f"{name:<34} {wall:6.2f} s wall {cpu:6.2f} s cpu  "
        f"{spec.duration / wall:5.2f}x real time  (best {best:.2f} s)  {size:5.0f} KiB"
    )
    if floor:
        base = folder / f"floor{FORMATS[spec.fmt][0]}"
        # Black frames are nearly free to encode; the clip's own frames, decoded and held in
        # memory, cost the encoder what the real content costs. The gap to the render is
        # what generating pictures and sound adds.
        pictures = decoded(out)
        for label, frames in (("black frames", None), ("same frames, encode only", pictures)):
            floor_wall, floor_cpu, _ = measure(lambda f=frames: encode_only(spec, base, f))
            line += (
                f"\n  floor: {label:<25} {floor_wall:6.2f} s wall {floor_cpu:6.2f} s cpu  "
                f"render/floor {wall / floor_wall:4.1f}x wall, {cpu / floor_cpu:4.1f}x cpu"
            )
    print(line, flush=True)


def soundtrack_encoders(spec: r.RenderSpec, folder: Path) -> None:
    """The clip's own soundtrack through FFmpeg's AAC encoder, its default coder against
    the "fast" one the renderer uses (``_encode.add_audio``)."""
    key = spec_key(spec)
    n_frames = round(spec.duration * spec.fps)
    cuts = shot_bounds(key, spec, n_frames)
    pcm = soundtrack(key, spec, cuts, round(spec.duration * r.SAMPLE_RATE))
    fmt = _encode.ENCODINGS["MP4"]
    cpus: dict[str, float] = {}
    for coder in ("twoloop", "fast"):
        out = folder / f"sound-{coder}.m4a"

        def encode(c: str = coder, o: Path = out) -> None:
            with av.open(str(o), "w", format="mp4") as container:
                stream = container.add_stream(
                    "aac", rate=r.SAMPLE_RATE, layout="stereo", options={"aac_coder": c}
                )
                stream.codec_context.format, stream.bit_rate = fmt.sample_format, 128_000
                feed = _encode._AudioFeed(container, stream, pcm, fmt)
                feed.finish()

        wall, cpus[coder], _ = measure(encode)
        size = out.stat().st_size / 1024
        print(f"  AAC {coder:<8} {wall:6.3f} s wall {cpus[coder]:6.3f} s cpu  {size:5.0f} KiB")
    print(f"  AAC default/fast cpu {cpus['twoloop'] / cpus['fast']:4.1f}x", flush=True)


def main() -> None:
    print(
        f"PyAV {av.__version__}, numpy {np.__version__}, {os.cpu_count()} cpus, "
        f"load average {os.getloadavg()[0]:.2f}; median of {RUNS} runs"
    )
    base = r.RenderSpec(1280, 720, 5, prompt="a lantern-lit night market by the sea", seed=7)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        r.render(replace(base, duration=0.5), folder / "warm-up.mp4")  # font, FFT plans, codecs
        row("MP4 1280x720 5 s, audio", base, folder)
        row("WEBM 1280x720 5 s, audio", replace(base, fmt="WEBM"), folder)
        row("MP4 1920x1080 5 s, audio", replace(base, width=1920, height=1080), folder)
        row("MP4 1280x720 5 s, multi-shot", replace(base, shot_type="multi"), folder, floor=False)
        print(f"Soundtrack of a {base.duration:g} s clip, 48 kHz stereo at 128 kb/s:")
        soundtrack_encoders(base, folder)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
