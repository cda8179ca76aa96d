"""What ``%%wan --dry-run`` shows."""

from __future__ import annotations

import pytest

from wan_notebook import VideoRequest
from wan_notebook.display import DryRun


def test_dry_run_shows_exact_json_and_cost() -> None:
    shown = DryRun(
        VideoRequest.build("a <b>bold</b> fox", size="1920x1080", duration=10), seeds=[1, 2]
    )
    assert [t["seed"] for t in shown.tasks] == [1, 2]
    assert shown.estimated_cost == pytest.approx(3.0)
    page = shown._repr_html_()
    assert page.startswith('<pre class="wan-dry-run">') and "<b>" not in page
    assert "a &lt;b&gt;bold&lt;/b&gt; fox" in page
    assert "$3.00" in repr(shown) and "2 tasks" in repr(shown)


# ---- issue 11 ----------------------------------------------------------------------------


def test_dry_run_lists_the_notes_under_the_json_and_cost() -> None:
    from wan_notebook.request import advice

    request = VideoRequest.build(
        "a dancer on a roof", ref_videos=["https://assets.example.com/m.mp4"], duration=5
    )
    shown = repr(DryRun(request))
    notes = advice.notes(request)
    assert notes and advice.character_hint(request) in notes
    body, tail = shown.split("\n\n", 1)
    assert body.startswith("{")  # the JSON stays first, and parses alone
    lines = tail.splitlines()
    assert "estimated cost" in lines[0]
    assert lines[1:] == [f"note: {n}" for n in notes]
    assert "character1" in DryRun(request)._repr_html_()


def test_dry_run_of_a_plain_request_has_no_note_lines() -> None:
    shown = repr(DryRun(VideoRequest.build("a fox", size="1280x720")))
    assert "note:" not in shown
