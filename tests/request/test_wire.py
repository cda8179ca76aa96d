"""What goes over the wire: which inputs are uploaded first, and the task a server accepts.

The last test does what the jobs layer does, against the real local engine over loopback:
upload with ``mediaStorage``, put the UUIDs in, submit; the engine (which runs the same
rules as a server would) accepts it, and refuses the task sent without uploading.
"""

from __future__ import annotations

import base64
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EngineApi
from tests.request.conftest import MediaFile, media_bytes
from wan_notebook import VideoRequest
from wan_notebook.errors import MediaError
from wan_notebook.request import media, wire

UUID = "822f2568-492c-48e7-a87e-cf69960644a3"


def request_with(media_file: MediaFile) -> VideoRequest:
    return VideoRequest.build(
        "character1 and character2 meet",
        ref_videos=[media_file("mp4", 3), media_bytes("mov", 3), UUID],
        resolution="720p",
    )


def test_video_and_audio_that_are_not_a_url_or_uuid_are_uploaded(media_file: MediaFile) -> None:
    inputs = request_with(media_file).to_api()["inputs"]
    assert [s.where for s in wire.uploads(inputs)] == [
        "inputs.referenceVideos[0]",
        "inputs.referenceVideos[1]",
    ]
    track = VideoRequest.build("x", audio_input=media_bytes("wav", 5), resolution="720p")
    [slot] = wire.uploads(track.to_api()["inputs"])
    assert slot.where == "inputs.audio" and wire.payload(slot)[1] == "audio/wav"


def test_images_stay_inline_unless_a_local_file_is_large(
    media_file: MediaFile, tmp_path: Path
) -> None:
    small = media_file("png")
    assert small.stat().st_size < wire.INLINE_IMAGE_BYTES
    inputs = VideoRequest.build("x", image=small).to_api()["inputs"]
    assert wire.uploads(inputs) == []
    [sent] = wire.wire_inputs(inputs, {})["frameImages"]
    assert sent.startswith("data:image/png;base64,")
    large = media_file("bmp")  # 768 KB
    [slot] = wire.uploads(VideoRequest.build("x", image=large).to_api()["inputs"])
    assert wire.payload(slot) == (large.read_bytes(), "image/bmp")
    inline = VideoRequest.build("x", image=media_bytes("bmp")).to_api()["inputs"]
    assert wire.uploads(inline) == []  # a data URI is what the API takes for images


def test_the_payload_of_an_upload_is_the_decoded_media(media_file: MediaFile) -> None:
    inputs = request_with(media_file).to_api()["inputs"]
    first, second = wire.uploads(inputs)
    assert wire.payload(first) == (media_file("mp4", 3).read_bytes(), "video/mp4")
    assert wire.payload(second) == (media_bytes("mov", 3), "video/quicktime")


def test_sending_without_the_uploads_is_refused(media_file: MediaFile) -> None:
    inputs = request_with(media_file).to_api()["inputs"]
    with pytest.raises(MediaError, match=r"referenceVideos\[0\]: must be uploaded first"):
        wire.wire_inputs(inputs, {})


def _upload(api: EngineApi, data: bytes) -> str:
    task = {
        "taskType": "mediaStorage",
        "taskUUID": str(uuid.uuid4()),
        "operation": "upload",
        "media": base64.b64encode(data).decode(),
    }
    (item,) = api.post([task]).json()["data"]
    return str(item["mediaUUID"])


def test_the_engine_accepts_the_uploaded_task_and_refuses_the_raw_one(
    engine: Any, api: Any, media_file: MediaFile
) -> None:
    client: EngineApi = api(engine(delay=30.0))
    request = VideoRequest.build(
        "character1 waves", ref_videos=[media_bytes("mp4", 3)], duration=5, resolution="720p"
    )
    raw = request.to_api()
    refused = client.post([raw])
    assert refused.status_code == 400
    [error] = refused.json()["errors"]
    assert error["parameter"] == "inputs.referenceVideos[0]" and "mediaStorage" in error["message"]

    task = request.to_api()
    uploaded = {s.where: _upload(client, wire.payload(s)[0]) for s in wire.uploads(task["inputs"])}
    task["inputs"] = wire.wire_inputs(task["inputs"], uploaded)
    assert media.classify(task["inputs"]["referenceVideos"][0]) == "uuid"
    accepted = client.post([task])
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["data"] == [{"taskType": "videoInference", "taskUUID": task["taskUUID"]}]
