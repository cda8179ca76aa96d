"""Defaults: one request, one fingerprint in every form; an explicit price tier is always sent.

The fingerprint is taken over the request with the API reference's documented defaults
spelled out, so flags, the Builder's fields, the API's JSON (with or without its defaults)
and a ``VideoRequest`` of one request share one cache key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wan_notebook import InvalidRequestError, VideoRequest
from wan_notebook.request import _defaults, catalog, facts

EXAMPLES = json.loads((Path(__file__).parents[1] / "data" / "reference_examples.json").read_text())
URL_IMG = "https://assets.example.com/in/first.jpg"
URL_VID = "https://assets.example.com/in/motion.mp4"
URL_AUDIO = "https://assets.example.com/in/track.mp3"

BASE: dict[str, Any] = {
    "taskType": "videoInference",
    "model": "alibaba:wan@2.6",
    "positivePrompt": "a lighthouse in a storm",
    "width": 1280,
    "height": 720,
    "seed": 7,
}

# Every documented default of the reference, spelled out (the first) and left out (the second).
DEFAULTS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("duration", {"duration": 5}, {}),
    ("outputFormat", {"outputFormat": "MP4"}, {}),
    ("outputQuality", {"outputQuality": 95}, {}),
    ("outputType", {"outputType": "URL"}, {}),
    ("deliveryMethod", {"deliveryMethod": "async"}, {}),
    ("numberResults", {"numberResults": 1}, {}),
    ("includeCost (our policy)", {"includeCost": True}, {}),
    ("alibaba.audio", {"providerSettings": {"alibaba": {"audio": True}}}, {}),
    ("alibaba.promptExtend", {"providerSettings": {"alibaba": {"promptExtend": True}}}, {}),
    ("alibaba.shotType", {"providerSettings": {"alibaba": {"shotType": "single"}}}, {}),
    ("alibaba all", {"providerSettings": {"alibaba": dict(_defaults.ALIBABA_DEFAULTS)}}, {}),
    ("empty alibaba", {"providerSettings": {"alibaba": {}}}, {}),
    ("safety.checkContent", {"safety": {"checkContent": False}}, {}),
    ("safety.mode", {"safety": {"mode": "none"}}, {}),
    ("safety fast", {"safety": {"checkContent": True}}, {"safety": {"mode": "fast"}}),
    (
        "frame object",
        {"width": None, "inputs": {"frameImages": [{"image": URL_IMG, "frame": "first"}]}},
        {"width": None, "inputs": {"frameImages": [URL_IMG]}},
    ),
    (
        "frame-only tier",
        {"width": None, "resolution": "720p", "inputs": {"frameImages": [URL_IMG]}},
        {"width": None, "inputs": {"frameImages": [URL_IMG]}},
    ),
]


def task(**changes: Any) -> dict[str, Any]:
    out = json.loads(json.dumps(BASE))
    for key, value in changes.items():
        if key == "width" and value is None:
            out.pop("width"), out.pop("height")
        else:
            out[key] = value
    return out


@pytest.mark.parametrize(("name", "spelled", "left_out"), DEFAULTS, ids=[d[0] for d in DEFAULTS])
def test_a_default_spelled_out_or_left_out_is_one_request(
    name: str, spelled: dict[str, Any], left_out: dict[str, Any]
) -> None:
    a = VideoRequest.model_validate(task(**spelled))
    b = VideoRequest.model_validate(task(**left_out))
    assert a.fingerprint() == b.fingerprint(), name
    assert a.estimated_cost == b.estimated_cost


@pytest.mark.parametrize(
    "changed",
    [
        {"duration": 10},
        {"outputFormat": "WEBM"},
        {"outputQuality": 94},
        {"numberResults": 2},
        {"includeCost": False},
        {"providerSettings": {"alibaba": {"audio": False}}},
        {"providerSettings": {"alibaba": {"promptExtend": False}}},
        {"providerSettings": {"alibaba": {"shotType": "multi"}}},
        {"safety": {"mode": "full"}},
        {"width": None, "resolution": "1080p", "inputs": {"frameImages": [URL_IMG]}},
    ],
)
def test_a_value_other_than_the_default_is_another_request(changed: dict[str, Any]) -> None:
    base = VideoRequest.model_validate(task())
    assert VideoRequest.model_validate(task(**changed)).fingerprint() != base.fingerprint()


def test_flags_builder_fields_api_json_and_a_request_share_one_key() -> None:
    alibaba = {"alibaba": dict(_defaults.ALIBABA_DEFAULTS)}
    spelled = {"outputFormat": "MP4", "outputQuality": 95, "providerSettings": alibaba}
    api = task(duration=5, numberResults=1, **spelled)
    forms = [
        VideoRequest.build("a lighthouse in a storm", size="1280x720", seed=7),
        VideoRequest.build("a lighthouse in a storm", resolution="720p", aspect="16:9", seed=7),
        VideoRequest.coerce(api),
        VideoRequest.coerce(
            {"positive_prompt": "a lighthouse in a storm", "width": 1280, "height": 720, "seed": 7}
        ),
        VideoRequest.coerce({"prompt": "a lighthouse in a storm", "size": "1280x720", "seed": 7}),
        VideoRequest.coerce("a lighthouse in a storm", seed=7),  # the default size
        VideoRequest.coerce(VideoRequest.model_validate(task())),
    ]
    assert len({f.fingerprint() for f in forms}) == 1


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e["request"]["taskUUID"][:8])
def test_reference_requests_parse_round_trip_and_keep_their_key(example: dict[str, Any]) -> None:
    sent = example["request"]
    request = VideoRequest.coerce(sent)
    assert request.to_api() == sent  # nothing added: they carry a size
    assert request.fingerprint() == VideoRequest.model_validate(sent).fingerprint()


# ----- an explicit price tier --------------------------------------------------------------------


@pytest.mark.parametrize("tier", catalog.RESOLUTIONS)
def test_a_frame_image_alone_is_sent_with_an_explicit_resolution(tier: str) -> None:
    request = VideoRequest.build("x", image=URL_IMG, duration=10, default_resolution=tier)  # type: ignore[arg-type]
    api = request.to_api()
    assert api["resolution"] == tier and "width" not in api
    assert request.estimated_cost == catalog.price(tier, 10)  # type: ignore[arg-type]
    assert facts.estimated_cost(api) == request.estimated_cost
    assert request.defaults_used == "resolution"


def test_no_size_at_all_is_1280x720_by_default_and_the_setting_changes_it() -> None:
    request = VideoRequest.build("x")
    assert (request.width, request.height, request.defaults_used) == (1280, 720, "size")
    assert request.estimated_cost == 0.50
    big = VideoRequest.coerce("x", default_resolution="1080p")
    assert (big.width, big.height, big.estimated_cost) == (1920, 1080, 0.75)


def test_reference_videos_without_size_get_a_resolution() -> None:
    request = VideoRequest.build("character1 waves", ref_videos=[URL_VID])
    assert request.to_api()["resolution"] == "720p" and request.defaults_used == "resolution"


def test_a_given_size_or_preset_is_left_alone() -> None:
    assert VideoRequest.build("x", size="960x960").defaults_used is None
    assert VideoRequest.build("x", resolution="1080p").to_api()["resolution"] == "1080p"
    assert VideoRequest.build("x", image=URL_IMG, resolution="1080p").defaults_used is None


def test_a_request_made_without_a_tier_gets_one_when_coerced() -> None:
    bare = VideoRequest.model_validate(task(width=None, inputs={"frameImages": [URL_IMG]}))
    assert "resolution" not in bare.to_api()  # the API's JSON round-trips as written
    sent = VideoRequest.coerce(bare, default_resolution="1080p")
    assert sent.resolution == "1080p" and sent.estimated_cost == 0.75


def test_a_bad_default_resolution_is_named() -> None:
    with pytest.raises(InvalidRequestError, match=r"default_resolution='4k': allowed: 720p"):
        VideoRequest.coerce("x", default_resolution="4k")


def test_the_model_alone_still_refuses_a_request_without_any_size() -> None:
    with pytest.raises(InvalidRequestError) as info:
        VideoRequest.model_validate(task(width=None))
    assert "width" in info.value.parameters
