"""Unchanged student clients through the relay: this package's own ``generate`` and the
official SDK (``runware-sdk``) in REST mode."""

from __future__ import annotations

from typing import Any

import pytest

import wan_notebook

BASE: dict[str, Any] = {  # taskType given: the SDK then asks no registry on the internet
    "taskType": "videoInference",
    "model": "alibaba:wan@2.6",
    "positivePrompt": "a paper boat on a rainy street",
    "width": 1280,
    "height": 720,
    "duration": 5,
}


def test_a_student_notebook_client_gets_a_video_through_the_relay(engine, classroom, wan):
    room = classroom(engine(delay=0.2, render_mode="tiny"), {"ann": 2.0})
    # What a student sets: WAN_BASE_URL=<relay>/v1 and RUNWARE_API_KEY=<their token>.
    wan.use(backend="runware", base_url=room.url, api_key=room.tokens["ann"])
    job = wan_notebook.generate("a red kite over the dunes", size="1280x720", seed=4)
    result = job.wait(timeout=60).video
    assert result is not None
    assert result.path.exists() and result.path.stat().st_size > 1000
    assert result.seed == 4 and result.cost == 0.5
    assert room.spent("ann") == 0.5


def test_a_notebook_client_sees_its_class_budget_spent(engine, classroom, wan):
    room = classroom(engine(render_mode="tiny"), {"ann": 0.4})
    wan.use(backend="runware", base_url=room.url, api_key=room.tokens["ann"])
    job = wan_notebook.generate("too dear", size="1280x720")
    with pytest.raises(wan_notebook.InsufficientCreditError, match=r"class budget of \$0\.40"):
        job.wait(timeout=30)


async def test_the_official_sdk_runs_a_task_through_the_relay(engine, classroom):
    runware = pytest.importorskip("runware")
    pytest.importorskip("aiohttp")
    room = classroom(engine(delay=1.5, render_mode="tiny"), {"ann": 2.0})
    client = runware.Runware(
        api_key=room.tokens["ann"],
        transport="rest",
        http_base_url=room.url,
        retry_delay=50,
        poll_timeout=60_000,
    )
    progress: list[Any] = []
    async with client:
        options = runware.RunOptions(on_progress=progress.append)
        (result,) = await client.run({**BASE, "seed": 11, "includeCost": True}, options)
    assert result["seed"] == 11 and result["cost"] == 0.5
    assert result["videoURL"].startswith(room.relay.root_url + "/media/")
    assert progress
    assert room.spent("ann") == 0.5


async def test_the_official_sdk_sees_an_unknown_token_as_an_auth_error(engine, classroom):
    runware = pytest.importorskip("runware")
    room = classroom(engine(render_mode="tiny"))
    client = runware.Runware(
        api_key="wan-class-not-a-token", transport="rest", http_base_url=room.url, retry_delay=50
    )
    async with client:
        with pytest.raises(runware.RunwareError) as info:
            await client.run(dict(BASE))
    assert info.value.code == "auth"
