"""``wan-notebook demo``: the main job end to end from a terminal, on the local engine.

It takes the same path as a ``%%wan`` cell (request model, journal, batched submit, shared
poller, atomic download, sidecar), prints progress as it goes and then what the file holds.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT_PROMPT = "A red fox trotting through fresh snow at dawn, soft golden light"


def add_demo(sub: Any) -> None:
    p = sub.add_parser(
        "demo", help="generate one video end to end (local engine unless a key is set)"
    )
    p.add_argument("prompt", nargs="?", default=DEFAULT_PROMPT, help="the positive prompt")
    p.add_argument("--size", default="1280x720", help="WIDTHxHEIGHT (default 1280x720)")
    p.add_argument("--duration", type=int, default=5, help="5, 10 or 15 seconds")
    p.add_argument("--seed", type=int, default=7, help="seed (default 7)")
    p.add_argument("--format", dest="fmt", default="MP4", help="MP4, WEBM or MOV")
    p.add_argument("--media-dir", type=Path, default=Path("wan_media"), help="where results go")
    p.add_argument("--new", action="store_true", help="generate again even if stored")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from . import settings
    from .errors import WanError
    from .jobs import Job, generate

    settings.configure(media_dir=args.media_dir)
    backend = settings.get_settings().resolved_backend
    where = "Runware (your key)" if backend == "runware" else "the local preview engine (no key)"
    print(f"wan-notebook demo: sending to {where}")
    started = time.monotonic()
    last: list[str] = [""]

    def report(job: Job) -> None:
        progress = f" {job.progress:.0%}" if job.progress is not None else ""
        line = f"  {time.monotonic() - started:5.1f}s  {job.status}{progress}"
        if line.split()[1:] != last[0].split()[1:]:
            print(line, flush=True)
            last[0] = line

    try:
        job = generate(
            args.prompt,
            size=args.size,
            duration=args.duration,
            seed=args.seed,
            fmt=args.fmt,
            include_cost=True,
            new=args.new,
        )
        job.on_change(report)
        job.wait()
    except WanError as exc:
        print(f"failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    for result in job.results:
        print(f"video: {result.path}")
        print(
            f"  {result.width}x{result.height}, {result.duration} s, seed {result.seed}, "
            f"cost ${result.cost or 0:.2f}, sha256 {str(result.sha256)[:16]}..."
        )
        if result.sidecar:
            print(f"  sidecar: {result.sidecar}")
        _describe_streams(result.path)
    if job.cached:
        print("(stored result: the same request was made before; --new generates again)")
    return 0


def _describe_streams(path: Path | None) -> None:
    if path is None:
        return
    try:
        from .local.probe import probe
    except ImportError:  # PyAV comes with the "local" extra
        return
    info = probe(path)
    video = f"{info['video_codec']} {info['width']}x{info['height']} @ {info['fps']} fps"
    audio = info["audio_codec"] or "none"
    print(f"  probed: {info['format']}, video {video}, audio {audio}, {info['duration']:.2f} s")
