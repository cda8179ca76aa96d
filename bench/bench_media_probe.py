"""How cheap the request layer's length check of a local clip is: header read vs full probe.

    python bench/bench_media_probe.py [--seconds 30] [--repeat 20]

The request rules check a reference video's length (2-30 s) and an audio input's (3-30 s)
on every validation, the Builder's live one included. They read the container header
(``request._content``: PyAV's ``container.duration``; a WAV through ``wave``), never demux
or decode. The baseline in the same run is ``local.probe.probe``, which demuxes every packet
(what a download check that counts frames would do). Each call runs with the cache cleared.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median milliseconds per call."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the test clip")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    from tests.samples import wav_bytes
    from wan_notebook.local.probe import probe
    from wan_notebook.local.render import RenderSpec, render
    from wan_notebook.request import _content

    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "clip.mp4"
        render(RenderSpec(1280, 720, args.seconds, audio=True, prompt="bench", seed=1), clip)
        wav = Path(tmp) / "track.wav"
        wav.write_bytes(wav_bytes(args.seconds))
        rows = []
        for name, path, kind in (("MP4 1280x720", clip, "video"), ("WAV 48 kHz", wav, "audio")):

            def header(path: Path = path, kind: str = kind) -> object:
                _content._of_file.cache_clear()
                return _content.of_file(path, kind)  # type: ignore[arg-type]

            assert abs((header().seconds or 0) - args.seconds) < 0.1  # type: ignore[attr-defined]
            ms_header = timed(header, args.repeat)
            ms_probe = timed(lambda path=path: probe(path), args.repeat)
            rows.append((name, path.stat().st_size, ms_header, ms_probe))
    print(f"{args.seconds:g} s clips, median of {args.repeat} calls, cache cleared each call")
    print(f"{'file':<14}{'bytes':>12}{'header ms':>11}{'full probe ms':>15}{'ratio':>8}")
    for name, size, ms_header, ms_probe in rows:
        print(
            f"{name:<14}{size:>12}{ms_header:>11.2f}{ms_probe:>15.2f}{ms_probe / ms_header:>7.0f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
