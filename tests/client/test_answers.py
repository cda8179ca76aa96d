"""Answer shapes: acknowledgements, processing, success, and both error shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wan_notebook.client._answers import (
    ApiErrorItem,
    Processing,
    VideoResult,
    parse_body,
    parse_poll_item,
    within_results,
)

EXAMPLES = json.loads((Path(__file__).parents[1] / "data" / "reference_examples.json").read_text())


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e["request"]["taskUUID"][:8])
def test_reference_success_items_parse(example: dict) -> None:
    item = parse_poll_item(example["response"])
    assert isinstance(item, VideoResult)
    assert item.video_url and item.video_url.endswith(".mp4")
    assert item.seed == example["request"]["seed"] and item.cost == example["response"]["cost"]
    assert item.to_api() == example["response"]


def test_processing_item_keeps_progress() -> None:
    item = parse_poll_item(
        {"taskType": "videoInference", "taskUUID": "u", "status": "processing", "progress": 42}
    )
    assert isinstance(item, Processing) and item.progress == 42


def test_error_in_errors_array_is_an_error_item() -> None:
    body = parse_body(
        {
            "errors": [
                {"code": "timeoutProvider", "message": "slow", "taskUUID": "u", "status": "error"}
            ]
        }
    )
    assert body.data == [] and body.errors[0].code == "timeoutProvider"


def test_error_as_data_item_with_nested_error_is_an_error_item() -> None:
    body = parse_body(
        {
            "data": [
                {
                    "taskType": "videoInference",
                    "taskUUID": "u",
                    "status": "error",
                    "error": {"code": "inferenceError", "message": "boom"},
                }
            ]
        }
    )
    assert body.data == []
    assert body.errors[0].code == "inferenceError" and body.errors[0].task_uuid == "u"


def test_mixed_body_keeps_both_parts() -> None:
    body = parse_body(
        {
            "data": [{"taskType": "videoInference", "taskUUID": "a"}],
            "errors": [{"code": "conflictTaskUUID", "message": "m", "taskUUID": "b"}],
        }
    )
    assert len(body.data) == 1 and body.errors[0].code == "conflictTaskUUID"


@pytest.mark.parametrize(
    "shape",
    [
        [{"code": "invalidApiKey", "message": "bad key"}],
        {"error": {"code": "invalidApiKey", "message": "bad key"}, "taskUUID": "t"},
        {"code": "invalidApiKey", "message": "bad key"},
        {"error": True, "errorMessage": "bad key", "errorId": 19, "code": "invalidApiKey"},
    ],
    ids=["bare-list", "error-object", "single-object", "legacy"],
)
def test_every_documented_error_shape_is_accepted(shape: object) -> None:
    [error] = parse_body(shape).errors
    assert (
        isinstance(error, ApiErrorItem)
        and error.code == "invalidApiKey"
        and "bad key" in error.message
    )


@pytest.mark.parametrize("body", ["text", 3, {"data": "x"}, {"data": [1]}])
def test_malformed_bodies_raise_value_error(body: object) -> None:
    with pytest.raises(ValueError):
        parse_body(body)


def test_result_key_prefers_result_index() -> None:
    a = VideoResult.model_validate({"taskUUID": "t", "videoUUID": "v1", "resultIndex": 0})
    b = VideoResult.model_validate({"taskUUID": "t", "videoUUID": "v2"})
    assert a.key == "#0" and b.key == "v2"


# ----- numbers the API gets wrong (finding 7) ----------------------------------------------


@pytest.mark.parametrize(
    "cost", ["NaN", "Infinity", "-Infinity", -5, "-0.5", "abc", True, [1], {"usd": 1}]
)
def test_a_cost_that_is_not_a_finite_number_at_least_zero_is_unknown(
    cost: object, caplog: pytest.LogCaptureFixture
) -> None:
    item = parse_poll_item(
        {"taskUUID": f"u-{cost!r}", "videoUUID": "v", "videoURL": "http://x/v.mp4", "cost": cost}
    )
    assert isinstance(item, VideoResult) and item.cost is None
    assert "recorded as unknown" in caplog.text
    json.dumps(item.to_api(), allow_nan=False)  # a sidecar of it is valid JSON


def test_nan_and_infinity_literals_in_an_answer_never_reach_a_sidecar() -> None:
    raw = b'{"data": [{"taskUUID": "u", "videoUUID": "v", "cost": NaN, "extra": Infinity}]}'
    from wan_notebook.client._client import _constant

    body = parse_body(json.loads(raw, parse_constant=_constant))
    item = parse_poll_item(body.data[0])
    assert isinstance(item, VideoResult) and item.cost is None
    json.dumps(item.to_api(), allow_nan=False)


def test_a_good_cost_is_kept_and_warned_about_once(caplog: pytest.LogCaptureFixture) -> None:
    assert parse_poll_item({"taskUUID": "u", "videoUUID": "v", "cost": 0.5}).cost == 0.5  # type: ignore[union-attr]
    assert parse_poll_item({"taskUUID": "u", "videoUUID": "v", "cost": 0}).cost == 0.0  # type: ignore[union-attr]
    for _ in range(3):  # each poll repeats the cumulative list
        parse_poll_item({"taskUUID": "w", "videoUUID": "v", "cost": "NaN"})
    assert caplog.text.count("recorded as unknown") == 1


def test_a_non_finite_progress_is_dropped() -> None:
    item = parse_poll_item({"taskUUID": "u", "status": "processing", "progress": "NaN"})
    assert isinstance(item, Processing) and item.progress is None


# ----- more results than asked for (finding 6, the client's helper) ------------------------


def test_within_results_keeps_number_results_and_warns_about_extras(
    caplog: pytest.LogCaptureFixture,
) -> None:
    items = [
        parse_poll_item({"taskUUID": "t", "videoUUID": f"v{i}", "resultIndex": i, "cost": 0.5})
        for i in reversed(range(12))
    ]
    items.append(parse_poll_item({"taskUUID": "t", "status": "processing"}))
    kept = within_results("t", items, 1)
    results = [i for i in kept if isinstance(i, VideoResult)]
    assert [r.result_index for r in results] == [0]
    assert isinstance(kept[-1], Processing)
    assert "sent 12 results for numberResults=1" in caplog.text
    assert within_results("t", items[:2], 2) == items[:2]
