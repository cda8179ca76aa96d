"""The Builder form: each control sets its API field, rules show live, and it agrees with %%wan."""

from __future__ import annotations

import datetime as dt
import re
import types
from typing import Any

import pytest

from tests.samples import png_bytes, wav_bytes
from wan_notebook._cell import parse_cell, request_to_cell
from wan_notebook.errors import InvalidRequestError
from wan_notebook.request import catalog, media
from wan_notebook.request.models import VideoRequest
from wan_notebook.widgets import _html
from wan_notebook.widgets import builder as builder_module
from wan_notebook.widgets.builder import Builder

MP4_HEAD = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64


def api(b: Builder) -> dict[str, Any]:
    task = b.request.to_api()
    task.pop("taskUUID")
    return task


def upload(field: Any, name: str, data: bytes) -> None:
    """What the browser does when a file is chosen in a FileUpload."""
    field.upload.value = (
        {
            "name": name,
            "type": "",
            "size": len(data),
            "content": memoryview(data),
            "last_modified": dt.datetime.now(dt.UTC),
        },
    )


def as_cell(request: VideoRequest, namespace: dict[str, Any] | None = None) -> VideoRequest:
    line, _, body = request_to_cell(request).partition("\n")
    return parse_cell(line.removeprefix("%%wan"), body, namespace).request()


@pytest.fixture
def form() -> Builder:
    b = Builder("a red fox in the snow")
    b.seed = 7
    return b


# ----- controls -> API JSON ------------------------------------------------------------------


def test_a_fresh_form_asks_for_a_prompt_without_a_red_error() -> None:
    b = Builder()
    c = b.controls
    assert c.generate.disabled
    assert "Write a prompt" in c.problems.value
    assert "wan-builder-problem-list" not in c.problems.value
    assert b.invalid_controls == []
    assert "0 / 1500" in c.prompt_count.value


def test_defaults_send_only_prompt_size_and_seed(form: Builder) -> None:
    assert api(form) == {
        "taskType": "videoInference",
        "model": "alibaba:wan@2.6",
        "positivePrompt": "a red fox in the snow",
        "width": 1280,
        "height": 720,
        "seed": 7,
    }
    assert not form.controls.generate.disabled


def test_every_control_maps_to_its_api_field(form: Builder) -> None:
    c = form.controls
    c.negative.value = "blurry"
    c.resolution.value = "1080p"
    c.aspect.value = "9:16"
    c.duration.value = 10
    c.shot.value = "multi"
    c.native_audio.value = False
    c.fmt.value = "WEBM"
    c.quality.value = 80
    c.n.value = 2
    c.safety.value = "full"
    c.include_cost.value = False
    c.webhook.value = "https://example.com/hook"
    c.upload_to.value = "https://example.com/put"
    c.ttl.value = 3600
    assert api(form) == {
        "taskType": "videoInference",
        "model": "alibaba:wan@2.6",
        "positivePrompt": "a red fox in the snow",
        "negativePrompt": "blurry",
        "width": 1080,
        "height": 1920,
        "duration": 10,
        "seed": 7,
        "providerSettings": {"alibaba": {"audio": False, "shotType": "multi"}},
        "outputFormat": "WEBM",
        "outputQuality": 80,
        "webhookURL": "https://example.com/hook",
        "uploadEndpoint": "https://example.com/put",
        "safety": {"mode": "full"},
        "ttl": 3600,
        "includeCost": False,
        "numberResults": 2,
    }


@pytest.mark.parametrize(("preset", "aspect"), list(catalog.SIZES))
def test_preset_and_aspect_give_the_exact_pixel_size(
    form: Builder, preset: str, aspect: str
) -> None:
    form.controls.resolution.value = preset
    form.controls.aspect.value = aspect
    width, height = catalog.SIZES[(preset, aspect)]
    assert (api(form)["width"], api(form)["height"]) == (width, height)
    assert f"{width} × {height} px" in form.controls.size_label.value


def test_resolution_only_sends_resolution_and_lets_the_image_set_the_aspect(
    form: Builder,
) -> None:
    c = form.controls
    c.size_mode.value = "resolution"
    c.resolution.value = "1080p"
    task = api(form)
    assert task["resolution"] == "1080p"
    assert "width" not in task and "height" not in task
    assert c.aspect.disabled
    assert "follows the frame image" in c.size_label.value


def test_prompt_extension_off_is_sent_as_false(form: Builder) -> None:
    form.controls.extend.value = False
    assert api(form)["providerSettings"] == {"alibaba": {"promptExtend": False}}


def test_media_inputs_by_path_or_url(form: Builder, tmp_path: Any) -> None:
    image = tmp_path / "first.png"
    image.write_bytes(png_bytes())
    c = form.controls
    c.image.text.value = str(image)
    assert api(form)["inputs"] == {"frameImages": [str(image)]}
    c.image.text.value = ""
    c.ref_videos.text.value = "https://example.com/a.mp4\n\nhttps://example.com/b.mp4\n"
    assert api(form)["inputs"] == {
        "referenceVideos": ["https://example.com/a.mp4", "https://example.com/b.mp4"],
    }
    # Reference videos and an audio input may not be combined (issue 11): audio on its own.
    c.ref_videos.text.value = ""
    c.audio_input.text.value = "https://example.com/song.mp3"
    c.native_audio.value = True  # the default: not sent, so it cannot clash with inputs.audio
    assert api(form)["inputs"] == {"audio": "https://example.com/song.mp3"}


def test_uploaded_bytes_become_a_data_uri_input(form: Builder) -> None:
    c = form.controls
    data = png_bytes()
    upload(c.image, "fox.png", data)
    assert api(form)["inputs"]["frameImages"] == [media.to_data_uri(data, "image/png")]
    assert c.image.upload.value == ()  # the widget's synced copy is released
    assert "fox.png" in c.image.status.value
    c.image.text.value = "https://example.com/other.png"  # typing replaces the upload
    assert api(form)["inputs"]["frameImages"] == ["https://example.com/other.png"]
    assert c.image.status.value == ""


def test_several_reference_video_uploads_add_up(form: Builder) -> None:
    c = form.controls
    upload(c.ref_videos, "a.mp4", MP4_HEAD)
    upload(c.ref_videos, "b.mp4", MP4_HEAD + b"\x01")
    c.ref_videos.text.value = "https://example.com/c.mp4"
    refs = api(form)["inputs"]["referenceVideos"]
    assert refs[0] == "https://example.com/c.mp4"
    assert [r.split(",")[0] for r in refs[1:]] == ["data:video/mp4;base64"] * 2
    c.ref_videos.clear.click()
    assert "inputs" not in api(form)


def test_audio_upload_is_sent_as_audio_input(form: Builder) -> None:
    upload(form.controls.audio_input, "song.wav", wav_bytes(3.5))
    assert api(form)["inputs"]["audio"].startswith("data:audio/wav;base64,")


def test_upload_help_mentions_the_websocket_limit(form: Builder) -> None:
    assert "10 MB" in form.controls.image.upload.tooltip


# ----- live validation ------------------------------------------------------------------------


def test_multi_shot_without_prompt_extension_disables_generate_and_names_the_fields(
    form: Builder,
) -> None:
    c = form.controls
    c.shot.value = "multi"
    c.extend.value = False
    assert form.sections.selected_index == 1  # "Look & sound" opened to show the fields
    assert c.generate.disabled
    assert not form.valid
    assert "providerSettings.alibaba.shotType" in c.problems.value
    assert "promptExtend" in c.problems.value
    assert form.invalid_controls == ["extend", "shot"]
    assert "wan-builder-invalid" in c.shot._dom_classes
    with pytest.raises(InvalidRequestError):
        _ = form.request
    c.extend.value = True  # fixed: the highlight and the message go away
    assert not c.generate.disabled
    assert form.invalid_controls == []
    assert "wan-builder-invalid" not in c.shot._dom_classes
    assert c.problems.value == ""


def test_frame_image_with_reference_video_is_refused(form: Builder) -> None:
    c = form.controls
    upload(c.image, "fox.png", png_bytes())
    c.ref_videos.text.value = "https://example.com/a.mp4"
    assert c.generate.disabled
    assert "inputs.referenceVideos" in c.problems.value
    assert "inputs.frameImages" in c.problems.value
    assert form.invalid_controls == ["image", "ref_videos"]
    assert "wan-builder-invalid" in c.image.text._dom_classes


def test_native_audio_off_with_an_audio_input_is_refused(form: Builder) -> None:
    c = form.controls
    c.native_audio.value = False
    c.audio_input.text.value = "https://example.com/song.mp3"
    assert form.invalid_controls == ["audio_input", "native_audio"]


@pytest.mark.parametrize(
    ("control", "value", "parameter", "name"),
    [
        ("webhook", "not a url", "webhookURL", "webhook"),
        ("upload_to", "ftp://x", "uploadEndpoint", "upload_to"),
        ("ttl", 30, "ttl", "ttl"),
        ("seed", -1, "seed", "seed"),
        ("seed", catalog.SEED_MAX + 1, "seed", "seed"),
    ],
)
def test_a_bad_value_is_reported_on_its_control(
    form: Builder, control: str, value: Any, parameter: str, name: str
) -> None:
    getattr(form.controls, control).value = value
    assert form.controls.generate.disabled
    assert f"{parameter}=" in form.controls.problems.value
    assert form.invalid_controls == [name]


def test_a_missing_image_file_is_reported_on_the_image_control(form: Builder) -> None:
    form.controls.image.text.value = "/nonexistent/first.png"
    assert "inputs.frameImages[0]" in form.controls.problems.value
    assert form.invalid_controls == ["image"]


def test_size_from_the_image_needs_an_image(form: Builder) -> None:
    c = form.controls
    c.size_mode.value = "auto"
    assert c.generate.disabled
    assert "image" in form.invalid_controls
    upload(c.image, "fox.png", png_bytes())
    assert not c.generate.disabled
    # The price tier is explicit (issue 11): the image's shape, billed at 720p.
    assert "width" not in api(form) and api(form)["resolution"] == "720p"


def test_prompt_count_turns_red_past_the_limit(form: Builder) -> None:
    c = form.controls
    c.prompt.value = "x" * 1501
    assert "1501 / 1500" in c.prompt_count.value
    assert _html.RED in c.prompt_count.value
    assert form.invalid_controls == ["prompt"]
    c.negative.value = "y" * 12
    assert "12 / 500" in c.negative_count.value


def test_problem_messages_are_html_escaped(form: Builder) -> None:
    form.controls.webhook.value = "<script>alert(1)</script>"
    assert "<script>" not in form.controls.problems.value
    assert "&lt;script&gt;" in form.controls.problems.value


# ----- cost, seed ------------------------------------------------------------------------------


def test_cost_estimate_follows_size_duration_and_results(form: Builder) -> None:
    c = form.controls
    assert "≈ $0.50" in c.cost.value
    c.resolution.value = "1080p"
    c.duration.value = 15
    c.n.value = 2
    assert "≈ $4.50" in c.cost.value
    assert form.request.estimated_cost == pytest.approx(4.5)
    c.prompt.value = ""  # still priced while the form is incomplete
    assert "≈ $4.50" in c.cost.value


def test_setting_the_seed_locks_it(form: Builder) -> None:
    assert form.controls.seed_lock.value
    assert api(form)["seed"] == 7
    assert "seed 7 (locked)" in form.controls.summary.value


def test_summary_line_names_size_duration_seed_results_and_format(form: Builder) -> None:
    c = form.controls
    c.aspect.value = "1:1"
    c.duration.value = 15
    c.n.value = 3
    c.seed_lock.value = False
    assert "960 × 960 · 15 s · seed 7 · 3 results · MP4" in c.summary.value


def test_the_dice_button_picks_a_new_seed(form: Builder) -> None:
    seen = set()
    for _ in range(3):
        form.controls.seed_random.click()
        seen.add(form.seed)
        assert api(form)["seed"] == form.seed
        assert 0 <= form.seed <= catalog.SEED_MAX
    assert len(seen) > 1


class FakeJobs:
    def __init__(self) -> None:
        self.requests: list[tuple[VideoRequest, bool]] = []

    def generate(self, request: VideoRequest, new: bool = False) -> Any:
        self.requests.append((request, new))
        return types.SimpleNamespace(request=request, done=False, on_change=lambda cb: cb)


@pytest.fixture
def fake_jobs(monkeypatch: pytest.MonkeyPatch) -> FakeJobs:
    import wan_notebook
    from wan_notebook import jobs

    fake = FakeJobs()
    monkeypatch.setattr(jobs, "generate", fake.generate)
    monkeypatch.setattr(wan_notebook, "jobs", jobs, raising=False)
    monkeypatch.setattr(builder_module, "job_widget", lambda job: builder_module.W.HTML("job"))
    return fake


def test_generate_sends_the_shown_seed_then_rolls_a_new_one_when_unlocked(
    form: Builder, fake_jobs: FakeJobs
) -> None:
    form.controls.seed_lock.value = False
    form.controls.generate.click()
    form.controls.generate.click()
    first, second = (r.seed for r, _ in fake_jobs.requests)
    assert first == 7
    assert second != first
    assert form.seed not in (first, second)


def test_generate_keeps_a_locked_seed(form: Builder, fake_jobs: FakeJobs) -> None:
    form.controls.generate.click()
    form.controls.generate.click()
    assert [r.seed for r, _ in fake_jobs.requests] == [7, 7]
    assert [new for _, new in fake_jobs.requests] == [False, False]
    assert len(form.jobs) == 2
    assert len(form.job_slot.children) == 1  # the latest job is shown


def test_a_failing_generate_shows_the_error_in_the_form(
    form: Builder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wan_notebook import jobs
    from wan_notebook.errors import BudgetExceededError

    def refuse(request: VideoRequest, new: bool = False) -> Any:
        raise BudgetExceededError("this would pass the session cap of $1.00")

    monkeypatch.setattr(jobs, "generate", refuse)
    form.controls.generate.click()
    (shown,) = form.job_slot.children
    assert "session cap" in shown.value
    assert "wan-builder-error" in shown._dom_classes


# ----- the same request as the %%wan cell, and back ------------------------------------------


FORMS = {
    "defaults": {},
    "everything": {
        "negative": "blurry, text",
        "resolution": "1080p",
        "aspect": "17:13",
        "duration": 15,
        "shot": "multi",
        "native_audio": False,
        "fmt": "MOV",
        "quality": 42,
        "n": 3,
        "safety": "fast",
        "include_cost": False,
        "webhook": "https://example.com/hook?x=1",
        "upload_to": "https://example.com/put",
        "ttl": 120,
    },
    "resolution only": {"size_mode": "resolution", "resolution": "1080p"},
    "no extension": {"extend": False, "prompt": "a {curly} prompt with 'quotes' and \"more\""},
}


@pytest.mark.parametrize("settings", FORMS.values(), ids=FORMS.keys())
def test_builder_and_magic_cell_build_the_same_request(
    form: Builder, settings: dict[str, Any]
) -> None:
    for name, value in settings.items():
        getattr(form.controls, name).value = value
    request = form.request
    assert as_cell(request).canonical() == request.canonical()


def test_builder_with_an_upload_matches_the_cell_with_a_variable(form: Builder) -> None:
    data = png_bytes()
    form.controls.size_mode.value = "auto"
    upload(form.controls.image, "fox.png", data)
    request = form.request
    assert "$image_data" in request_to_cell(request)
    again = as_cell(request, {"image_data": media.to_data_uri(data, "image/png")})
    assert again.canonical() == request.canonical()


REQUESTS = {
    "sparse": {"size": "1280x720", "seed": 3},
    "explicit defaults": {
        "size": "960x960",
        "seed": 4,
        "duration": 5,
        "fmt": "MP4",
        "quality": 95,
        "n": 1,
        "audio": True,
        "extend": True,
        "shot": "single",
        "safety": "none",
        "include_cost": True,
    },
    "everything": {
        "negative": "rain",
        "size": "1248x1632",
        "duration": 10,
        "seed": 5,
        "shot": "multi",
        "extend": True,
        "ref_videos": ["https://example.com/1.mp4", "https://example.com/2.mp4"],
        "fmt": "WEBM",
        "quality": 30,
        "ttl": 60,
        "webhook": "https://example.com/h",
        "upload_to": "https://example.com/u",
        "safety": "full",
        "include_cost": False,
        "n": 4,
    },
    "resolution": {"resolution": "720p", "seed": 6},
    "image only": {"image": png_bytes(), "seed": 8},
}


@pytest.mark.parametrize("fields", REQUESTS.values(), ids=REQUESTS.keys())
def test_from_request_round_trips(fields: dict[str, Any]) -> None:
    request = VideoRequest.build("a lighthouse in a storm", **fields)
    loaded = Builder.from_request(request, title="Winner")
    assert loaded.title == "Winner"
    assert loaded.request.canonical() == request.canonical()
    assert loaded.controls.seed_lock.value  # a loaded seed is kept


def test_set_request_replaces_what_the_form_had(form: Builder) -> None:
    form.controls.n.value = 3
    form.controls.webhook.value = "https://example.com/old"
    request = VideoRequest.build("another prompt", resolution="1080p", seed=11)
    form.set_request(request)
    assert form.request.canonical() == request.canonical()


def test_a_request_without_a_seed_loads_unlocked_with_a_shown_seed() -> None:
    loaded = Builder.from_request(VideoRequest.build("a fox", size="1280x720"))
    assert not loaded.controls.seed_lock.value
    assert api(loaded)["seed"] == loaded.seed


# ----- as code, display -------------------------------------------------------------------------


def test_as_code_shows_the_cell_and_the_python_call_escaped(form: Builder) -> None:
    c = form.controls
    c.prompt.value = "a <b>bold</b> fox"
    assert c.cell_code.value == ""  # built only when shown
    c.code_toggle.value = True
    assert form.code_box.layout.display == "flex"
    assert "%%wan --size 1280x720 --seed 7" in c.cell_code.value
    assert "&lt;b&gt;bold&lt;/b&gt;" in c.cell_code.value
    assert "<b>bold" not in c.cell_code.value
    assert "wan_notebook.VideoRequest.model_validate(" in c.python_code.value
    c.duration.value = 10
    assert "--duration 10" in c.cell_code.value


def test_as_cell_and_as_python_are_the_forms_request_as_code(form: Builder) -> None:
    form.controls.duration.value = 10
    cell = form.as_cell()
    assert cell.startswith("%%wan ") and "--duration 10" in cell and "--seed 7" in cell
    assert as_cell(form.request).canonical() == form.request.canonical()
    assert cell == request_to_cell(form.request)
    python = form.as_python()
    assert "wan_notebook.VideoRequest.model_validate(" in python and "'seed': 7" in python
    form.controls.prompt.value = ""
    with pytest.raises(InvalidRequestError):
        form.as_cell()
    with pytest.raises(InvalidRequestError):
        form.as_python()


def test_as_code_shortens_inline_media(form: Builder) -> None:
    upload(form.controls.audio_input, "song.wav", wav_bytes(3.5))
    form.controls.code_toggle.value = True
    assert len(form.controls.python_code.value) < 2000
    assert "characters&gt;" in form.controls.python_code.value


def test_repr_is_stable_and_controls_have_stable_classes(form: Builder) -> None:
    assert repr(form) == (
        "Builder(title='Wan 2.6 video', prompt='a red fox in the snow', valid=True, cost=$0.50)"
    )
    assert not re.search(r"0x[0-9a-f]+", repr(form))
    assert "wan-builder" in form._dom_classes
    for name in ("prompt", "generate", "size", "aspect", "duration", "seed", "cost", "problems"):
        widget = getattr(form.controls, name if name != "size" else "resolution")
        assert f"wan-builder-{name}" in widget._dom_classes
    assert "wan-builder-image-upload" in form.controls.image.upload._dom_classes
    bundle = form._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


# ----- end to end, against the local engine ----------------------------------------------------


def test_clicking_generate_runs_a_job_on_the_local_engine(
    form: Builder, engine: Any, tmp_path: Any
) -> None:
    from wan_notebook import settings

    handle = engine(render_mode="tiny")
    settings.configure(
        backend="runware", base_url=handle.base_url, api_key=handle.api_key, media_dir=tmp_path
    )
    try:
        form.controls.generate.click()
        (job,) = form.jobs
        job.wait(timeout=60)
        assert job.status == "done"
        assert job.request.seed == 7
        (view,) = form.job_slot.children
        assert len(view.children) == 1 + len(job.results)  # the card, then a player each
    finally:
        settings.reset()


# ----- wrong Python types ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"prompt": 5}, "prompt"),
        ({"title": None}, "title"),
        ({"request": "a fox"}, "request"),
        ({"request": {"positivePrompt": "a fox"}}, "request"),
    ],
)
def test_wrong_types_name_the_argument(kwargs: dict[str, Any], named: str) -> None:
    with pytest.raises(TypeError, match=rf"Builder\(\): {named} must be"):
        Builder(**kwargs)


def test_wrong_types_set_later_name_the_attribute(form: Builder) -> None:
    with pytest.raises(TypeError, match="title must be a string"):
        form.title = 3  # type: ignore[assignment]
    with pytest.raises(TypeError, match="seed must be an int"):
        form.seed = "7"  # type: ignore[assignment]
    with pytest.raises(TypeError, match="request must be a VideoRequest"):
        form.set_request("a fox")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="request must be a VideoRequest"):
        Builder.from_request(None)  # type: ignore[arg-type]


# ----- issue 11: reference-video guidance -----------------------------------------------------


def test_the_inputs_section_says_how_the_prompt_names_reference_videos(form: Builder) -> None:
    from wan_notebook.request import advice

    inputs = form.sections.children[2]
    texts = " ".join(getattr(w, "value", "") for w in inputs.children if hasattr(w, "value"))
    assert _html.escape(advice.REFERENCE_VIDEO_GUIDE) in texts
    assert "character1, character2, character3" in texts


def test_reference_videos_the_prompt_does_not_name_get_a_hint_not_an_error(form: Builder) -> None:
    c = form.controls
    c.ref_videos.text.value = "https://example.com/a.mp4\nhttps://example.com/b.mp4"
    assert form.valid and not c.generate.disabled  # a warning, not an error
    assert "Hint:" in c.problems.value and "character1, character2" in c.problems.value
    assert "wan-builder-problem-list" not in c.problems.value
    c.prompt.value = "character1 and character2 dance in the snow"
    assert "Hint:" not in c.problems.value and c.problems.value == ""
    c.prompt.value = "a fox"
    c.ref_videos.text.value = ""
    assert c.problems.value == ""
