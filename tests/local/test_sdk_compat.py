"""The official Python SDK (``runware-sdk``, ``import runware``) works against the engine.

How it is pointed here, offline:
- ``Runware(transport="rest", http_base_url=<engine>/v1, api_key=<engine key>)``: the REST
  transport POSTs to exactly that URL with ``Authorization: Bearer``.
- ``taskType="videoInference"`` is passed explicitly. Without it the SDK resolves the model's
  task type through its registry, which first tries ``schemas.runware.ai/registry.json``
  (3 s timeout, then a bundled snapshot); with it, and with an AIR-shaped model id
  (``alibaba:wan@2.6``), the SDK makes no call outside the engine. ``validate`` stays off
  (on, it would fetch request schemas from the internet).
- ``retry_delay`` is small so that retried faults do not slow the suite.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wan_notebook.local.probe import probe

runware = pytest.importorskip("runware")
pytest.importorskip("aiohttp")

BASE: dict[str, Any] = {
    "taskType": "videoInference",
    "model": "alibaba:wan@2.6",
    "positivePrompt": "a paper boat on a rainy street",
    "width": 1280,
    "height": 720,
    "duration": 5,
}


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Every HTTP call the SDK makes must go to the engine: fail on anything else."""
    import aiohttp
    from yarl import URL

    original = aiohttp.ClientSession._request
    seen: list[str] = []

    async def guarded(self: Any, method: str, url: Any, *args: Any, **kwargs: Any) -> Any:
        host = URL(str(url)).host
        seen.append(f"{method} {host}")
        assert host == "127.0.0.1", f"the SDK tried to reach {url}"
        return await original(self, method, url, *args, **kwargs)

    monkeypatch.setattr(aiohttp.ClientSession, "_request", guarded)
    yield seen


def sdk(handle: Any) -> Any:
    return runware.Runware(
        api_key=handle.api_key,
        transport="rest",
        http_base_url=handle.base_url,
        retry_delay=50,
        poll_timeout=120_000,
    )


async def test_the_sdk_runs_a_wan_video_task_and_the_url_is_a_playable_file(
    engine, tmp_path: Path, loopback_only
):
    import httpx

    # Processing lasts at least this long whatever the render takes: the SDK's polls see it.
    handle = engine(delay=2.0)
    progress: list[Any] = []
    async with sdk(handle) as client:
        options = runware.RunOptions(on_progress=progress.append)
        (result,) = await client.run({**BASE, "seed": 11, "includeCost": True}, options)
    assert result["taskType"] == "videoInference" and result["seed"] == 11
    assert result["cost"] == 0.5
    assert progress, "processing items with progress reached the SDK"
    async with httpx.AsyncClient(trust_env=False) as http:
        response = await http.get(result["videoURL"])
    path = tmp_path / "sdk.mp4"
    path.write_bytes(response.content)
    info = probe(path)
    assert (info["video_codec"], info["width"], info["height"]) == ("h264", 1280, 720)
    assert info["duration"] == pytest.approx(5, abs=0.15)
    assert handle.stats()["tasks"]["videoInference"] == 1
    assert loopback_only and all(call.endswith("127.0.0.1") for call in loopback_only)


async def test_the_sdk_collects_every_result_of_number_results(engine):
    handle = engine(render_mode="tiny")
    async with sdk(handle) as client:
        results = await client.run({**BASE, "numberResults": 3, "seed": 1})
    assert sorted(r["seed"] for r in results) == [1, 2, 3]
    assert len({r["videoUUID"] for r in results}) == 3


async def test_the_sdk_reports_our_validation_errors_by_parameter(engine):
    handle = engine(render_mode="tiny")
    async with sdk(handle) as client:
        with pytest.raises(runware.RunwareError) as info:
            await client.run({**BASE, "width": 1000})
    assert info.value.code == "validation" and info.value.parameter == "width"


@pytest.mark.parametrize("shape", ["errors", "data"])
async def test_the_sdk_sees_a_failed_generation_in_either_error_shape(engine, shape):
    handle = engine(render_mode="tiny", faults={"next": {"task_fail": 1}, "error_shape": shape})
    async with sdk(handle) as client:
        with pytest.raises(runware.RunwareError) as info:
            await client.run(dict(BASE))
    assert info.value.code == "provider"
    assert "failed" in info.value.message


async def test_the_sdk_retries_through_a_503_burst(engine):
    handle = engine(render_mode="tiny", faults={"next": {"503": 2}})
    async with sdk(handle) as client:
        (result,) = await client.run(dict(BASE))
    assert result["videoURL"]
    assert handle.stats()["faults"] == {"503": 2}


async def test_the_sdk_with_a_wrong_key_gets_an_auth_error(engine):
    handle = engine()
    async with runware.Runware(
        api_key="not-the-key", transport="rest", http_base_url=handle.base_url
    ) as client:
        with pytest.raises(runware.RunwareError) as info:
            await client.run(dict(BASE))
    assert info.value.code == "auth"
