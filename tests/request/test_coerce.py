"""``VideoRequest.coerce``: the one entry point for what callers pass, and ``build``'s flags.

A ``VideoRequest``, a prompt with flag-style fields, the API's own JSON (camelCase,
``positivePrompt``) or snake_case model fields all become a checked request; unknown names
and wrong types are an ``InvalidRequestError`` naming them, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wan_notebook import InvalidRequestError, VideoRequest

EXAMPLES = json.loads((Path(__file__).parents[1] / "data" / "reference_examples.json").read_text())
URL_VID = "https://assets.example.com/in/motion.mp4"


def problem(**kwargs: Any) -> str:
    with pytest.raises(InvalidRequestError) as info:
        VideoRequest.coerce(kwargs.pop("value", None), **kwargs)
    return "\n".join(p.message for p in info.value.problems)


def test_the_apis_own_json_is_a_request_not_flags() -> None:
    sent = EXAMPLES[1]["request"]
    request = VideoRequest.coerce(sent)
    assert request.positive_prompt == sent["positivePrompt"]
    assert request.task_uuid == sent["taskUUID"]
    assert request.to_api() == sent


def test_fields_change_a_request_in_any_vocabulary() -> None:
    base = VideoRequest.coerce(EXAMPLES[0]["request"])
    changed = VideoRequest.coerce(base, size="960x960", shot="single", negative_prompt="blur")
    assert (changed.width, changed.height, changed.negative_prompt) == (960, 960, "blur")
    assert changed.alibaba.shot_type == "single" and changed.alibaba.audio is True  # kept
    assert changed.task_uuid != base.task_uuid  # a changed request is a new task
    fmt = VideoRequest.coerce(base, outputFormat="MOV", seed=3)
    assert (fmt.output_format, fmt.seed) == ("MOV", 3)
    resized = VideoRequest.coerce(base, resolution="720p")
    assert resized.resolution == "720p" and resized.width is None  # a new preset replaces a size


def test_an_unchanged_request_is_returned_as_it_is() -> None:
    request = VideoRequest.build("x", size="1280x720")
    assert VideoRequest.coerce(request) is request


def test_a_dict_of_flags_works_like_keywords() -> None:
    a = VideoRequest.coerce({"prompt": "a fox", "size": "720x1280", "shot": "multi"})
    b = VideoRequest.build("a fox", size="720x1280", shot="multi")
    assert a.fingerprint() == b.fingerprint()


def test_unknown_keys_are_named() -> None:
    text = problem(value={"positivePrompt": "x", "width": 1280, "height": 720, "CFGScale": 7})
    assert text.startswith("CFGScale=7: unknown parameter")
    text = problem(value="x", colour="red")
    assert text.startswith("colour='red': unknown field")


def test_a_prompt_is_required_and_given_once() -> None:
    assert "prompt=None: a text prompt is required" in problem(size="1280x720")
    assert "given twice" in problem(value="a", prompt="b")


def test_a_value_of_the_wrong_type_is_named() -> None:
    assert problem(value=42).startswith("request='int': a VideoRequest, a prompt")


@pytest.mark.parametrize(
    ("kwargs", "start"),
    [
        ({"size": 5}, "size=5: WIDTHxHEIGHT, one of 1280x720"),
        ({"size": "big"}, "size='big': WIDTHxHEIGHT"),
        ({"size": "1000x1000"}, "size='1000x1000': width x height must be one of"),
        ({"size": (1280, "720")}, "size=(1280, '720'): WIDTHxHEIGHT"),
        ({"ref_videos": 5}, "ref_videos=5: a list of 1 to 3 videos"),
        ({"ref_videos": URL_VID}, f"ref_videos='{URL_VID}': a list of 1 to 3 videos"),
        ({"aspect": "5:4"}, "aspect='5:4': allowed: 16:9, 9:16, 1:1, 17:13, 13:17"),
    ],
)
def test_build_names_a_flag_of_the_wrong_type_as_typed(kwargs: dict[str, Any], start: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        VideoRequest.build("x", **kwargs)
    assert info.value.problems[0].message.startswith(start), info.value.message


def test_4_3_is_read_as_the_true_17_13() -> None:
    a = VideoRequest.build("x", aspect="4:3")
    b = VideoRequest.build("x", aspect="17:13")
    assert (a.width, a.height) == (b.width, b.height) == (1088, 832)
    assert (VideoRequest.build("x", aspect="3:4").width) == 832


def test_a_size_tuple_and_a_size_with_a_times_sign_work() -> None:
    assert VideoRequest.build("x", size=(960, 960)).width == 960
    assert VideoRequest.build("x", size="1920×1080").width == 1920
