"""Local inputs of a job: small images travel inline, larger files are uploaded once, and
the journal keeps the JSON actually sent."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from wan_notebook.jobs import generate
from wan_notebook.jobs._inputs import INLINE_IMAGE_BYTES

if TYPE_CHECKING:
    from tests.wan_fixtures import Wan


PROMPT = "a lighthouse in a storm, waves crashing"


def _noise_png(path: Path, size: tuple[int, int] = (1280, 720)) -> Path:
    from PIL import Image

    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(path)
    return path


def test_a_large_local_image_is_uploaded_once_and_the_journal_keeps_the_sent_json(
    wan: Wan, engine, tmp_path: Path
) -> None:
    eng = engine(delay=0.2, render_mode="tiny")
    wan.use(eng)
    image = _noise_png(tmp_path / "first.png")
    assert image.stat().st_size > INLINE_IMAGE_BYTES
    first = generate(PROMPT, image=str(image), resolution="720p", seed=1).wait(60)
    second = generate(PROMPT, image=str(image), resolution="720p", seed=2).wait(60)
    assert eng.stats()["tasks"]["imageUpload"] == 1
    for job in (first, second):
        sent = wan.store.task(job.task_uuid).request  # type: ignore[union-attr]
        (frame,) = sent["inputs"]["frameImages"]
        frame = frame["image"] if isinstance(frame, dict) else frame
        assert str(image) not in json.dumps(sent)
        assert uuid.UUID(frame)


def test_a_small_local_image_travels_inline(wan: Wan, engine, tmp_path: Path) -> None:
    from tests.samples import png_bytes

    eng = engine(delay=0.2, render_mode="tiny")
    wan.use(eng)
    image = tmp_path / "small.png"
    image.write_bytes(png_bytes(640, 360))
    job = generate(PROMPT, image=str(image), resolution="720p", seed=3).wait(60)
    sent = wan.store.task(job.task_uuid).request  # type: ignore[union-attr]
    assert json.dumps(sent["inputs"]).count("data:image/png;base64,") == 1
    assert "imageUpload" not in eng.stats()["tasks"]


def test_local_audio_is_stored_with_media_storage_before_submit(
    wan: Wan, engine, tmp_path: Path
) -> None:
    from tests.samples import wav_bytes

    eng = engine(delay=0.2, render_mode="tiny")
    wan.use(eng)
    track = tmp_path / "track.wav"
    track.write_bytes(wav_bytes(4.0))
    job = generate(PROMPT, size="1280x720", seed=4, audio_input=str(track)).wait(60)
    assert eng.stats()["tasks"]["mediaStorage"] == 1
    sent = wan.store.task(job.task_uuid).request  # type: ignore[union-attr]
    assert uuid.UUID(sent["inputs"]["audio"])
