"""Property-based checks of the rules: valid requests round-trip, invalid ones are all rejected."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wan_notebook import InvalidRequestError, VideoRequest
from wan_notebook.request import catalog, rules

IMG = st.sampled_from(
    [
        "https://cdn.example.com/a.png",
        "aac49721-1964-481a-ae78-8a4e29b91402",
        # an opaque 1x1 RGB PNG (a PNG with transparency is refused)
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGM4EaABAAMkAUEdGZ/EAAAAAElFTkSuQmCC",
    ]
)
VID = st.sampled_from(["https://cdn.example.com/m.mp4", "822f2568-492c-48e7-a87e-cf69960644a3"])
AUD = st.sampled_from(["https://cdn.example.com/t.mp3", "05eca0b7-decf-4e1b-b194-0f38674fc6d8"])
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60
).filter(str.strip)


@st.composite
def valid_tasks(draw: st.DrawFn) -> dict[str, Any]:
    task: dict[str, Any] = {
        "taskType": "videoInference",
        "taskUUID": str(uuid.UUID(int=draw(st.integers(0, 2**128 - 1)), version=4)),
        "model": catalog.MODEL_ID,
        "positivePrompt": draw(TEXT),
    }
    inputs: dict[str, Any] = {}
    media_kind = draw(st.sampled_from(["none", "frame", "frame_obj", "refs"]))
    if media_kind == "frame":
        inputs["frameImages"] = [draw(IMG)]
    elif media_kind == "frame_obj":
        inputs["frameImages"] = [{"image": draw(IMG), "frame": "first"}]
    elif media_kind == "refs":
        inputs["referenceVideos"] = draw(st.lists(VID, min_size=1, max_size=3))
    sizing = draw(
        st.sampled_from(["size", "resolution"] + (["none"] if "frameImages" in inputs else []))
    )
    if sizing == "size":
        task["width"], task["height"] = draw(st.sampled_from(list(catalog.SIZES.values())))
    elif sizing == "resolution":
        task["resolution"] = draw(st.sampled_from(catalog.RESOLUTIONS))
    alibaba: dict[str, Any] = {}
    if "referenceVideos" not in inputs and draw(st.booleans()):  # the voice comes from them
        inputs["audio"] = draw(AUD)
    elif draw(st.booleans()):
        alibaba["audio"] = draw(st.booleans())
    if draw(st.booleans()):
        alibaba["shotType"] = draw(st.sampled_from(catalog.SHOT_TYPES))
        if draw(st.booleans()):
            alibaba["promptExtend"] = True
    elif draw(st.booleans()):
        alibaba["promptExtend"] = draw(st.booleans())
    if alibaba:
        task["providerSettings"] = {"alibaba": alibaba}
    if inputs:
        task["inputs"] = inputs
    optional: dict[str, st.SearchStrategy[Any]] = {
        "negativePrompt": TEXT,
        "duration": st.sampled_from(
            catalog.REFERENCE_DURATIONS if "referenceVideos" in inputs else catalog.DURATIONS
        ),
        "seed": st.integers(0, catalog.SEED_MAX),
        "outputType": st.just("URL"),
        "outputFormat": st.sampled_from(catalog.OUTPUT_FORMATS),
        "outputQuality": st.integers(20, 99),
        "webhookURL": st.just("https://hooks.example.com/wan?token=abc"),
        "deliveryMethod": st.just("async"),
        "uploadEndpoint": st.just("https://bucket.example.com/out.mp4?X-Amz-Signature=1"),
        "safety": st.fixed_dictionaries(
            {},
            optional={"checkContent": st.booleans(), "mode": st.sampled_from(catalog.SAFETY_MODES)},
        ),
        "ttl": st.integers(60, 10**7),
        "includeCost": st.booleans(),
        "numberResults": st.integers(1, 4),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            task[key] = draw(strategy)
    return task


# Each mutation makes a valid task invalid in one known way.
MUTATIONS: dict[str, Any] = {
    "bad duration": lambda t, d: t.update(duration=d(st.sampled_from([0, 1, 3, 6, 7.5, 20, -5]))),
    "bad seed": lambda t, d: t.update(seed=d(st.sampled_from([-1, 2**31, 2**40, "7", 1.5]))),
    "bad size": lambda t, d: (
        t.pop("resolution", None),
        t.update(width=d(st.integers(1, 4000)), height=7),
    ),
    "lone width": lambda t, d: (
        t.pop("resolution", None),
        t.pop("height", None),
        t.update(width=1280),
    ),
    "resolution with size": lambda t, d: t.update(resolution="720p", width=1280, height=720),
    "bad quality": lambda t, d: t.update(outputQuality=d(st.sampled_from([0, 19, 100, 150, "95"]))),
    "bad results": lambda t, d: t.update(numberResults=d(st.sampled_from([0, 5, 10, -1]))),
    "bad ttl": lambda t, d: t.update(ttl=d(st.sampled_from([0, 59, -60, "600"]))),
    "bad format": lambda t, d: t.update(outputFormat=d(st.sampled_from(["mp4", "GIF", "AVI", ""]))),
    "empty prompt": lambda t, d: t.update(positivePrompt=d(st.sampled_from(["", "   ", "\n"]))),
    "long prompt": lambda t, d: t.update(positivePrompt="x" * d(st.integers(1501, 3000))),
    "long negative": lambda t, d: t.update(negativePrompt="x" * d(st.integers(501, 900))),
    "unknown field": lambda t, d: t.update(CFGScale=d(st.integers(1, 9))),
    "bad model": lambda t, d: t.update(model="alibaba:wan@2.5"),
    "bad uuid": lambda t, d: t.update(taskUUID=d(st.sampled_from(["", "123", str(uuid.uuid1())]))),
    "frames and refs": lambda t, d: t.update(
        inputs={
            "frameImages": ["https://a.example/x.png"],
            "referenceVideos": ["https://a.example/v.mp4"],
        }
    ),
    "two audios": lambda t, d: (
        t.update(inputs={"audio": "https://a.example/a.mp3"}),
        t.update(providerSettings={"alibaba": {"audio": d(st.booleans())}}),
    ),
    "shot without extend": lambda t, d: t.update(
        providerSettings={"alibaba": {"shotType": "multi", "promptExtend": False}}
    ),
    "no size at all": lambda t, d: [
        t.pop(k, None) for k in ("width", "height", "resolution", "inputs")
    ],
    "too many refs": lambda t, d: t.update(
        inputs={"referenceVideos": ["https://a.example/v.mp4"] * 4}
    ),
    "last frame": lambda t, d: t.update(
        inputs={"frameImages": [{"image": "https://a.example/x.png", "frame": "last"}]}
    ),
    "bad webhook": lambda t, d: t.update(
        webhookURL=d(st.sampled_from(["", "hooks", "ftp://x.example/"]))
    ),
    "bad safety": lambda t, d: t.update(safety={"mode": d(st.sampled_from(["on", "strict", ""]))}),
    "refs for 15 s": lambda t, d: (
        t.update(inputs={"referenceVideos": ["https://a.example/v.mp4"]}, duration=15),
    ),
    "refs with an audio input": lambda t, d: (
        t.update(inputs={"referenceVideos": [d(VID)], "audio": d(AUD)}),
        t.get("providerSettings", {}).get("alibaba", {}).pop("audio", None),
    ),
    "inline video on the wire": lambda t, d: t.update(
        inputs={"referenceVideos": ["data:video/mp4;base64," + "A" * 64]}
    ),
}


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(valid_tasks())
def test_valid_requests_round_trip_through_json(task: dict[str, Any]) -> None:
    assert rules.problems(task) == []
    request = VideoRequest.model_validate(task)
    wire = json.loads(json.dumps(request.to_api()))
    assert wire == task
    assert VideoRequest.model_validate(wire).to_api() == task


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(valid_tasks(), st.sampled_from(sorted(MUTATIONS)), st.data())
def test_invalid_requests_are_all_rejected_with_named_fields(
    task: dict[str, Any], mutation: str, data: st.DataObject
) -> None:
    MUTATIONS[mutation](task, data.draw)
    found = rules.problems(task, allow_local=False)
    assert found, f"{mutation} was not caught: {task}"
    with pytest.raises(InvalidRequestError) as info:
        VideoRequest.model_validate(task)
    assert info.value.problems
    assert all(p.parameter for p in info.value.problems)


def test_server_side_rules_refuse_local_paths(tmp_path: Any) -> None:
    image = tmp_path / "f.png"
    from tests.samples import png_bytes

    image.write_bytes(png_bytes())
    task = VideoRequest.build("x", image=image, resolution="720p").to_api()
    assert rules.problems(task, allow_local=True) == []
    [problem] = rules.problems(task, allow_local=False)
    assert problem.parameter == "inputs.frameImages[0]" and "uploaded" in problem.allowed


def test_problem_message_names_field_value_and_allowed() -> None:
    [problem] = rules.problems(
        {**VideoRequest.build("x", resolution="720p").to_api(), "duration": 6}
    )
    assert problem.message == "duration=6: allowed: 5, 10, 15 (seconds)"
    assert problem.allowed_values == (5, 10, 15) and problem.code == "unsupportedDuration"
