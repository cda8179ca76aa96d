"""Downloads: atomic, resumed with Range, bounded stalls, checked files, the key only to the API."""

from __future__ import annotations

import asyncio
import hashlib
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.client.test_client import KEY
from tests.fake_runware import FakeRunware
from wan_notebook.client import lasting_loop
from wan_notebook.client._client import AsyncRunwareClient
from wan_notebook.client._download import file_matches
from wan_notebook.client._media_check import ExpectedVideo
from wan_notebook.errors import NetworkError

if TYPE_CHECKING:
    from tests.client.conftest import MediaHost
    from tests.wan_fixtures import Wan


# Each test against the loopback media host runs on both ways a loop downloads: through
# httpx (a loop nothing closes), and straight on aiohttp (the jobs' private loop).
BOTH_PATHS = pytest.mark.parametrize("via", ["httpx", "aiohttp"])


def _client(via: str) -> AsyncRunwareClient:
    if via == "aiohttp":
        lasting_loop(asyncio.get_running_loop())  # its clients close with the test's loop
    client = AsyncRunwareClient("http://fake.test/v1", KEY)
    assert (client._state().fast is not None) == (via == "aiohttp")
    return client


# ----- downloads -------------------------------------------------------------------------------


def _media_server(
    body: bytes, *, cut_first: int = 0, ranges: bool = True
) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """A media host that sends ``cut_first`` truncated answers, then full (or ranged) ones."""
    seen: list[httpx.Request] = []
    state = {"cuts": cut_first}

    async def stream_cut(data: bytes):  # type: ignore[no-untyped-def]
        yield data[: len(data) // 2]
        raise httpx.RemoteProtocolError("peer closed connection")

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        span = request.headers.get("Range")
        start = int(span.split("=")[1].rstrip("-")) if span and ranges else 0
        data = body[start:]
        headers = {"Content-Length": str(len(data))}
        status = 200
        if start:
            status = 206
            headers["Content-Range"] = f"bytes {start}-{len(body) - 1}/{len(body)}"
        if state["cuts"] > 0:
            state["cuts"] -= 1
            return httpx.Response(status, headers=headers, content=stream_cut(data))
        return httpx.Response(status, headers=headers, content=data)

    return httpx.MockTransport(handle), seen


async def test_download_is_atomic_and_reports_sha256_and_size(wan: Wan) -> None:
    body = b"video" * 10_000
    transport, _ = _media_server(body)
    client = AsyncRunwareClient("http://fake.test/v1", KEY, transport=transport)
    dest = wan.media_dir / "clip.mp4"
    path, digest, size = await client.download("http://cdn.test/v/clip.mp4", dest)
    assert path == dest and dest.read_bytes() == body
    assert digest == hashlib.sha256(body).hexdigest() and size == len(body)
    assert [p.name for p in wan.media_dir.iterdir()] == ["clip.mp4"]


async def test_a_truncated_download_resumes_with_range(wan: Wan) -> None:
    body = bytes(range(256)) * 400
    transport, seen = _media_server(body, cut_first=1)
    client = AsyncRunwareClient("http://fake.test/v1", KEY, transport=transport)
    dest = wan.media_dir / "clip.mp4"
    _, digest, _ = await client.download("http://cdn.test/v/clip.mp4", dest)
    assert dest.read_bytes() == body
    assert digest == hashlib.sha256(body).hexdigest()
    assert "Range" not in seen[0].headers
    assert seen[1].headers["Range"] == f"bytes={len(body) // 2}-"


async def test_a_download_restarts_when_the_server_ignores_range(wan: Wan) -> None:
    body = b"abcdefgh" * 3000
    transport, _ = _media_server(body, cut_first=1, ranges=False)
    client = AsyncRunwareClient("http://fake.test/v1", KEY, transport=transport)
    dest = wan.media_dir / "clip.mp4"
    await client.download("http://cdn.test/v/clip.mp4", dest)
    assert dest.read_bytes() == body


async def test_a_download_that_keeps_failing_leaves_no_file(wan: Wan) -> None:
    wan.use(max_attempts=2)
    transport, seen = _media_server(b"x" * 10_000, cut_first=5)
    client = AsyncRunwareClient("http://fake.test/v1", KEY, transport=transport)
    with pytest.raises(NetworkError, match="after 2 attempts"):
        await client.download("http://cdn.test/v/clip.mp4", wan.media_dir / "clip.mp4")
    assert len(seen) == 2
    assert list(wan.media_dir.iterdir()) == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://x.test/a.mp4", "/relative.mp4",
                                 "javascript:alert(1)"])  # fmt: skip
async def test_download_refuses_urls_that_are_not_http(wan: Wan, url: str) -> None:
    client = AsyncRunwareClient("http://fake.test/v1", KEY, transport=FakeRunware().transport())
    with pytest.raises(NetworkError, match="only http"):
        await client.download(url, wan.media_dir / "clip.mp4")


async def test_the_key_goes_only_to_the_api_origin(wan: Wan) -> None:
    transport, seen = _media_server(b"v" * 100)
    client = AsyncRunwareClient("http://fake.test/v1", KEY, transport=transport)
    await client.download("http://cdn.test/v/a.mp4", wan.media_dir / "a.mp4")
    await client.download("http://fake.test/media/b.mp4", wan.media_dir / "b.mp4")
    assert "Authorization" not in seen[0].headers
    assert seen[1].headers["Authorization"] == f"Bearer {KEY}"


async def test_download_of_the_wrong_type_says_which_argument(wan: Wan) -> None:
    client = AsyncRunwareClient("http://fake.test/v1", KEY, transport=FakeRunware().transport())
    with pytest.raises(TypeError, match="dest must be a Path"):
        await client.download("http://cdn.test/a.mp4", "a.mp4")  # type: ignore[arg-type]


# ----- stalls (a loopback host that trickles or stops) -------------------------------------


@BOTH_PATHS
async def test_a_trickling_body_ends_as_a_stall_within_the_stall_time(
    wan: Wan, media_host: MediaHost, via: str
) -> None:
    wan.use(download_stall_s=0.4, max_attempts=1)
    url = media_host.serve("/v/clip.mp4", b"v" * 100_000, chunk=1, pause=0.05)  # 20 B/s
    client = _client(via)
    started = time.monotonic()
    with pytest.raises(NetworkError, match="stalled") as caught:
        await client.download(url, wan.media_dir / "clip.mp4")
    assert time.monotonic() - started < 2.0  # the stall time, not 100 000 s
    assert _recoverable(caught.value)
    assert list(wan.media_dir.iterdir()) == []  # no half-written file


@BOTH_PATHS
async def test_a_stalled_download_resumes_with_range_and_completes(
    wan: Wan, media_host: MediaHost, via: str
) -> None:
    wan.use(download_stall_s=0.3, max_attempts=3)
    body = bytes(range(256)) * 1000  # 256 KB
    url = media_host.serve("/v/clip.mp4", body, stall_after=100_000)
    client = _client(via)
    path, digest, size = await client.download(url, wan.media_dir / "clip.mp4")
    assert path.read_bytes() == body and size == len(body)
    assert digest == hashlib.sha256(body).hexdigest()
    first, second = media_host.requests
    assert "Range" not in first
    assert second["Range"] == "bytes=131072-"  # two 64 KB chunks arrived before the stall


@BOTH_PATHS
async def test_a_slow_but_steady_download_is_no_stall(
    wan: Wan, media_host: MediaHost, via: str
) -> None:
    # Each pause is a fifth of the stall window (a loaded CI machine delayed the first 64 KB
    # past a 0.5 s window once); the whole transfer still lasts longer than the window.
    wan.use(download_stall_s=1.0, max_attempts=1)
    body = b"s" * (400 * 1024)
    url = media_host.serve("/v/clip.mp4", body, chunk=64 * 1024, pause=0.2)  # 1.4 s in all
    client = _client(via)
    _, _, size = await client.download(url, wan.media_dir / "clip.mp4")
    assert size == len(body)


# ----- checked files -----------------------------------------------------------------------


@BOTH_PATHS
async def test_an_html_page_served_as_the_video_is_rejected_and_kept_aside(
    wan: Wan, media_host: MediaHost, via: str
) -> None:
    page = b"<!DOCTYPE html><html><body>Access denied</body></html>" * 50
    url = media_host.serve("/v/clip.mp4", page, content_type="text/html")
    client = _client(via)
    dest = wan.media_dir / "clip.mp4"
    with pytest.raises(NetworkError, match="not the video asked for") as caught:
        await client.download(url, dest, expect=ExpectedVideo("MP4", 256, 144, 2.0))
    assert _recoverable(caught.value)
    assert not dest.exists()  # never served as a result
    assert (wan.media_dir / ".rejected" / "clip.mp4").read_bytes() == page
    assert sorted(p.name for p in wan.media_dir.iterdir()) == [".rejected"]


@BOTH_PATHS
async def test_a_video_of_the_wrong_size_is_rejected_and_a_second_one_kept_beside_it(
    wan: Wan, media_host: MediaHost, via: str, videos: dict[str, Path]
) -> None:
    url = media_host.serve("/v/clip.mp4", videos["MP4"].read_bytes())
    client = _client(via)
    wrong = ExpectedVideo("MP4", 1280, 720, 2.0)
    for _ in range(2):
        with pytest.raises(NetworkError, match="video is 256x144, not 1280x720"):
            await client.download(url, wan.media_dir / "clip.mp4", expect=wrong)
    kept = sorted(p.name for p in (wan.media_dir / ".rejected").iterdir())
    assert kept == ["clip.1.mp4", "clip.mp4"]


@BOTH_PATHS
async def test_the_video_asked_for_passes_its_check(
    wan: Wan, media_host: MediaHost, via: str, videos: dict[str, Path]
) -> None:
    for fmt in ("MP4", "WEBM", "MOV"):
        data = videos[fmt].read_bytes()
        url = media_host.serve(f"/v/clip.{fmt}", data)
        client = _client(via)
        dest = wan.media_dir / f"clip.{fmt.lower()}"
        _, digest, _ = await client.download(url, dest, expect=ExpectedVideo(fmt, 256, 144, 2.0))
        assert dest.read_bytes() == data and digest == hashlib.sha256(data).hexdigest()


async def test_a_result_of_the_local_engine_passes_its_check(wan: Wan, engine, api) -> None:  # type: ignore[no-untyped-def]
    handle = engine()
    task_uuid = api(handle).submit(width=960, height=960, duration=5)
    (item,) = api(handle).wait(task_uuid)
    client = AsyncRunwareClient(handle.base_url, handle.api_key)
    dest = wan.media_dir / "clip.mp4"
    expect = ExpectedVideo("MP4", 960, 960, 5.0)
    await client.download(item["videoURL"], dest, expect=expect)
    assert dest.stat().st_size > 10_000


def test_file_matches_compares_the_recorded_sha256(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"abc" * 1000)
    digest = hashlib.sha256(b"abc" * 1000).hexdigest()
    assert file_matches(path, digest) and file_matches(path, digest.upper(), size=3000)
    path.write_bytes(b"abd" * 1000)  # same size, other bytes: a miss
    assert not file_matches(path, digest)
    assert not file_matches(path, digest, size=2999)
    assert not file_matches(tmp_path / "gone.mp4", digest)


def _recoverable(error: Exception) -> bool:
    from wan_notebook.jobs._poller import RECOVERABLE

    return isinstance(error, RECOVERABLE)
