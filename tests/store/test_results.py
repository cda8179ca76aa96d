"""The list price of a stored request: the one from ``request.facts``, None when unpriced."""

from __future__ import annotations

from typing import Any

import pytest

from wan_notebook import VideoRequest
from wan_notebook.request import facts
from wan_notebook.store._results import estimated_cost_of


@pytest.mark.parametrize(
    "fields",
    [
        {"size": "1920x1080", "duration": 10},
        {"size": "832x1088", "duration": 15},
        {"resolution": "1080p", "aspect": "1:1"},
        {"image": "https://assets.example.com/a.jpg", "duration": 10},  # explicit resolution
        {"n": 3, "size": "1280x720"},  # the price of ONE video of the task
    ],
)
def test_a_stored_request_is_priced_as_facts_prices_one_video(fields: dict[str, Any]) -> None:
    task = VideoRequest.build("a fox", **fields).to_api()
    assert estimated_cost_of(task) == facts.estimated_cost(task, results=1)
    assert estimated_cost_of(task) == pytest.approx(
        facts.estimated_cost(task) / task.get("numberResults", 1)
    )


def test_an_old_record_without_size_is_priced_at_the_default_tier_and_duration() -> None:
    assert estimated_cost_of({"positivePrompt": "x"}) == pytest.approx(0.5)  # 720p, 5 s
    assert estimated_cost_of({"positivePrompt": "x", "duration": None}) == pytest.approx(0.5)


@pytest.mark.parametrize(
    "record", [{"width": 1000, "height": 700}, {"resolution": "4k"}, {"resolution": "480p"}]
)
def test_a_size_or_tier_with_no_price_has_no_estimate(record: dict[str, Any]) -> None:
    assert estimated_cost_of({"positivePrompt": "x", **record}) is None
