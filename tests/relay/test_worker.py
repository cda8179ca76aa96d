"""The relay's worker keeps only result files that are the video asked for.

An upstream that hands back something else at its result URL (a CDN's HTML error page
answered with 200, a clip of the wrong size) is a fault a well-behaved server never
produces, so a small fake upstream plays it: it acknowledges a task, reports it done, and
serves ``body`` at the result URL. The relay downloads with the same ``expect`` check as
the client (``expected_video``): the file goes to ``.rejected/``, never into the media
folder, and the student's task ends in an error instead of a video.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import video_task


@dataclass
class FakeUpstream:
    """Acknowledges every videoInference; every getResponse finds it done at ``/clip/...``."""

    base_url: str
    api_key: str = "fake-upstream-key-0123"
    body: bytes = b""
    content_type: str = "video/mp4"
    downloads: list[str] = field(default_factory=list)


@pytest.fixture
def fake_upstream() -> Iterator[FakeUpstream]:
    state: dict[str, FakeUpstream] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, status: int, data: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def do_POST(self) -> None:
            fake = state["f"]
            tasks = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            data = []
            for task in tasks:
                if task["taskType"] == "videoInference":
                    data.append({"taskType": "videoInference", "taskUUID": task["taskUUID"]})
                else:
                    data.append(
                        {
                            "taskType": "videoInference",
                            "taskUUID": task["taskUUID"],
                            "status": "success",
                            "videoUUID": str(uuid.uuid4()),
                            "videoURL": f"{fake.base_url}/clip/{uuid.uuid4()}.mp4",
                            "seed": 3,
                            "cost": 0.5,
                        }
                    )
            self._answer(200, json.dumps({"data": data}).encode(), "application/json")

        def do_GET(self) -> None:
            fake = state["f"]
            fake.downloads.append(self.path)
            self._answer(200, fake.body, fake.content_type)

        do_HEAD = do_GET

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state["f"] = FakeUpstream(f"http://127.0.0.1:{server.server_address[1]}/v1")
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield state["f"]
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def small_clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real 5 s MP4 at 256x144: a video, just not the 1280x720 one asked for."""
    from wan_notebook.local.render import RenderSpec, render

    path = tmp_path_factory.mktemp("clip") / "small.mp4"
    render(RenderSpec(256, 144, duration=5.0, fmt="MP4", prompt="not it"), path)
    return path.read_bytes()


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


@pytest.mark.parametrize("served", ["html page", "wrong size"])
def test_a_result_file_that_is_not_the_video_asked_for_is_rejected_and_never_served(
    fake_upstream, classroom, small_clip, served
):
    if served == "html page":
        fake_upstream.body = b"<html><body>quota exceeded</body></html>" * 50
        fake_upstream.content_type = "text/html"
    else:
        fake_upstream.body = small_clip
    room = classroom(fake_upstream, {"ann": 5.0})
    task = video_task(seed=3, duration=5)  # 1280x720, 5 s
    assert room.post("ann", [task]).status_code == 200
    items = room.wait("ann", task["taskUUID"])
    assert [i["status"] for i in items] == ["error"], items
    assert all("videoURL" not in i for i in items)
    media = room.config.media_dir
    assert _files(media) == []  # nothing the page or a student could be served
    rejected = _files(media / ".rejected")
    assert rejected and all(name.endswith(".mp4") for name in rejected)
    assert fake_upstream.downloads  # it was fetched, checked and refused
    page = room.teacher("GET", "/").text
    assert "<video" not in page


def test_a_result_file_that_is_the_video_asked_for_is_kept_and_served(engine, classroom):
    upstream = engine(delay=0.0, render_mode="full")
    room = classroom(upstream, {"ann": 5.0})
    task = video_task(seed=4, duration=5, width=1280, height=720)
    room.post("ann", [task])
    (item,) = room.wait("ann", task["taskUUID"])
    assert item["status"] == "success"
    assert len(_files(room.config.media_dir)) == 1
    assert _files(room.config.media_dir / ".rejected") == []
