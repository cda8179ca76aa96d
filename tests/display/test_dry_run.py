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
