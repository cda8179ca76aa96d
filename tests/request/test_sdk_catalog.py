"""Our catalog held against a source we did not write: the official SDK's typed parameters.

``runware-sdk`` (``import runware``, in the test extra) generates ``AlibabaWan26Params`` for
``alibaba:wan@2.6`` from Runware's schemas. Where it types a field with a Literal (model,
taskType, resolution, duration, outputFormat, outputType) our table must hold exactly the same
values; a disagreement fails showing both. Where it gives only a base type (width/height,
outputQuality, numberResults, seed, ttl; providerSettings as a plain dict, so shotType is
untyped), every value our rules allow must be of that type, and the comparison becomes exact
on its own when a later SDK adds a Literal.

The property tests run pydantic (strict) over a mirror of the SDK's TypedDict: every request
our rules accept, in any vocabulary, is sent as JSON the SDK's types accept.
"""

from __future__ import annotations

import typing
from typing import Any, Literal, get_args, get_origin

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ConfigDict, TypeAdapter, ValidationError

from tests.request.test_rules import valid_tasks
from wan_notebook import InvalidRequestError, VideoRequest
from wan_notebook.request import catalog, rules

task_map = pytest.importorskip("runware.types.task_map")
SDK = task_map.AlibabaWan26Params
HINTS: dict[str, Any] = typing.get_type_hints(SDK)  # NotRequired[...] stripped


def sdk_values(field: str) -> tuple[Any, ...] | type:
    """The SDK's Literal values for ``field``, or its plain type."""
    hint = HINTS[field]
    if get_origin(hint) is Literal:
        return get_args(hint)
    return get_origin(hint) or hint  # dict[str, object] -> dict


def agree(field: str, ours: tuple[Any, ...]) -> None:
    sdk = sdk_values(field)
    if isinstance(sdk, tuple):
        assert set(ours) == set(sdk), f"{field}: ours {sorted(map(str, ours))} != SDK {sdk}"
    else:
        wrong = [v for v in ours if not isinstance(v, sdk) or isinstance(v, bool) != (sdk is bool)]
        assert not wrong, f"{field}: ours {wrong} are not the SDK's {sdk.__name__}"


# Our side of each comparison: the tables, and the values our rules let through.
QUALITY = tuple(range(catalog.QUALITY_RANGE[0], catalog.QUALITY_RANGE[1] + 1))
RESULTS = tuple(range(catalog.NUMBER_RESULTS_RANGE[0], catalog.NUMBER_RESULTS_RANGE[1] + 1))
OURS: dict[str, tuple[Any, ...]] = {
    "model": (catalog.MODEL_ID,),
    "taskType": (catalog.TASK_TYPE,),
    "resolution": catalog.RESOLUTIONS,
    "duration": catalog.DURATIONS,
    "outputFormat": catalog.OUTPUT_FORMATS,
    "outputType": catalog.OUTPUT_TYPES,
    "width": tuple(w for w, _ in catalog.SIZES.values()),
    "height": tuple(h for _, h in catalog.SIZES.values()),
    "outputQuality": QUALITY,
    "numberResults": RESULTS,
    "seed": (0, catalog.SEED_MAX),
    "ttl": (catalog.TTL_MIN,),
}


@pytest.mark.parametrize("field", sorted(OURS))
def test_our_catalog_agrees_with_the_sdk(field: str) -> None:
    agree(field, OURS[field])


def test_the_fields_the_sdk_types_as_literals_are_the_ones_we_compare_exactly() -> None:
    # If the SDK starts typing another field with a Literal, this test names it.
    literal = {f for f, hint in HINTS.items() if get_origin(hint) is Literal}
    assert literal == {"model", "taskType", "resolution", "duration", "outputFormat", "outputType"}


def test_every_top_level_field_we_accept_is_one_the_sdk_knows() -> None:
    unknown = sorted(rules.TOP_LEVEL - HINTS.keys())
    assert not unknown, f"ours {unknown} are not in the SDK's AlibabaWan26Params"


def test_provider_settings_and_inputs_are_objects_for_the_sdk() -> None:
    # shotType, promptExtend, audio and the media inputs live in dicts the SDK leaves open.
    assert sdk_values("providerSettings") is dict and sdk_values("inputs") is dict
    assert all(isinstance(shot, str) for shot in catalog.SHOT_TYPES)


# ----- property: what our rules accept, the SDK's types accept ----------------------------------


def _sdk_adapter() -> TypeAdapter[Any]:
    """The SDK's TypedDict, rebuilt with typing_extensions (pydantic needs it on 3.11)."""
    import typing_extensions as te

    fields = {k: te.NotRequired[v] for k, v in HINTS.items()}
    mirror = te.TypedDict("AlibabaWan26Mirror", fields)  # type: ignore[misc]
    mirror.__pydantic_config__ = ConfigDict(extra="forbid", strict=True)
    return TypeAdapter(mirror)


ADAPTER = _sdk_adapter()


def sdk_accepts(task: dict[str, Any]) -> None:
    try:
        ADAPTER.validate_python(task)
    except ValidationError as exc:  # pragma: no cover - the failure message is the point
        pytest.fail(f"the SDK's types refuse what we send: {exc}\n{task}")


def test_the_mirror_refuses_what_the_sdk_types_forbid() -> None:
    good = VideoRequest.build("x").to_api()
    ADAPTER.validate_python(good)
    for bad in ({"duration": 7}, {"resolution": "4k"}, {"outputFormat": "GIF"}, {"seed": "7"}):
        with pytest.raises(ValidationError):
            ADAPTER.validate_python({**good, **bad})


ODD = st.one_of(
    st.integers(-10, 3000),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=8),
    st.booleans(),
    st.none(),
)
PERTURBABLE = ("duration", "resolution", "outputFormat", "outputType", "outputQuality",
               "numberResults", "seed", "ttl", "width", "height", "includeCost")  # fmt: skip


@settings(
    max_examples=300, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(valid_tasks(), st.sampled_from((None, *PERTURBABLE)), ODD)
def test_every_task_our_rules_accept_is_sent_as_the_sdk_types_it(
    task: dict[str, Any], field: str | None, value: Any
) -> None:
    if field is not None:
        task[field] = value
    assume(rules.problems(task) == [])
    sdk_accepts(VideoRequest.model_validate(task).to_api())


FLAGS = st.fixed_dictionaries(
    {},
    optional={
        "size": st.one_of(st.sampled_from(catalog.ALLOWED_SIZES), st.text(max_size=9), ODD),
        "resolution": st.one_of(st.sampled_from(catalog.RESOLUTIONS), ODD),
        "aspect": st.one_of(st.sampled_from(("16:9", "4:3", "17:13", "1:1")), ODD),
        "duration": st.one_of(st.sampled_from(catalog.DURATIONS), ODD),
        "seed": st.one_of(st.integers(0, catalog.SEED_MAX), ODD),
        "fmt": st.one_of(st.sampled_from(catalog.OUTPUT_FORMATS), ODD),
        "quality": st.one_of(st.integers(20, 99), ODD),
        "n": st.one_of(st.integers(1, 4), ODD),
        "shot": st.one_of(st.sampled_from(catalog.SHOT_TYPES), ODD),
        "extend": st.one_of(st.booleans(), ODD),
        "audio": st.one_of(st.booleans(), ODD),
        "safety": st.one_of(st.booleans(), st.sampled_from(catalog.SAFETY_MODES), ODD),
        "include_cost": st.one_of(st.booleans(), ODD),
    },
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(FLAGS)
def test_every_request_built_from_flags_is_sent_as_the_sdk_types_it(flags: dict[str, Any]) -> None:
    try:
        request = VideoRequest.coerce("a lighthouse", **flags)
    except InvalidRequestError:
        return  # refused by our rules: nothing is sent
    sdk_accepts(request.to_api())
