"""Facts for records: the tier, the estimate beside the actual cost, and promptExtend."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wan_notebook.request import facts

EXAMPLES = json.loads((Path(__file__).parents[1] / "data" / "reference_examples.json").read_text())


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e["request"]["taskUUID"][:8])
def test_a_record_keeps_the_estimate_beside_what_was_billed(example: dict[str, Any]) -> None:
    task, billed = example["request"], example["response"]["cost"]
    record = facts.record(task, billed)
    assert record["prompt_extend"] is True
    assert record["cost"]["actual"] == billed
    assert record["cost"]["estimated"] in (1.0, 1.5)  # 10 s at 720p or 1080p
    assert abs(billed - record["cost"]["estimated"]) < 0.01  # 1.5033 for 1.50: not an error


def test_prompt_extend_is_read_as_sent_or_as_the_apis_default() -> None:
    assert facts.prompt_extend({}) is True
    assert facts.prompt_extend({"providerSettings": {"alibaba": {"promptExtend": False}}}) is False


def test_the_estimate_follows_tier_duration_and_results() -> None:
    assert facts.estimated_cost({"width": 1920, "height": 1080, "duration": 15}) == 2.25
    assert facts.estimated_cost({"resolution": "1080p", "numberResults": 2}) == 1.5
    assert facts.estimated_cost({"resolution": "1080p", "numberResults": 2}, results=1) == 0.75
    assert facts.estimated_cost({"inputs": {"frameImages": ["x"]}}) == 0.5  # 720p, 5 s
    assert facts.record({"numberResults": 3}, None)["cost"] == {"estimated": 0.5, "actual": None}
