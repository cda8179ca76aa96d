"""The teacher's page over loopback HTTP: who may see it, the table, the gallery, the
controls, and that no student text can run in the teacher's browser."""

from __future__ import annotations

import html
import re

import httpx

from tests.conftest import video_task
from tests.relay.conftest import TEACHER
from wan_notebook.relay import Roster

EVIL = 'a cat <script>alert("x")</script> <img src=x onerror="alert(1)"> & "quotes"'


def test_no_token_gets_401_and_the_login_form_and_a_student_token_gets_403(engine, classroom):
    room = classroom(engine(render_mode="tiny"))
    anonymous = room.http.get(room.relay.root_url + "/")
    assert anonymous.status_code == 401
    assert '<form class="login" method="post" action="/login">' in anonymous.text
    student = room.http.get(
        room.relay.root_url + "/", headers={"Authorization": f"Bearer {room.tokens['ann']}"}
    )
    assert student.status_code == 403
    wrong = room.http.get(room.relay.root_url + "/", headers={"Authorization": "Bearer nope-nope"})
    assert wrong.status_code == 401
    assert room.teacher("GET", "/").status_code == 200
    assert room.http.get(room.relay.root_url + "/teacher/state").status_code == 401


def test_the_login_form_sets_an_http_only_cookie_that_opens_the_page(engine, classroom):
    room = classroom(engine(render_mode="tiny"))
    with httpx.Client(base_url=room.relay.root_url, trust_env=False) as browser:
        refused = browser.post("/login", data={"token": room.tokens["ann"]})
        assert refused.status_code == 403 and not browser.cookies
        answer = browser.post("/login", data={"token": TEACHER})
        assert answer.status_code == 303
        cookie = answer.headers["set-cookie"]
        assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
        assert TEACHER not in cookie
        page = browser.get("/")
        assert page.status_code == 200 and 'id="students"' in page.text
        # A control from a cookie session needs the page's CSRF value.
        forged = browser.post("/teacher/budget", data={"student": "ann", "budget": "9"})
        assert forged.status_code == 403
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
        raised = browser.post(
            "/teacher/budget", data={"student": "ann", "budget": "9", "csrf": csrf}
        )
        assert raised.status_code == 303
        browser.post("/logout", data={"csrf": csrf})
        assert browser.get("/").status_code == 401


def test_the_table_shows_spend_against_budget_and_a_raised_budget_is_kept(engine, classroom):
    upstream = engine(render_mode="tiny")
    room = classroom(upstream, {"ann": 1.0, "bob": 2.0})
    task = video_task()
    room.post("ann", [task])
    room.wait("ann", task["taskUUID"])
    page = room.teacher("GET", "/").text
    ann_row = re.search(r'<tr data-student="ann".*?</tr>', page).group(0)
    assert "$0.50" in ann_row and "$1.00" in ann_row
    answer = room.teacher("POST", "/teacher/budget", data={"student": "ann", "budget": "3"})
    assert answer.status_code == 303
    assert Roster(room.config.roster).get("ann").budget == 3.0  # written to the roster file
    assert {s["name"]: s["budget"] for s in room.state()["students"]} == {"ann": 3.0, "bob": 2.0}
    bad = room.teacher("POST", "/teacher/budget", data={"student": "zed", "budget": "3"})
    assert bad.status_code == 400


def test_a_students_prompt_is_escaped_everywhere_and_the_page_allows_no_script(engine, classroom):
    upstream = engine(render_mode="tiny")
    room = classroom(upstream, {"<b>eve</b>": 5.0})
    task = video_task(positivePrompt=EVIL, seed=9)
    assert room.post("<b>eve</b>", [task]).status_code == 200
    room.wait("<b>eve</b>", task["taskUUID"])
    response = room.teacher("GET", "/")
    page = response.text
    assert "<script" not in page and "<img" not in page and "<b>eve" not in page
    assert html.escape(EVIL, quote=True) in page
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    show = re.search(r'href="/show/(\d+)"', page).group(1)
    one = room.teacher("GET", f"/show/{show}")
    assert one.status_code == 200 and "<script" not in one.text and "<video" in one.text


def test_the_gallery_plays_the_class_videos_and_filters_by_student(engine, classroom):
    upstream = engine(render_mode="tiny")
    room = classroom(upstream, {"ann": 5.0, "bob": 5.0})
    for name in ("ann", "bob"):
        task = video_task(positivePrompt=f"a clip by {name}")
        room.post(name, [task])
        room.wait(name, task["taskUUID"])
    page = room.teacher("GET", "/").text
    sources = re.findall(r'<video controls preload="metadata" src="([^"]+)"', page)
    assert len(sources) == 2
    clip = room.http.get(room.relay.root_url + sources[0])
    assert clip.status_code == 200 and clip.headers["content-type"] == "video/mp4"
    only_bob = room.teacher("GET", "/", params={"student": "bob"}).text
    assert "a clip by bob" in only_bob and "a clip by ann" not in only_bob
