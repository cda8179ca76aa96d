"""Media inputs: every accepted form, and clear errors for local files that cannot be used."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from tests.samples import png_bytes, wav_bytes
from wan_notebook import InvalidRequestError, VideoRequest
from wan_notebook.request import media


def test_forms_are_told_apart() -> None:
    raw = base64.b64encode(png_bytes(400, 400)).decode()
    assert media.classify("https://cdn.example.com/x.png") == "url"
    assert media.classify("aac49721-1964-481a-ae78-8a4e29b91402") == "uuid"
    assert media.classify("data:image/png;base64," + raw) == "data_uri"
    assert media.classify(raw) == "base64"
    assert media.classify("nope") is None


def test_local_path_is_kept_and_checked(tmp_path: Path) -> None:
    image = tmp_path / "first.png"
    image.write_bytes(png_bytes())
    request = VideoRequest.build("x", image=image, resolution="720p")
    assert request.frame_image == str(image)
    assert media.classify(str(image)) == "path"


def test_missing_local_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequestError, match="file not found"):
        VideoRequest.build("x", image=tmp_path / "absent.png", resolution="720p")
    with pytest.raises(InvalidRequestError, match="file not found"):
        VideoRequest.build("x", image=str(tmp_path / "absent.png"), resolution="720p")


def test_wrong_file_type_is_named(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(InvalidRequestError, match=r"\.png, \.jpg"):
        VideoRequest.build("x", image=text, resolution="720p")
    fake = tmp_path / "fake.png"
    fake.write_bytes(wav_bytes(3.5))
    with pytest.raises(InvalidRequestError, match=r"content is audio"):
        VideoRequest.build("x", image=fake, resolution="720p")


def test_image_side_limits_are_checked(tmp_path: Path) -> None:
    small = tmp_path / "small.png"
    small.write_bytes(png_bytes(100, 100))
    with pytest.raises(InvalidRequestError, match="360-2000 px"):
        VideoRequest.build("x", image=small, resolution="720p")


def test_size_limit_is_checked(tmp_path: Path) -> None:
    big = tmp_path / "huge.mp4"
    with big.open("wb") as fh:
        fh.write(b"\x00\x00\x00\x18ftypmp42")
        fh.truncate(31 * 1024 * 1024)
    with pytest.raises(InvalidRequestError, match="30 MB video limit"):
        VideoRequest.build("x", ref_videos=[big], resolution="720p")


def test_bytes_and_pil_images_become_data_uris() -> None:
    from PIL import Image

    from_bytes = VideoRequest.build("x", image=png_bytes(), resolution="720p")
    from_pil = VideoRequest.build("x", image=Image.new("RGB", (640, 360)), resolution="720p")
    assert from_bytes.frame_image and from_bytes.frame_image.startswith("data:image/png;base64,")
    assert from_pil.frame_image and from_pil.frame_image.startswith("data:image/png;base64,")


def test_audio_bytes_and_paths_are_accepted(tmp_path: Path) -> None:
    track = tmp_path / "track.wav"
    track.write_bytes(wav_bytes(3.5))
    by_path = VideoRequest.build("x", audio_input=track, resolution="720p")
    by_bytes = VideoRequest.build("x", audio_input=wav_bytes(3.5), resolution="720p")
    assert by_path.inputs and by_path.inputs.audio == str(track)
    assert (
        by_bytes.inputs
        and by_bytes.inputs.audio
        and by_bytes.inputs.audio.startswith("data:audio/wav")
    )


def test_bytes_of_the_wrong_kind_are_refused() -> None:
    with pytest.raises(InvalidRequestError, match="not a recognised image"):
        VideoRequest.build("x", image=wav_bytes(3.5), resolution="720p")


def test_digest_of_local_file_is_its_sha256(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    path.write_bytes(png_bytes())
    assert media.content_digest(str(path)).startswith("sha256:")
    assert media.content_digest("https://x.example/a.png") == "https://x.example/a.png"
