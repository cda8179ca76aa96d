"""The API's own URL of a result and when it stops working."""

from __future__ import annotations

import pytest

from wan_notebook.widgets._remote import remote_fields


def test_a_url_lives_ttl_seconds_from_when_the_video_was_made() -> None:
    fields = remote_fields("https://vm.runware.ai/video/a.mp4", ttl=3600, made_at=1000.0)
    assert fields == {"remote_src": "https://vm.runware.ai/video/a.mp4", "remote_expires": 4600.0}


@pytest.mark.parametrize(
    ("ttl", "made_at"), [(None, 1000.0), (3600, None), ("3600", 1000.0), (True, 1000.0), (0, 1.0)]
)
def test_without_a_ttl_or_a_time_its_end_is_unknown(ttl: object, made_at: float | None) -> None:
    fields = remote_fields("https://x/a.mp4", ttl=ttl, made_at=made_at)
    assert fields == {"remote_src": "https://x/a.mp4", "remote_expires": 0.0}


@pytest.mark.parametrize("url", [None, "", "file:///etc/passwd", "javascript:alert(1)"])
def test_no_url_or_one_a_browser_should_not_load_gives_nothing(url: str | None) -> None:
    assert remote_fields(url, ttl=60, made_at=1.0) == {"remote_src": "", "remote_expires": 0.0}
