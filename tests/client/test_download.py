"""Downloads: atomic, resumed with Range, never a half-written file, the key only to the API."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.client.test_client import KEY
from tests.fake_runware import FakeRunware
from wan_notebook.client._client import AsyncRunwareClient
from wan_notebook.errors import NetworkError

if TYPE_CHECKING:
    from tests.wan_fixtures import Wan


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
