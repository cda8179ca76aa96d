"""The request model: exact API JSON, every rule with a failing and a passing case."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.samples import png_bytes
from wan_notebook import InvalidRequestError, VideoRequest
from wan_notebook.request import catalog
from wan_notebook.request.models import FrameImage

EXAMPLES = json.loads((Path(__file__).parents[1] / "data" / "reference_examples.json").read_text())
URL_IMG = "https://assets.example.com/in/first.jpg"
URL_VID = "https://assets.example.com/in/motion.mp4"
URL_AUDIO = "https://assets.example.com/in/track.mp3"


def base(**extra: Any) -> dict[str, Any]:
    task: dict[str, Any] = {
        "taskType": "videoInference",
        "taskUUID": str(uuid.uuid4()),
        "model": "alibaba:wan@2.6",
        "positivePrompt": "a lighthouse in a storm",
        "width": 1280,
        "height": 720,
    }
    task.update(extra)
    return task


def rejected(task: dict[str, Any]) -> InvalidRequestError:
    with pytest.raises(InvalidRequestError) as info:
        VideoRequest.model_validate(task)
    return info.value


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e["request"]["taskUUID"][:8])
def test_reference_requests_round_trip_to_equal_json(example: dict[str, Any]) -> None:
    request = VideoRequest.model_validate(example["request"])
    assert request.to_api() == example["request"]
    assert json.loads(json.dumps(request.to_api())) == example["request"]


def test_reference_costs_are_near_list_price() -> None:
    for example in EXAMPLES:
        request = VideoRequest.model_validate(example["request"])
        billed = example["response"]["cost"]
        assert abs(billed - request.estimated_cost) / request.estimated_cost < 0.01


def test_serialization_omits_everything_unset() -> None:
    request = VideoRequest(positive_prompt="fog", resolution="720p")
    assert set(request.to_api()) == {
        "taskType",
        "taskUUID",
        "model",
        "positivePrompt",
        "resolution",
    }


def test_task_uuid_is_generated_as_uuid4_when_absent() -> None:
    a, b = (
        VideoRequest(positive_prompt="x", resolution="720p"),
        VideoRequest(positive_prompt="x", resolution="720p"),
    )
    assert uuid.UUID(a.task_uuid).version == 4
    assert a.task_uuid != b.task_uuid


def test_snake_case_python_names_map_to_camel_case() -> None:
    request = VideoRequest(
        positive_prompt="x",
        negative_prompt="blur",
        width=960,
        height=960,
        output_format="WEBM",
        output_quality=80,
        webhook_url="https://hooks.example.com/wan?token=t",
        upload_endpoint="https://bucket.example.com/put",
        include_cost=True,
        number_results=2,
        ttl=120,
        provider_settings={
            "alibaba": {"prompt_extend": True, "shot_type": "multi", "audio": False}
        },
        safety={"check_content": True, "mode": "full"},
    )
    api = request.to_api()
    assert api["webhookURL"].startswith("https://hooks")
    assert api["uploadEndpoint"] == "https://bucket.example.com/put"
    assert api["providerSettings"] == {
        "alibaba": {"promptExtend": True, "shotType": "multi", "audio": False}
    }
    assert api["safety"] == {"checkContent": True, "mode": "full"}
    assert api["outputFormat"] == "WEBM" and api["numberResults"] == 2


# ---- each rule: one failing case, one passing case ----------------------------------------

RULES: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    ("taskType", {"taskType": "imageInference"}, {}, "taskType"),
    ("taskUUID v4", {"taskUUID": "not-a-uuid"}, {"taskUUID": str(uuid.uuid4())}, "taskUUID"),
    ("model", {"model": "alibaba:wan@2.5"}, {}, "model"),
    ("outputType", {"outputType": "base64Data"}, {"outputType": "URL"}, "outputType"),
    ("outputFormat", {"outputFormat": "GIF"}, {"outputFormat": "MOV"}, "outputFormat"),
    ("outputQuality low", {"outputQuality": 19}, {"outputQuality": 20}, "outputQuality"),
    ("outputQuality high", {"outputQuality": 100}, {"outputQuality": 99}, "outputQuality"),
    (
        "webhookURL",
        {"webhookURL": "ftp://x"},
        {"webhookURL": "https://h.example.com/x"},
        "webhookURL",
    ),
    ("deliveryMethod", {"deliveryMethod": "sync"}, {"deliveryMethod": "async"}, "deliveryMethod"),
    (
        "uploadEndpoint",
        {"uploadEndpoint": "not a url"},
        {"uploadEndpoint": "https://s3.example.com/a"},
        "uploadEndpoint",
    ),
    ("safety.mode", {"safety": {"mode": "strict"}}, {"safety": {"mode": "fast"}}, "safety.mode"),
    (
        "safety.checkContent",
        {"safety": {"checkContent": "yes"}},
        {"safety": {"checkContent": True}},
        "safety.checkContent",
    ),
    ("ttl", {"ttl": 59}, {"ttl": 60}, "ttl"),
    ("includeCost", {"includeCost": "true"}, {"includeCost": True}, "includeCost"),
    ("numberResults low", {"numberResults": 0}, {"numberResults": 1}, "numberResults"),
    ("numberResults high", {"numberResults": 5}, {"numberResults": 4}, "numberResults"),
    ("positivePrompt empty", {"positivePrompt": ""}, {"positivePrompt": "a"}, "positivePrompt"),
    (
        "positivePrompt long",
        {"positivePrompt": "a" * 1501},
        {"positivePrompt": "a" * 1500},
        "positivePrompt",
    ),
    (
        "negativePrompt long",
        {"negativePrompt": "n" * 501},
        {"negativePrompt": "n" * 500},
        "negativePrompt",
    ),
    ("negativePrompt empty", {"negativePrompt": ""}, {"negativePrompt": "n"}, "negativePrompt"),
    (
        "resolution",
        {"resolution": "4k", "width": None},
        {"resolution": "1080p", "width": None},
        "resolution",
    ),
    ("duration", {"duration": 7}, {"duration": 15}, "duration"),
    ("seed negative", {"seed": -1}, {"seed": 0}, "seed"),
    ("seed too big", {"seed": 2_147_483_648}, {"seed": 2_147_483_647}, "seed"),
    ("size pair", {"width": 1000, "height": 1000}, {"width": 1440, "height": 1440}, "width"),
    (
        "frameImages one",
        {"inputs": {"frameImages": [URL_IMG, URL_IMG]}},
        {"inputs": {"frameImages": [URL_IMG]}},
        "inputs.frameImages",
    ),
    (
        "frame object",
        {"inputs": {"frameImages": [{"image": URL_IMG, "frame": "last"}]}},
        {"inputs": {"frameImages": [{"image": URL_IMG, "frame": "first"}]}},
        "inputs.frameImages[0].frame",
    ),
    (
        "referenceVideos count",
        {"inputs": {"referenceVideos": [URL_VID] * 4}},
        {"inputs": {"referenceVideos": [URL_VID] * 3}},
        "inputs.referenceVideos",
    ),
    (
        "referenceVideos empty",
        {"inputs": {"referenceVideos": []}},
        {"inputs": {"referenceVideos": [URL_VID]}},
        "inputs.referenceVideos",
    ),
    ("audio input", {"inputs": {"audio": "??"}}, {"inputs": {"audio": URL_AUDIO}}, "inputs.audio"),
    (
        "alibaba.audio",
        {"providerSettings": {"alibaba": {"audio": "on"}}},
        {"providerSettings": {"alibaba": {"audio": False}}},
        "providerSettings.alibaba.audio",
    ),
    (
        "alibaba.shotType",
        {"providerSettings": {"alibaba": {"shotType": "triple"}}},
        {"providerSettings": {"alibaba": {"shotType": "multi"}}},
        "providerSettings.alibaba.shotType",
    ),
    ("unknown field", {"guidance": 7}, {}, "guidance"),
    (
        "unknown provider",
        {"providerSettings": {"openai": {}}},
        {"providerSettings": {"alibaba": {}}},
        "providerSettings.openai",
    ),
]


def _apply(task: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    for key, value in changes.items():
        if value is None:
            task.pop(key, None)
            task.pop("height", None) if key == "width" else None
        else:
            task[key] = value
    return task


@pytest.mark.parametrize(("name", "bad", "good", "parameter"), RULES, ids=[r[0] for r in RULES])
def test_rule_rejects_bad_value_and_accepts_good_one(
    name: str, bad: dict[str, Any], good: dict[str, Any], parameter: str
) -> None:
    error = rejected(_apply(base(), bad))
    assert parameter in error.parameters, error.message
    VideoRequest.model_validate(_apply(base(), good))


def test_width_and_height_must_come_together() -> None:
    task = base()
    del task["height"]
    assert "width" in rejected(task).parameters
    VideoRequest.model_validate(base())


def test_resolution_not_with_width_and_height() -> None:
    error = rejected(base(resolution="720p"))
    assert "resolution" in error.parameters
    task = base(resolution="720p")
    del task["width"], task["height"]
    VideoRequest.model_validate(task)


def test_frame_images_not_with_reference_videos() -> None:
    error = rejected(base(inputs={"frameImages": [URL_IMG], "referenceVideos": [URL_VID]}))
    assert "inputs.referenceVideos" in error.parameters
    VideoRequest.model_validate(base(inputs={"referenceVideos": [URL_VID]}))


def test_input_audio_not_with_native_audio_setting() -> None:
    error = rejected(
        base(inputs={"audio": URL_AUDIO}, providerSettings={"alibaba": {"audio": True}})
    )
    assert "inputs.audio" in error.parameters
    VideoRequest.model_validate(
        base(inputs={"audio": URL_AUDIO}, providerSettings={"alibaba": {"promptExtend": True}})
    )


def test_shot_type_requires_prompt_extend() -> None:
    error = rejected(
        base(providerSettings={"alibaba": {"shotType": "multi", "promptExtend": False}})
    )
    assert "providerSettings.alibaba.shotType" in error.parameters
    VideoRequest.model_validate(
        base(providerSettings={"alibaba": {"shotType": "multi", "promptExtend": True}})
    )
    # promptExtend defaults to true, so leaving it out is fine
    VideoRequest.model_validate(base(providerSettings={"alibaba": {"shotType": "multi"}}))


def test_a_size_resolution_or_frame_image_is_required() -> None:
    task = base()
    del task["width"], task["height"]
    assert "width" in rejected(task).parameters
    VideoRequest.model_validate({**task, "inputs": {"frameImages": [URL_IMG]}})
    VideoRequest.model_validate({**task, "resolution": "1080p"})


def test_one_error_names_all_three_problems_with_allowed_values() -> None:
    with pytest.raises(InvalidRequestError) as info:
        VideoRequest.build("a fox", size="1000x1000", duration=7, shot="multi", extend=False)
    error = info.value
    assert len(error.problems) == 3
    text = str(error)
    assert "size='1000x1000'" in text and "1280x720" in text and "1632x1248" in text
    assert "duration=7" in text and "5, 10, 15" in text
    assert "shotType='multi'" in text and "promptExtend=true" in text


def test_error_renders_as_a_few_lines_not_a_traceback() -> None:
    with pytest.raises(InvalidRequestError) as info:
        VideoRequest.build("a fox", size="1000x1000", duration=7)
    lines = info.value._render_traceback_()
    assert 2 <= len(lines) <= 6
    assert "Traceback" not in "\n".join(lines)


# ---- derived facts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "cost"),
    [
        ({"width": 1280, "height": 720, "duration": 5}, 0.50),
        ({"width": 1280, "height": 720, "duration": 15}, 1.50),
        ({"width": 1080, "height": 1920, "duration": 10}, 1.50),
        ({"width": 1920, "height": 1080, "duration": 15, "numberResults": 4}, 9.00),
        ({"width": None, "resolution": "1080p"}, 0.75),
    ],
)
def test_estimated_cost_follows_published_prices(fields: dict[str, Any], cost: float) -> None:
    assert VideoRequest.model_validate(_apply(base(), fields)).estimated_cost == pytest.approx(cost)


def test_fingerprint_ignores_task_uuid_but_not_content() -> None:
    a = VideoRequest.model_validate(base(seed=1))
    b = VideoRequest.model_validate(base(seed=1))
    c = VideoRequest.model_validate(base(seed=2))
    assert a.task_uuid != b.task_uuid
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()


def test_fingerprint_of_local_file_follows_its_content(tmp_path: Path) -> None:
    path = tmp_path / "first.png"
    path.write_bytes(png_bytes())
    request = VideoRequest.build("x", image=path, resolution="720p")
    before = request.fingerprint()
    path.write_bytes(png_bytes(color=(1, 2, 3)))  # same name, new content
    assert request.fingerprint() != before


def test_with_changes_gives_a_checked_copy_with_new_task_uuid() -> None:
    request = VideoRequest.model_validate(base(seed=1))
    copy = request.with_changes(seed=9)
    assert copy.seed == 9 and copy.task_uuid != request.task_uuid
    with pytest.raises(InvalidRequestError):
        request.with_changes(seed=-5)


# ---- build(): the short names of the magic and builder ------------------------------------


def test_build_with_aspect_picks_the_size_of_the_preset() -> None:
    assert VideoRequest.build("x", aspect="9:16").to_api()["width"] == 720
    api = VideoRequest.build("x", resolution="1080p", aspect="4:3").to_api()
    assert (api["width"], api["height"]) == (1632, 1248) and "resolution" not in api


def test_build_maps_every_flag_to_its_api_field() -> None:
    api = VideoRequest.build(
        "x",
        negative="blur",
        size="1920x1080",
        duration=10,
        seed=4,
        shot="multi",
        audio=False,
        extend=True,
        fmt="MOV",
        quality=70,
        ttl=300,
        webhook="https://h.example.com/",
        upload_to="https://u.example.com/",
        safety="full",
        include_cost=True,
        n=2,
    ).to_api()
    assert api["providerSettings"]["alibaba"] == {
        "audio": False,
        "promptExtend": True,
        "shotType": "multi",
    }
    assert (api["width"], api["height"], api["duration"], api["seed"]) == (1920, 1080, 10, 4)
    assert api["outputFormat"] == "MOV" and api["outputQuality"] == 70 and api["ttl"] == 300
    assert (
        api["safety"] == {"mode": "full"}
        and api["numberResults"] == 2
        and api["includeCost"] is True
    )


def test_build_rejects_an_unparseable_size_with_the_allowed_list() -> None:
    with pytest.raises(InvalidRequestError, match="1280x720"):
        VideoRequest.build("x", size="big")


def test_frame_image_object_and_string_forms_both_work() -> None:
    a = VideoRequest.model_validate(base(inputs={"frameImages": [URL_IMG]}))
    b = VideoRequest.model_validate(
        base(inputs={"frameImages": [{"image": URL_IMG, "frame": "first"}]})
    )
    assert a.frame_image == b.frame_image == URL_IMG
    assert isinstance(b.inputs and b.inputs.frame_images and b.inputs.frame_images[0], FrameImage)


def test_every_size_of_the_table_is_accepted() -> None:
    for width, height in catalog.SIZES.values():
        VideoRequest.model_validate(base(width=width, height=height))


def test_missing_include_cost_shares_the_cache_key_with_true() -> None:
    # %%wan sends includeCost=true, Builder and generate() leave it out: one request, one result.
    implicit = VideoRequest.build("x", size="1280x720", seed=1)
    explicit = VideoRequest.build("x", size="1280x720", seed=1, include_cost=True)
    declined = VideoRequest.build("x", size="1280x720", seed=1, include_cost=False)
    assert implicit.fingerprint() == explicit.fingerprint() != declined.fingerprint()
