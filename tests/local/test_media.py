"""The engine's files are what was asked for: probed after download, not taken on trust.

One engine renders ten full-size clips at once (two cores: each dimension is covered once,
not the cross product): every size of the table, every format, audio on and off, a frame
image, a reference video (setting the aspect of a resolution preset), an audio input and a
multi-shot clip. The longer durations (10 s, 15 s) come from a second engine in small render
mode (a quarter of the width and height: a clip's length does not depend on its size).
Files are probed with ffprobe when it is installed (an independent reader), else with PyAV.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EngineApi, video_task
from tests.local.conftest import data_uri
from tests.samples import png_bytes, wav_bytes
from wan_notebook.local.server import serve_in_thread

FRAME_RGB = (30, 160, 220)
FRAME_PNG = png_bytes(832, 1088, FRAME_RGB)
CODECS = {"MP4": ("h264", "aac"), "MOV": ("h264", "aac"), "WEBM": ("vp9", "opus")}
MIME = {"MP4": "video/mp4", "MOV": "video/quicktime", "WEBM": "video/webm"}


def portrait_clip() -> bytes:
    """A 2 s 180x320 (9:16) H.264 clip made with PyAV directly, not with our renderer."""
    import av
    import numpy as np

    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 180, 320, "yuv420p"
        for i in range(48):
            img = np.full((320, 180, 3), (i * 5, 80, 200 - i * 2), dtype=np.uint8)
            out.mux(stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")))
        out.mux(stream.encode(None))
    return buf.getvalue()


@dataclass(frozen=True)
class Case:
    name: str
    size: tuple[int, int]  # what the file must have
    fmt: str = "MP4"
    duration: int = 5
    audio: bool = True  # an audio stream expected
    fields: dict[str, Any] = field(default_factory=dict)  # extra task fields
    small: bool = False  # rendered by the small-mode engine: the file is a quarter the size

    @property
    def file_size(self) -> tuple[int, int]:
        return (self.size[0] // 4, self.size[1] // 4) if self.small else self.size


CASES = [
    Case("1280x720-mp4", (1280, 720)),
    Case("720x1280-webm-from-reference-video", (720, 1280), "WEBM",
         fields={"resolution": "720p", "inputs": {"referenceVideos": ["<portrait>"]}}),
    Case("960x960-mov-multishot", (960, 960), "MOV",
         fields={"providerSettings": {"alibaba": {"shotType": "multi", "promptExtend": True}}}),
    Case("1088x832-mp4", (1088, 832)),
    Case("960x960-mov-10s-multishot-small", (960, 960), "MOV", 10, small=True,
         fields={"providerSettings": {"alibaba": {"shotType": "multi", "promptExtend": True}}}),
    Case("1088x832-mp4-15s-small", (1088, 832), duration=15, small=True),
    Case("832x1088-frame-image", (832, 1088),
         fields={"inputs": {"frameImages": [data_uri(FRAME_PNG, "image/png")]}}),
    Case("1920x1080-no-audio", (1920, 1080), audio=False),
    Case("1080x1920-webm", (1080, 1920), "WEBM"),
    Case("1440x1440-mov-no-audio", (1440, 1440), "MOV", audio=False),
    Case("1632x1248-audio-input", (1632, 1248),
         fields={"inputs": {"audio": "<audio>"}}),
    Case("1248x1632-mp4", (1248, 1632), fields={"outputQuality": 60}),
]  # fmt: skip


def task_for(case: Case, portrait: str, audio: str = "") -> dict[str, Any]:
    text = json.dumps(case.fields).replace('"<portrait>"', json.dumps(portrait))
    fields = json.loads(text.replace('"<audio>"', json.dumps(audio)))
    if "resolution" not in fields:
        fields.update(width=case.size[0], height=case.size[1])
    if not case.audio:
        fields.setdefault("providerSettings", {}).setdefault("alibaba", {})["audio"] = False
    return video_task(outputFormat=case.fmt, duration=case.duration, seed=7, **fields)


def probe_file(path: Path) -> dict[str, Any]:
    """Container, brand, codecs, size and durations, read by ffprobe (or PyAV)."""
    if shutil.which("ffprobe") is None:
        from wan_notebook.local.probe import probe

        info = probe(path)
        video = next(s for s in info["streams"] if s["type"] == "video")
        return {**info, "brand": None, "video_duration": video["duration"]}
    command = ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams"]
    out = subprocess.run(
        [*command, "-count_packets", str(path)], capture_output=True, check=True, text=True
    ).stdout
    raw = json.loads(out)
    video = next(s for s in raw["streams"] if s["codec_type"] == "video")
    audio = next((s for s in raw["streams"] if s["codec_type"] == "audio"), None)
    rate = video["avg_frame_rate"].split("/")
    return {
        "format": raw["format"]["format_name"],
        "brand": raw["format"].get("tags", {}).get("major_brand"),
        "duration": float(raw["format"]["duration"]),
        "video_duration": int(video["nb_read_packets"]) * int(rate[1]) / int(rate[0]),
        "video_codec": video["codec_name"],
        "width": video["width"],
        "height": video["height"],
        "fps": int(rate[0]) / int(rate[1]),
        "audio_codec": audio["codec_name"] if audio else None,
        "sample_rate": int(audio["sample_rate"]) if audio else None,
        "channels": audio["channels"] if audio else None,
    }


def upload(client: EngineApi, media: str) -> str:
    """A mediaStorage upload of ``media`` (a data URI); returns its mediaUUID."""
    task = {"taskType": "mediaStorage", "taskUUID": str(uuid.uuid4()), "operation": "upload"}
    return str(client.post([{**task, "media": media}]).json()["data"][0]["mediaUUID"])


@dataclass
class Rendered:
    item: dict[str, Any]
    path: Path
    content_type: str
    info: dict[str, Any]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rendered]:
    """Submit every case in one request per engine, wait for all, download and probe each."""
    handle = serve_in_thread(delay=0.0, workers=2)
    small_handle = serve_in_thread(delay=0.0, workers=1, render_mode="small")
    client, small_client = EngineApi(handle), EngineApi(small_handle)
    try:
        # Video and audio inputs go over the wire only as URLs or upload UUIDs.
        portrait = upload(client, data_uri(portrait_clip(), "video/mp4"))
        audio = upload(client, data_uri(wav_bytes(4.0), "audio/wav"))
        tasks = {case.name: task_for(case, portrait, audio) for case in CASES}
        for api, small in ((client, False), (small_client, True)):
            sent = [tasks[case.name] for case in CASES if case.small == small]
            response = api.post(sent)
            assert response.status_code == 200 and "errors" not in response.json(), response.text
        folder = tmp_path_factory.mktemp("media")
        out: dict[str, Rendered] = {}
        for case in CASES:
            api = small_client if case.small else client
            (item,) = api.wait(tasks[case.name]["taskUUID"], timeout=280)
            assert item["status"] == "success", item
            download = api.client.get(item["videoURL"])
            assert download.status_code == 200
            path = folder / item["videoURL"].rsplit("/", 1)[1]
            path.write_bytes(download.content)
            out[case.name] = Rendered(
                item, path, download.headers["content-type"], probe_file(path)
            )
        return out
    finally:
        for api in (client, small_client):
            api.close()
        handle.stop()
        small_handle.stop()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_file_has_the_asked_container_codecs_and_size(rendered, case: Case):
    got = rendered[case.name]
    info = got.info
    video_codec = CODECS[case.fmt][0]
    assert got.content_type == MIME[case.fmt]
    assert got.path.suffix == {"MP4": ".mp4", "MOV": ".mov", "WEBM": ".webm"}[case.fmt]
    assert info["video_codec"] == video_codec
    assert (info["width"], info["height"]) == case.file_size
    assert info["fps"] == pytest.approx(30)  # Wan 2.6 renders at 30 fps (issue 11)
    if case.fmt == "WEBM":
        assert "webm" in info["format"]
    elif info["brand"] is not None:  # ffprobe tells MP4 and QuickTime apart by brand
        assert (info["brand"].strip() == "qt") == (case.fmt == "MOV")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_file_lasts_the_asked_duration(rendered, case: Case):
    info = rendered[case.name].info
    assert info["video_duration"] == pytest.approx(case.duration, abs=0.05)
    assert info["duration"] == pytest.approx(case.duration, abs=0.15)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_audio_is_present_exactly_when_asked(rendered, case: Case):
    info = rendered[case.name].info
    if case.audio:
        assert info["audio_codec"] == CODECS[case.fmt][1]
        assert info["sample_rate"] and info["channels"]
    else:
        assert info["audio_codec"] is None


def test_the_frame_image_is_the_first_frame(rendered):
    import av

    path = rendered["832x1088-frame-image"].path
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0)).to_ndarray(format="rgb24")
    h, w = frame.shape[:2]
    center = frame[h // 2 - 32 : h // 2 + 32, w // 2 - 32 : w // 2 + 32].reshape(-1, 3).mean(axis=0)
    assert center == pytest.approx(FRAME_RGB, abs=12)


def test_results_carry_their_seed_and_the_preview_label_is_not_tiny(rendered):
    for case in CASES:
        got = rendered[case.name]
        assert got.item["seed"] == 7
        assert got.item.get("localRenderMode") == ("small" if case.small else None)
