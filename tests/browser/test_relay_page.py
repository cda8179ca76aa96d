"""The classroom relay's teacher page in Chromium: log in, read the class table, play a video
from the gallery, raise a budget, pause a student (whose next request is then refused), and
a student's prompt full of HTML runs nothing and shows as text.

No Jupyter here: a local engine, a relay on a thread of this process, three students who
each made a clip over HTTP, and one Chromium page. Screenshots go to ``tests/_artifacts/``
(``relay-*.png``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.browser.harness import ARTIFACTS_DIR
from tests.conftest import video_task

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from tests.relay.conftest import ROOT, TEACHER, enrol, relay_config
from wan_notebook.relay import Roster, RunningRelay, serve_in_thread

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# Each trap sets a flag or opens a dialog if it ever runs in the teacher's browser.
EVIL = (
    "a cat <script>window.__pwned = 'script'; alert('script')</script> "
    "<img src=x onerror=\"window.__pwned = 'img'; alert('img')\"> & friends"
)
STUDENTS = {"ann": 1.0, "bob": 5.0, "eve": 5.0}
PROMPTS = {"ann": "a red kite over the dunes", "bob": "a paper boat on a pond", "eve": EVIL}


@dataclass
class Room:
    relay: RunningRelay
    tokens: dict[str, str]
    roster: Path
    media: Path


def _wait(http: httpx.Client, url: str, token: str, task_uuid: str) -> dict[str, object]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = http.post(
            url,
            json=[{"taskType": "getResponse", "taskUUID": task_uuid}],
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        items = body.get("data", []) + body.get("errors", [])
        if items and all(i.get("status") in ("success", "error") for i in items):
            item: dict[str, object] = items[0]
            return item
        time.sleep(0.05)
    raise TimeoutError(task_uuid)


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    from wan_notebook.local import start_engine

    folder = tmp_path_factory.mktemp("relay-page")
    engine = start_engine(delay=0.2, render_mode="tiny")
    config = relay_config(engine, folder)
    tokens = enrol(config.roster, STUDENTS)
    relay = serve_in_thread(config)
    try:
        with httpx.Client(timeout=30, trust_env=False) as http:
            for n, (name, prompt) in enumerate(PROMPTS.items()):
                task = video_task(positivePrompt=prompt, seed=10 + n)
                headers = {"Authorization": f"Bearer {tokens[name]}"}
                assert http.post(relay.url, json=[task], headers=headers).status_code == 200
                item = _wait(http, relay.url, tokens[name], task["taskUUID"])
                assert item["status"] == "success", item
        yield Room(relay, tokens, config.roster, config.media_dir)
    finally:
        relay.stop()
        engine.stop()


@pytest.fixture
def page(chromium_browser: Browser) -> Iterator[Page]:
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


def _shot(page: Page, name: str, *, full: bool = True) -> Path:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS_DIR / f"relay-{name}.png"
    page.screenshot(path=str(path), full_page=full)
    return path


def _log_in(page: Page, room: Room) -> None:
    answer = page.goto(room.relay.root_url + "/")
    assert answer is not None and answer.status == 401
    _shot(page, "login", full=False)
    page.fill("input[name=token]", TEACHER)
    page.click("button[type=submit]")
    page.wait_for_selector("#students")


def _row(page: Page, name: str) -> str:
    return page.locator(f'#students tr[data-student="{name}"]').inner_text()


def test_the_teacher_logs_in_and_reads_the_class_table(page, room):
    _log_in(page, room)
    assert page.locator("#students tbody tr").count() == len(STUDENTS)
    for name in STUDENTS:
        assert name in _row(page, name)
    assert "$0.50" in _row(page, "ann") and "$1.00" in _row(page, "ann")
    assert "$1.50" in page.locator("#totals").inner_text()  # three clips at $0.50
    cookies = page.context.cookies()
    assert cookies and all(c["httpOnly"] for c in cookies)
    assert all(TEACHER not in c["value"] for c in cookies)
    _shot(page, "class")


def test_the_gallery_plays_a_video_and_shows_one_full_width(page, room):
    _log_in(page, room)
    videos = page.locator("#gallery video")
    assert videos.count() == len(STUDENTS)
    first = videos.first
    start = first.evaluate("(v) => { v.muted = true; v.play(); return v.currentTime; }")
    page.wait_for_function(
        "([v, t]) => v.currentTime > t + 0.5 && v.readyState >= 2",
        arg=[first.element_handle(), start],
        timeout=15_000,
    )
    assert first.evaluate("(v) => v.videoWidth") > 0
    page.locator("#gallery a", has_text="show to class").first.click()
    shown = page.locator(".show video")
    shown.wait_for()
    width = shown.evaluate("(v) => v.getBoundingClientRect().width")
    assert width > 0.9 * page.viewport_size["width"] - 60
    _shot(page, "show", full=False)
    page.go_back()
    page.locator("nav.filter a", has_text="bob").click()
    page.wait_for_url(re.compile(r"student=bob"))
    assert page.locator("#gallery figure").count() == 1
    assert page.locator("#gallery figure").get_attribute("data-student") == "bob"


def test_a_students_html_runs_nothing_and_shows_as_text(page, room):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _log_in(page, room)
    eve = page.locator('#gallery figure[data-student="eve"] .prompt')
    assert "<script>" in eve.inner_text() and "<img src=x onerror=" in eve.inner_text()
    page.wait_for_timeout(500)  # an onerror would have fired by now: x is not an image
    assert page.evaluate("() => window.__pwned") is None
    assert page.evaluate("() => document.querySelectorAll('script, img').length") == 0
    page.locator('#gallery figure[data-student="eve"] a', has_text="show to class").click()
    page.locator(".show").wait_for()
    assert "<script>" in page.locator(".show .prompt").inner_text()
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__pwned") is None
    assert dialogs == []


def test_raising_a_budget_shows_in_the_table_and_the_roster(page, room):
    _log_in(page, room)
    row = page.locator('#students tr[data-student="ann"]')
    row.locator("input[name=budget]").fill("3")
    row.get_by_role("button", name=re.compile("budget", re.I)).click()
    page.wait_for_selector("#students")
    assert "$3.00" in _row(page, "ann")
    found = Roster(room.roster).get("ann")
    assert found is not None and found.budget == 3.0


STUDENT = """
import json, sys, wan_notebook
try:
    wan_notebook.generate("one more clip", size="1280x720", seed=1).wait(timeout=30)
    print(json.dumps({"ok": True}))
except Exception as exc:
    print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))
"""


def _student_tries(room: Room, name: str, media: Path) -> dict[str, object]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "WAN_BASE_URL": room.relay.url,
        "RUNWARE_API_KEY": room.tokens[name],
        "WAN_MEDIA_DIR": str(media),
    }
    out = subprocess.run(
        [sys.executable, "-c", STUDENT], env=env, capture_output=True, text=True, timeout=120
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_a_paused_student_is_refused_with_a_clear_message(page, room, tmp_path):
    _log_in(page, room)
    row = page.locator('#students tr[data-student="bob"]')
    row.get_by_role("button", name=re.compile("pause", re.I)).click()
    page.wait_for_selector("#students")
    assert "paused" in _row(page, "bob").lower()
    _shot(page, "paused")
    refused = _student_tries(room, "bob", tmp_path / "bob")
    assert "paused" in str(refused.get("message")) and "ask your teacher" in str(
        refused.get("message")
    ), refused
    assert room.tokens["bob"] not in json.dumps(refused)
    # Resuming lets bob work again.
    page.locator('#students tr[data-student="bob"]').get_by_role(
        "button", name=re.compile("resume", re.I)
    ).click()
    page.wait_for_selector("#students")
    assert "paused" not in _row(page, "bob").lower()
    assert _student_tries(room, "bob", tmp_path / "bob-again") == {"ok": True}


def test_pausing_the_class_shows_a_banner_until_it_is_resumed(page, room):
    _log_in(page, room)
    page.locator("header").get_by_role("button", name="Pause class").click()
    banner = page.locator("#class-paused")
    banner.wait_for()
    assert "paused for the whole class" in banner.inner_text()
    _shot(page, "class-paused", full=False)
    banner.get_by_role("button", name="Resume class").click()
    page.wait_for_selector("#students")
    assert page.locator("#class-paused").count() == 0
    assert page.locator("header").get_by_role("button", name="Pause class").count() == 1
