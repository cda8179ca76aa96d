"""Uploads and inputs: imageUpload and mediaStorage, and inputs given as UUIDs, URLs, data URIs."""

from __future__ import annotations

import base64
import uuid
from pathlib import Path

import pytest

from tests.conftest import Receiver, video_task
from tests.local.conftest import data_uri
from tests.samples import png_bytes, wav_bytes
from wan_notebook.local.probe import probe

# ----- uploads and inputs ---------------------------------------------------------------------


def test_image_upload_gives_a_uuid_that_works_as_a_frame_image(engine, api, tmp_path):
    client = api(engine())
    upload = {"taskType": "imageUpload", "taskUUID": str(uuid.uuid4())}
    upload["image"] = data_uri(png_bytes(720, 1280), "image/png")
    (item,) = client.post([upload]).json()["data"]
    assert item["taskType"] == "imageUpload" and item["taskUUID"] == upload["taskUUID"]
    assert client.client.get(item["imageURL"]).content == png_bytes(720, 1280)
    # resolution + frame image: the aspect follows the image (9:16 here)
    task = video_task(resolution="720p", inputs={"frameImages": [item["imageUUID"]]})
    task["positivePrompt"] = "x"
    assert client.post([task]).status_code == 200
    (done,) = client.wait(task["taskUUID"])
    info = probe(client.download(done["videoURL"], tmp_path / "out.mp4"))
    assert (info["width"], info["height"]) == (720, 1280)


def test_media_storage_uploads_video_and_audio_and_deletes(tiny):
    wav = wav_bytes(3.5)
    task = {"taskType": "mediaStorage", "taskUUID": str(uuid.uuid4()), "operation": "upload"}
    (item,) = tiny.post([{**task, "media": base64.b64encode(wav).decode()}]).json()["data"]
    assert item["operation"] == "upload" and uuid.UUID(item["mediaUUID"])
    assert tiny.client.get(item["mediaURL"]).content == wav
    delete = {
        **task,
        "taskUUID": str(uuid.uuid4()),
        "operation": "delete",
        "media": item["mediaUUID"],
    }
    assert tiny.post([delete]).json()["data"][0]["mediaUUID"] == item["mediaUUID"]
    assert tiny.client.get(item["mediaURL"]).status_code == 404
    again = tiny.post([{**delete, "taskUUID": str(uuid.uuid4())}]).json()["errors"][0]
    assert again["code"] == "mediaNotFound"


def test_an_upload_of_the_wrong_type_is_rejected(tiny):
    task = {
        "taskType": "imageUpload",
        "taskUUID": str(uuid.uuid4()),
        "image": data_uri(wav_bytes(), "image/png"),
    }
    response = tiny.post([task])
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalidMediaInput"


def test_an_uploaded_audio_uuid_works_as_inputs_audio(engine, api, tmp_path):
    client = api(engine(render_mode="small"))  # the sound's codec does not depend on the size
    upload = {"taskType": "mediaStorage", "taskUUID": str(uuid.uuid4()), "operation": "upload"}
    upload["media"] = data_uri(wav_bytes(4.0), "audio/wav")
    media_uuid = client.post([upload]).json()["data"][0]["mediaUUID"]
    task_uuid = client.submit(inputs={"audio": media_uuid}, outputFormat="WEBM")
    (done,) = client.wait(task_uuid)
    info = probe(client.download(done["videoURL"], tmp_path / "a.webm"))
    assert info["audio_codec"] == "opus"


def test_inputs_given_as_urls_are_fetched(tiny, receiver: Receiver):
    client = tiny
    receiver.files["/first.png"] = (png_bytes(1280, 720, (10, 200, 30)), "image/png")
    task_uuid = client.submit(
        inputs={"frameImages": [f"{receiver.url}/first.png"]}, resolution="720p"
    )
    (done,) = client.wait(task_uuid)
    assert done["status"] == "success"
    assert any(r.path == "/first.png" for r in receiver.requests)


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{url}/missing.png", "downloadFailed"),
        ("http://127.0.0.1:9/refused.png", "downloadFailed"),
        (str(uuid.uuid4()), "invalidMediaInput"),
        (data_uri(wav_bytes(), "image/png"), "invalidMediaInput"),
        (data_uri(png_bytes(100, 100), "image/png"), "invalidMediaInput"),
    ],
    ids=["http-404", "refused", "unknown-uuid", "not-an-image", "too-small"],
)
def test_an_unusable_input_fails_the_task_with_a_clear_code(tiny, receiver, frame, code):
    task_uuid = tiny.submit(
        inputs={"frameImages": [frame.format(url=receiver.url)]}, resolution="720p"
    )
    (item,) = tiny.wait(task_uuid)
    assert item["status"] == "error" and item["code"] == code
    assert "inputs.frameImages[0]" in item["message"]


# ----- a data URI input end to end ------------------------------------------------------------


def test_a_data_uri_frame_image_sets_the_aspect_of_a_resolution_preset(engine, api, tmp_path: Path):
    client = api(engine())
    task_uuid = client.submit(
        resolution="720p",
        inputs={"frameImages": [{"image": data_uri(png_bytes(800, 800), "image/png")}]},
    )
    (done,) = client.wait(task_uuid)
    info = probe(client.download(done["videoURL"], tmp_path / "sq.mp4"))
    assert (info["width"], info["height"]) == (960, 960)
