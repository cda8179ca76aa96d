"""The %%wan flags: every request field, prompt filling, and request -> cell -> request."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.samples import png_bytes, wav_bytes
from wan_notebook import InvalidRequestError, VideoRequest
from wan_notebook._cell import (
    FlagError,
    fill_prompt,
    parse_cell,
    request_to_cell,
    request_to_python,
)


def test_every_flag_reaches_its_api_field(tmp_path: Path) -> None:
    track = tmp_path / "t.wav"
    track.write_bytes(wav_bytes(3.5))
    line = (
        "--size 1920x1080 --duration 10 --seed 7 --negative 'no text' --shot multi --extend "
        "--ref-video https://cdn.example.com/m.mp4 "
        "--ref-video 822f2568-492c-48e7-a87e-cf69960644a3 "
        "--format WEBM --quality 80 --ttl 120 --webhook https://h.example.com/x "
        "--upload-to https://u.example.com/y --safety fast --results 2"
    )
    api = parse_cell(line, "a fox").request().to_api()
    # Reference videos and an audio input may not be combined (issue 11): audio on its own.
    with_audio = parse_cell(f"--resolution 720p --audio {track}", "a fox").request().to_api()
    assert (api["width"], api["height"], api["duration"], api["seed"]) == (1920, 1080, 10, 7)
    assert api["negativePrompt"] == "no text"
    assert api["providerSettings"] == {"alibaba": {"promptExtend": True, "shotType": "multi"}}
    assert api["inputs"]["referenceVideos"][1] == "822f2568-492c-48e7-a87e-cf69960644a3"
    assert with_audio["inputs"]["audio"] == str(track)
    assert api["outputFormat"] == "WEBM" and api["outputQuality"] == 80 and api["ttl"] == 120
    assert (
        api["webhookURL"] == "https://h.example.com/x"
        and api["uploadEndpoint"] == "https://u.example.com/y"
    )
    assert api["safety"] == {"mode": "fast"} and api["numberResults"] == 2


def test_switches_set_provider_booleans() -> None:
    api = parse_cell("--resolution 720p --no-audio --no-extend", "x").request().to_api()
    assert api["providerSettings"]["alibaba"] == {"audio": False, "promptExtend": False}
    assert "audio" not in parse_cell("--resolution 720p", "x").request().alibaba.model_fields_set


def test_aspect_flag_picks_the_preset_size() -> None:
    api = parse_cell("--resolution 1080p --aspect 9:16", "x").request().to_api()
    assert (api["width"], api["height"]) == (1080, 1920)


def test_prompt_fills_names_and_attributes_and_leaves_other_braces() -> None:
    namespace = {"animal": "fox", "scene": SimpleNamespace(place="snowy forest")}
    text = 'A {animal} in a {scene.place}; JSON {"a": 1}; {unknown}; {{animal}}; {scene.missing}'
    assert (
        fill_prompt(text, namespace)
        == 'A fox in a snowy forest; JSON {"a": 1}; {unknown}; {animal}; {scene.missing}'
    )


def test_raw_turns_filling_off() -> None:
    assert (
        parse_cell("--raw --resolution 720p", "a {animal}", {"animal": "fox"}).prompt
        == "a {animal}"
    )


def test_dunder_attributes_are_never_filled() -> None:
    assert fill_prompt("{x.__class__}", {"x": 1}) == "{x.__class__}"


def test_seeds_accept_lists_and_ranges() -> None:
    assert parse_cell("--seeds 1,2,5-7 --resolution 720p", "x").seeds == [1, 2, 5, 6, 7]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("--seeds 1,2 --n 3", "not both"),
        ("--duration ten", "invalid int"),
        ("--bogus 1", "unrecognized"),
        ("--n 0", "at least 1"),
        ("--image $nothing", "no such variable"),
        ("--negative 'unclosed", "quotation"),
    ],
)
def test_bad_flags_give_one_line_errors(line: str, message: str) -> None:
    with pytest.raises(FlagError, match=message):
        parse_cell(line, "x")


def test_dollar_variables_pass_python_objects() -> None:
    args = parse_cell("--image $img --resolution 720p", "x", {"img": png_bytes()})
    assert args.request().frame_image.startswith("data:image/png")


def test_request_survives_cell_round_trip() -> None:
    request = VideoRequest.build(
        "a {literal} prompt", negative="blur", size="1088x832", duration=10, seed=11, shot="single",
        audio=False, extend=True, fmt="MOV", quality=50, ttl=600, safety="full", n=3,
        ref_videos=["https://cdn.example.com/m.mp4"], include_cost=False,
    )  # fmt: skip
    cell = request_to_cell(request)
    line, body = cell.split("\n", 1)
    assert line.startswith("%%wan ")
    again = parse_cell(line.removeprefix("%%wan "), body).request()
    assert again.canonical() == request.canonical()


def test_cell_for_a_seed_sweep_lists_the_seeds() -> None:
    cell = request_to_cell(VideoRequest.build("x", resolution="720p", seed=3), seeds=[1, 2])
    assert "--seeds 1,2" in cell and "--seed 3" not in cell


def test_python_form_rebuilds_the_same_request() -> None:
    request = VideoRequest.build('it\'s a "quoted" prompt', size="1280x720", seed=1, audio=True)
    namespace: dict = {}
    code = request_to_python(request).replace("job = wan_notebook.generate(request)", "")
    exec(compile(code, "<as-code>", "exec"), namespace)  # noqa: S102 - our own generated code
    assert namespace["request"].canonical() == request.canonical()


def test_size_problems_name_the_flag_and_keep_the_api_parameter() -> None:
    """Issue 12, finding 9: the person typed --size, not width and height."""
    with pytest.raises(InvalidRequestError) as info:
        parse_cell("--size 1000x1000 --duration 7", "a fox").request()
    messages = [p.message for p in info.value.problems]
    assert messages[0].startswith(
        "--size 1000x1000: not a Wan 2.6 size; use one of\n    1280x720, 720x1280, "
    )
    # Whole sizes per line: front ends break a long error line anywhere, inside a size too.
    assert all(len(line) <= 60 for line in messages[0].splitlines()[1:])
    assert "1248x1632" in messages[0].splitlines()[-1]
    assert "duration=7: allowed: 5, 10, 15 (seconds)" in messages
    # The request layer now names the field as typed (issue 11: size=), not width.
    assert sorted(info.value.parameters) == ["duration", "size"], "tools still see the field"
    assert len(messages) == 2, "width and height: said once, as --size"
    with pytest.raises(InvalidRequestError) as info:
        parse_cell("--size big", "a fox").request()
    assert [p.message.split(":")[0] for p in info.value.problems] == ["--size big"]


# ---- issue 11 ----------------------------------------------------------------------------


def test_aspect_help_names_the_real_ratios_beside_the_known_ones() -> None:
    from wan_notebook._cell import PARSER
    from wan_notebook.request import catalog

    text = " ".join(PARSER.format_help().split())
    assert "16:9, 9:16, 1:1, 17:13 (4:3) or 13:17 (3:4)" in text
    # ... and every ratio it names is one the request accepts, as the sizes really are.
    for aspect in ("16:9", "9:16", "1:1", "17:13", "13:17", "4:3", "3:4"):
        request = parse_cell(f"--resolution 720p --aspect {aspect}", "a fox", {}).request()
        width, height = catalog.size_for("720p", aspect)
        assert (request.width, request.height) == (width, height), aspect
    assert catalog.size_for("720p", "4:3") == (1088, 832)  # 17:13, not 4:3
