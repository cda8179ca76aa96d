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
