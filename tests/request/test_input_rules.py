"""The rules the providers document beyond Runware's page (spec/wan26-fidelity.md).

Each rule has a failing and a passing case, with local files the tests make themselves. A
refusal is an ``InvalidRequestError`` raised while the request is built (the request layer
makes no network call at all) and its message names the field, the value and what is allowed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tests.request.conftest import MediaFile, media_bytes
from wan_notebook import InvalidRequestError, VideoRequest
from wan_notebook.request import _content, media, rules

URL_VID = "https://assets.example.com/in/motion.mp4"
URL_AUDIO = "https://assets.example.com/in/track.mp3"
UUID = "822f2568-492c-48e7-a87e-cf69960644a3"


def refused(**fields: Any) -> str:
    """Build a request that must be refused; the one-problem message."""
    with pytest.raises(InvalidRequestError) as info:
        VideoRequest.build("character1 waves", resolution="720p", **fields)
    assert len(info.value.problems) == 1, info.value.message
    return info.value.problems[0].message


def accepted(**fields: Any) -> VideoRequest:
    return VideoRequest.build("character1 waves", resolution="720p", **fields)


# ----- reference videos ----------------------------------------------------------------------


def names_the_file(message: str, field: str, path: Path) -> bool:
    """The error starts with the field and the value as typed (a long path may be shortened)."""
    return message.startswith(f"{field}='") and path.name in message


def test_reference_videos_refuse_15_seconds_and_take_5_or_10() -> None:
    message = refused(ref_videos=[URL_VID], duration=15)
    assert message.startswith("duration=15: 5 or 10 with inputs.referenceVideos")
    assert accepted(ref_videos=[URL_VID], duration=10).duration == 10
    assert accepted(duration=15).duration == 15  # without reference videos 15 s is fine


def test_reference_videos_refuse_an_audio_input() -> None:
    message = refused(ref_videos=[URL_VID], audio_input=URL_AUDIO)
    assert message.startswith(f"inputs.audio='{URL_AUDIO}': cannot be used together with")
    assert "inputs.referenceVideos" in message and "voice" in message
    accepted(ref_videos=[URL_VID])
    accepted(audio_input=URL_AUDIO)


def test_a_webm_reference_video_is_refused_and_mp4_or_mov_accepted(media_file: MediaFile) -> None:
    webm = media_file("webm", 3)
    message = refused(ref_videos=[webm])
    assert names_the_file(message, "inputs.referenceVideos[0]", webm)
    assert "WEBM is not accepted" in message and "MP4 or MOV" in message
    accepted(ref_videos=[media_file("mp4", 3)])
    accepted(ref_videos=[media_file("mov", 3)])


def test_a_webm_disguised_as_mp4_is_refused_by_its_content(
    media_file: MediaFile, tmp_path: Path
) -> None:
    fake = tmp_path / "motion.mp4"
    fake.write_bytes(media_file("webm", 3).read_bytes())
    assert "WEBM is not accepted" in refused(ref_videos=[fake])


def test_a_reference_video_must_last_2_to_30_seconds(media_file: MediaFile) -> None:
    short = media_file("mp4", 1)
    message = refused(ref_videos=[short])
    assert names_the_file(message, "inputs.referenceVideos[0]", short)
    assert "1.0 s long" in message and "2-30 s" in message
    accepted(ref_videos=[media_file("mp4", 3)])


def test_reference_video_bytes_are_checked_like_files() -> None:
    assert "1.0 s long" in refused(ref_videos=[media_bytes("mp4", 1)])
    assert "WEBM is not accepted" in refused(ref_videos=[media_bytes("webm", 3)])
    accepted(ref_videos=[media_bytes("mp4", 3)])


# ----- audio input --------------------------------------------------------------------------


def test_flac_audio_is_refused_and_wav_or_mp3_accepted(media_file: MediaFile) -> None:
    flac = media_file("flac", 5)
    message = refused(audio_input=flac)
    assert names_the_file(message, "inputs.audio", flac)
    assert "FLAC is not accepted" in message and "WAV or MP3" in message
    accepted(audio_input=media_file("wav", 5))
    accepted(audio_input=media_file("mp3", 5))


def test_flac_bytes_are_refused_too() -> None:
    assert "FLAC is not accepted" in refused(audio_input=media_bytes("flac", 5))


def test_audio_must_last_3_to_30_seconds(media_file: MediaFile) -> None:
    short = media_file("wav", 1)
    message = refused(audio_input=short)
    assert names_the_file(message, "inputs.audio", short)
    assert "1.0 s long" in message and "3-30 s" in message
    assert "1.0 s long" in refused(audio_input=media_file("mp3", 1))
    accepted(audio_input=media_file("wav", 5))


# ----- frame images -------------------------------------------------------------------------


def test_a_bmp_frame_image_is_accepted(media_file: MediaFile) -> None:
    request = VideoRequest.build("x", image=media_file("bmp"))
    assert request.frame_image == str(media_file("bmp"))
    assert VideoRequest.build("x", image=media_bytes("bmp")).frame_image.startswith(  # type: ignore[union-attr]
        "data:image/bmp;base64,"
    )


def test_a_png_with_alpha_is_refused_not_flattened(media_file: MediaFile) -> None:
    with pytest.raises(InvalidRequestError) as info:
        VideoRequest.build("x", image=media_file("png_alpha"))
    message = info.value.problems[0].message
    assert names_the_file(message, "inputs.frameImages[0]", media_file("png_alpha"))
    assert "refused, not flattened" in message and "without transparency" in message
    VideoRequest.build("x", image=media_file("png"))


def test_a_png_with_alpha_is_refused_in_every_form() -> None:
    from PIL import Image

    with pytest.raises(InvalidRequestError, match="refused, not flattened"):
        VideoRequest.build("x", image=media_bytes("png_alpha"))
    with pytest.raises(InvalidRequestError, match="refused, not flattened"):
        VideoRequest.build("x", image=Image.new("RGBA", (640, 400)))
    VideoRequest.build("x", image=Image.new("RGB", (640, 400)))


@pytest.mark.parametrize(
    ("head", "alpha"),
    [
        (media_bytes("png_alpha"), True),
        (media_bytes("png"), False),
        (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + b"\x00" * 8 + b"\x08\x02" + b"\x00" * 7
         + b"\x00\x00\x00\x06tRNS" + b"\x00" * 10, True),  # RGB with a transparent colour
        (b"GIF89a", False),
    ],
)  # fmt: skip
def test_png_transparency_is_read_from_its_chunks(head: bytes, alpha: bool) -> None:
    assert _content.png_has_alpha(head) is alpha


# ----- what goes over the wire (a server's view) ----------------------------------------------


def test_a_server_takes_video_and_audio_only_as_url_or_upload_uuid() -> None:
    inline = media.to_data_uri(media_bytes("mp4", 3), "video/mp4")
    task = accepted(ref_videos=[inline]).to_api()
    assert rules.problems(task, allow_local=True) == []  # the client uploads it first
    [problem] = rules.problems(task, allow_local=False)
    assert problem.parameter == "inputs.referenceVideos[0]"
    assert "URL or an upload UUID" in problem.allowed and "mediaStorage" in problem.allowed
    assert rules.problems({**task, "inputs": {"referenceVideos": [UUID]}}, allow_local=False) == []
    audio = accepted(audio_input=media_bytes("wav", 5)).to_api()
    [problem] = rules.problems(audio, allow_local=False)
    assert problem.parameter == "inputs.audio"


def test_a_server_still_takes_inline_images() -> None:
    task = VideoRequest.build("x", image=media_bytes("png")).to_api()
    assert rules.problems(task, allow_local=False) == []


# ----- without PyAV --------------------------------------------------------------------------


def test_without_pyav_a_clip_length_is_skipped_and_said_so(
    media_file: MediaFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wan_notebook.request import advice

    monkeypatch.setitem(sys.modules, "av", None)  # import av now raises ImportError
    _content._of_file.cache_clear()
    try:
        short = media_file("mp4", 1)
        request = accepted(ref_videos=[short])  # not measured: not refused
        [note] = advice.unmeasured_notes(request)
        assert note.startswith("inputs.referenceVideos[0]: length not checked (2-30 s allowed)")
        assert "PyAV is not installed" in note
        # a WAV's length needs no PyAV: still refused
        assert "1.0 s long" in refused(audio_input=media_file("wav", 1))
    finally:
        monkeypatch.undo()
        _content._of_file.cache_clear()
    assert advice.unmeasured_notes(accepted(ref_videos=[media_file("mp4", 3)])) == []


def test_a_clip_whose_header_cannot_be_read_is_noted_not_refused() -> None:
    from wan_notebook.request import advice

    fake = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64  # an MP4 by its magic number only
    request = accepted(ref_videos=[fake])
    [note] = advice.unmeasured_notes(request)
    assert "PyAV could not read its header" in note


# ----- the local engine runs the same rules on what arrives -------------------------------------


def test_the_engine_refuses_what_the_rules_refuse_before_rendering(engine: Any, api: Any) -> None:
    client = api(engine())
    png = media.to_data_uri(media_bytes("png_alpha"), "image/png")
    cases = {
        "duration": {"inputs": {"referenceVideos": [UUID]}, "duration": 15},
        "inputs.audio": {"inputs": {"referenceVideos": [UUID], "audio": URL_AUDIO}},
        "inputs.frameImages[0]": {"inputs": {"frameImages": [png]}, "resolution": "720p"},
    }
    for parameter, fields in cases.items():
        task = VideoRequest.build("x", size="1280x720").to_api()
        task.update(fields)
        if "resolution" in fields:
            task.pop("width"), task.pop("height")
        response = client.post([task])
        assert response.status_code == 400, (parameter, response.text)
        [error] = response.json()["errors"]
        assert error["parameter"] == parameter and error["code"] in (
            "unsupportedDuration",
            "incompatibleParameters",
            "invalidMediaInput",
        )
