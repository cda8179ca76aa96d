"""Builder: a form for every Wan 2.6 request field, validated live, with a Generate button.

The form never holds a request of its own: on every change it rebuilds one with
``VideoRequest.build`` (the same call the ``%%wan`` magic makes), so the rules, the cost and
the "as code" view always come from the one source of truth in ``rules.py``.

A field the API has a default for is sent only when it differs from that default, or when
the request loaded into the form said it explicitly. That keeps the form's request equal to
the ``%%wan`` cell a person would write, and keeps the cache fingerprint of a loaded request.

Usage::

    b = wan_notebook.Builder("a red fox in the snow")
    b                      # the form
    b.request              # the current VideoRequest (raises InvalidRequestError if invalid)
    job = b.generate()     # what the Generate button does
"""

from __future__ import annotations

import base64
import html
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as W
from pydantic import ValidationError

from .._cell import request_to_cell, request_to_python
from ..errors import InvalidRequestError, Problem, WanError
from ..request import catalog, media
from ..request.catalog import Aspect, Resolution
from ..request.models import VideoRequest

__all__ = ["Builder", "Controls", "MediaField", "job_view"]

_INVALID_CLASS = "wan-builder-invalid"
_INVALID_BORDER = "2px solid #d32f2f"
_RED = "#d32f2f"
_UPLOAD_HELP = (
    "Uploads travel over the notebook's websocket, which drops messages above about 10 MB; "
    "give a path or URL for bigger files."
)
_SIZE_MODES = (("exact size", "size"), ("resolution only", "resolution"), ("from image", "auto"))

# The API's default for each optional field the form always has a value for. A value equal
# to its default is left out of the request (see the module docstring).
_DEFAULTS: dict[str, Any] = {
    "duration": catalog.DEFAULT_DURATION,
    "shot": "single",
    "audio": True,
    "extend": True,
    "fmt": "MP4",
    "quality": 95,
    "n": 1,
    "safety": "none",
    # The client asks for the cost unless told not to (the magic's --no-cost).
    "include_cost": True,
}

# API parameter path -> the form controls that set it. Matched by prefix, so
# "inputs.frameImages[0].image" finds the frame image control.
_PARAM_CONTROLS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("positivePrompt", ("prompt",)),
    ("negativePrompt", ("negative",)),
    ("width", ("size_mode", "resolution", "aspect")),
    ("height", ("size_mode", "resolution", "aspect")),
    ("size", ("size_mode", "resolution", "aspect")),
    ("aspect", ("aspect",)),
    ("resolution", ("size_mode", "resolution")),
    ("duration", ("duration",)),
    ("seed", ("seed",)),
    ("inputs.frameImages", ("image",)),
    ("inputs.referenceVideos", ("ref_videos",)),
    ("inputs.audio", ("audio_input",)),
    ("providerSettings.alibaba.audio", ("native_audio",)),
    ("providerSettings.alibaba.promptExtend", ("extend",)),
    ("providerSettings.alibaba.shotType", ("shot",)),
    ("outputFormat", ("fmt",)),
    ("outputQuality", ("quality",)),
    ("numberResults", ("n",)),
    ("safety", ("safety",)),
    ("includeCost", ("include_cost",)),
    ("webhookURL", ("webhook",)),
    ("uploadEndpoint", ("upload_to",)),
    ("ttl", ("ttl",)),
)

_LONG_DATA_URI = re.compile(r"data:[\w.+/-]*;base64,[A-Za-z0-9+/=]{120,}")


def controls_for(parameter: str) -> tuple[str, ...]:
    """The names of the form controls that set an API parameter (empty if none does)."""
    for prefix, names in _PARAM_CONTROLS:
        if parameter == prefix or parameter.startswith((prefix + ".", prefix + "[")):
            return names
    return ()


def _styled(widget: Any, name: str) -> Any:
    """Give a control its stable CSS class (browser tests find controls by it)."""
    widget.add_class(f"wan-builder-{name}")
    return widget


def _row(*children: Any) -> Any:
    return W.HBox(list(children), layout=W.Layout(align_items="center", flex_flow="row wrap"))


def _help(text: str) -> Any:
    return W.HTML(f'<span style="color:#666;font-size:12px">{html.escape(text)}</span>')


def _count_html(length: int, limit: int) -> str:
    color = _RED if length > limit else "#666"
    weight = "bold" if length > limit else "normal"
    return (
        f'<span style="color:{color};font-weight:{weight};font-size:12px">{length} / {limit}</span>'
    )


def _short_code(text: str) -> str:
    """Code for display, with inline media shortened (a 10 MB data URI would flood the page)."""
    return _LONG_DATA_URI.sub(lambda m: m.group(0)[:60] + f"…<{len(m.group(0))} characters>", text)


def _pre(text: str, css: str) -> str:
    return (
        f'<pre class="{css}" style="white-space:pre-wrap;word-break:break-all;margin:0;'
        f'padding:6px;background:#f6f8fa;border-radius:4px;font-size:12px">'
        f"{html.escape(text)}</pre>"
    )


# ----- media inputs --------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A file given through the upload button (or inline data of a loaded request)."""

    name: str
    data: bytes

    def label(self) -> str:
        return f"{self.name} ({len(self.data) / 1024:.0f} KB)"


class MediaField:
    """One media input: a path/URL text box plus an upload button, kept as bytes.

    ``multiple`` fields (reference videos) take one path or URL per line and several uploads;
    the others hold one value, and the most recent of text or upload wins.
    """

    def __init__(self, kind: media.MediaKind, name: str, *, multiple: bool = False) -> None:
        self.kind = kind
        self.multiple = multiple
        self.uploads: list[Upload] = []
        self._listeners: list[Callable[[], None]] = []
        placeholder = "one path or URL per line" if multiple else "path, URL or upload UUID"
        text_cls = W.Textarea if multiple else W.Text
        self.text = _styled(
            text_cls(
                placeholder=placeholder,
                continuous_update=False,
                layout=W.Layout(width="420px"),
            ),
            name,
        )
        self.upload = _styled(
            W.FileUpload(
                accept=",".join(media.EXTENSIONS[kind]),
                multiple=multiple,
                description="Upload",
                tooltip=_UPLOAD_HELP,
            ),
            f"{name}-upload",
        )
        self.clear = _styled(
            W.Button(description="Clear", tooltip="forget this input", icon="times"),
            f"{name}-clear",
        )
        self.clear.layout.width = "80px"
        self.status = _styled(W.HTML(), f"{name}-status")
        self.box = W.VBox([_row(self.text, self.upload, self.clear), self.status])
        self.text.observe(self._on_text, names="value")
        self.upload.observe(self._on_upload, names="value")
        self.clear.on_click(lambda _button: self.set_values([]))

    def on_change(self, callback: Callable[[], None]) -> None:
        self._listeners.append(callback)

    def _changed(self) -> None:
        self.status.value = (
            "uploaded: " + html.escape(", ".join(u.label() for u in self.uploads))
            if self.uploads
            else ""
        )
        for callback in self._listeners:
            callback()

    def _on_text(self, change: dict[str, Any]) -> None:
        if change["new"].strip() and self.uploads and not self.multiple:
            self.uploads = []  # typing a path replaces the earlier upload
        self._changed()

    def _on_upload(self, change: dict[str, Any]) -> None:
        files = change["new"]
        if not files:
            return  # our own reset below
        added = [Upload(str(f["name"]), bytes(f["content"])) for f in files]
        if self.multiple:
            self.uploads = [*self.uploads, *added]
        else:
            self.uploads = added[-1:]
            self.text.value = ""
        # We keep our own copy: resetting the widget frees its synced copy of the bytes and
        # lets the same file be chosen again.
        self.upload.value = ()
        self._changed()

    def values(self) -> list[str | bytes]:
        """Text entries first, then uploads, in the order given."""
        raw = self.text.value
        lines = raw.splitlines() if self.multiple else [raw]
        texts: list[str | bytes] = [line.strip() for line in lines if line.strip()]
        if not self.multiple and self.uploads:
            return [self.uploads[-1].data]
        return texts + [u.data for u in self.uploads]

    def set_values(self, values: Sequence[str]) -> None:
        """Load stored values: data URIs become uploads again, anything else text."""
        texts: list[str] = []
        uploads: list[Upload] = []
        for value in values:
            data = _decode_data_uri(value)
            if data is None:
                texts.append(value)
            else:
                uploads.append(Upload("inline data", data))
        self.uploads = uploads
        self.text.value = "\n".join(texts)
        self._changed()

    def set_invalid(self, invalid: bool) -> None:
        _mark(self.text, invalid)
        _mark(self.upload, invalid)


def _decode_data_uri(value: str) -> bytes | None:
    if not value.startswith("data:") or ";base64," not in value:
        return None
    try:
        return base64.b64decode(value.split(";base64,", 1)[1], validate=True)
    except ValueError:
        return None


def _mark(widget: Any, invalid: bool) -> None:
    if invalid:
        widget.add_class(_INVALID_CLASS)
        widget.layout.border = _INVALID_BORDER
    else:
        widget.remove_class(_INVALID_CLASS)
        widget.layout.border = None


# ----- the form ----------------------------------------------------------------------------


@dataclass(repr=False)  # a repr of every widget state would be pages long
class Controls:
    """Every control of the form, by the short name of the request field it sets."""

    prompt: Any
    prompt_count: Any
    negative: Any
    negative_count: Any
    size_mode: Any
    resolution: Any
    aspect: Any
    size_label: Any
    duration: Any
    seed: Any
    seed_lock: Any
    seed_random: Any
    shot: Any
    native_audio: Any
    extend: Any
    image: MediaField
    ref_videos: MediaField
    audio_input: MediaField
    fmt: Any
    quality: Any
    n: Any
    safety: Any
    include_cost: Any
    webhook: Any
    upload_to: Any
    ttl: Any
    generate: Any
    cost: Any
    summary: Any
    problems: Any
    code_toggle: Any
    cell_code: Any
    python_code: Any


def _make_controls() -> Controls:
    wide = W.Layout(width="100%")
    return Controls(
        prompt=_styled(
            W.Textarea(placeholder="Describe the video…", rows=4, layout=wide), "prompt"
        ),
        prompt_count=_styled(W.HTML(), "prompt-count"),
        negative=_styled(
            W.Textarea(placeholder="Negative prompt (optional)", rows=2, layout=wide), "negative"
        ),
        negative_count=_styled(W.HTML(), "negative-count"),
        size_mode=_styled(W.ToggleButtons(options=_SIZE_MODES, value="size"), "size-mode"),
        resolution=_styled(
            W.Dropdown(options=catalog.RESOLUTIONS, value="720p", layout=W.Layout(width="90px")),
            "size",
        ),
        aspect=_styled(
            W.ToggleButtons(options=catalog.ASPECTS, value=catalog.DEFAULT_ASPECT), "aspect"
        ),
        size_label=_styled(W.HTML(), "size-label"),
        duration=_styled(
            W.ToggleButtons(
                options=[(f"{d} s", d) for d in catalog.DURATIONS],
                value=catalog.DEFAULT_DURATION,
            ),
            "duration",
        ),
        seed=_styled(
            W.IntText(value=_random_seed(), layout=W.Layout(width="140px")),
            "seed",
        ),
        seed_lock=_styled(
            W.Checkbox(
                value=False, description="lock", indent=False, layout=W.Layout(width="70px")
            ),
            "seed-lock",
        ),
        seed_random=_styled(
            W.Button(description="🎲", tooltip="new random seed", layout=W.Layout(width="44px")),
            "seed-random",
        ),
        shot=_styled(
            W.ToggleButtons(options=catalog.SHOT_TYPES, value="single"),
            "shot",
        ),
        native_audio=_styled(_checkbox(True, "native audio"), "native-audio"),
        extend=_styled(_checkbox(True, "prompt extension"), "extend"),
        image=MediaField("image", "image"),
        ref_videos=MediaField("video", "ref-videos", multiple=True),
        audio_input=MediaField("audio", "audio-input"),
        fmt=_styled(W.ToggleButtons(options=catalog.OUTPUT_FORMATS, value="MP4"), "format"),
        quality=_styled(
            W.IntSlider(value=95, min=catalog.QUALITY_RANGE[0], max=catalog.QUALITY_RANGE[1]),
            "quality",
        ),
        n=_styled(W.ToggleButtons(options=[1, 2, 3, 4], value=1), "n"),
        safety=_styled(W.Dropdown(options=catalog.SAFETY_MODES, value="none"), "safety"),
        include_cost=_styled(_checkbox(True, "include cost"), "include-cost"),
        webhook=_styled(W.Text(placeholder="https://… (optional)", layout=wide), "webhook"),
        upload_to=_styled(W.Text(placeholder="https://… (optional)", layout=wide), "upload-to"),
        ttl=_styled(W.IntText(value=0, layout=W.Layout(width="140px")), "ttl"),
        generate=_styled(
            W.Button(description="Generate", button_style="primary", icon="play"), "generate"
        ),
        cost=_styled(W.HTML(), "cost"),
        summary=_styled(W.HTML(), "summary"),
        problems=_styled(W.HTML(), "problems"),
        code_toggle=_styled(
            W.ToggleButton(value=False, description="As code", icon="code"), "code-toggle"
        ),
        cell_code=_styled(W.HTML(), "cell-code"),
        python_code=_styled(W.HTML(), "python-code"),
    )


def _checkbox(value: bool, label: str) -> Any:
    return W.Checkbox(value=value, description=label, indent=False, layout=W.Layout(width="auto"))


def _random_seed() -> int:
    return random.randint(0, catalog.SEED_MAX)


_SECTIONS = ("Shape", "Look & sound", "Inputs", "Output", "Advanced")
# Which section holds each control, so a newly invalid control is never hidden in a closed one.
_SECTION_OF: dict[str, int] = {
    **dict.fromkeys(("size_mode", "resolution", "aspect", "duration"), 0),
    **dict.fromkeys(("seed", "shot", "native_audio", "extend"), 1),
    **dict.fromkeys(("image", "ref_videos", "audio_input"), 2),
    **dict.fromkeys(("fmt", "quality", "n", "safety", "include_cost"), 3),
    **dict.fromkeys(("webhook", "upload_to", "ttl"), 4),
}


def _labelled(label: str, *children: Any) -> Any:
    head = W.HTML(f"<b>{html.escape(label)}</b>", layout=W.Layout(width="130px"))
    return _row(head, *children)


def _sections(c: Controls) -> Any:
    shape = W.VBox(
        [
            _labelled("size", c.size_mode),
            _labelled("", c.resolution, c.aspect),
            _labelled("", c.size_label),
            _labelled("duration", c.duration),
        ]
    )
    look = W.VBox(
        [
            _labelled("seed", c.seed, c.seed_lock, c.seed_random),
            _help("Unlocked: each Generate uses the seed shown, then picks a new one."),
            _labelled("shot", c.shot),
            _labelled("sound & text", c.native_audio, c.extend),
        ]
    )
    inputs = W.VBox(
        [
            _labelled("frame image", c.image.box),
            _labelled("reference videos", c.ref_videos.box),
            _labelled("audio", c.audio_input.box),
            _help("Up to 3 reference videos; not together with a frame image. " + _UPLOAD_HELP),
        ]
    )
    output = W.VBox(
        [
            _labelled("format", c.fmt),
            _labelled("quality", c.quality),
            _labelled("results", c.n),
            _labelled("safety", c.safety),
            _labelled("", c.include_cost),
        ]
    )
    advanced = W.VBox(
        [
            _labelled("webhook URL", c.webhook),
            _labelled("upload endpoint", c.upload_to),
            _labelled("ttl (s)", c.ttl, _help("0 = the API's default; at least 60")),
        ]
    )
    accordion = W.Accordion(children=[shape, look, inputs, output, advanced], titles=_SECTIONS)
    accordion.add_class("wan-builder-sections")
    return accordion


class Builder(W.VBox):  # type: ignore[misc]
    """An interactive form for one Wan 2.6 request, with live checks, cost and Generate."""

    def __init__(
        self,
        prompt: str = "",
        *,
        title: str = "Wan 2.6 video",
        request: VideoRequest | None = None,
    ) -> None:
        self.controls = c = _make_controls()
        self._title_html = _styled(W.HTML(), "title")
        self._keep: set[str] = set()  # fields the loaded request gave explicitly
        self._loading = False
        self._valid = False
        self._invalid_names: set[str] = set()
        self.jobs: list[Any] = []
        self.job_slot = _styled(W.VBox(), "jobs")
        self.code_box = W.VBox(
            [c.cell_code, c.python_code], layout=W.Layout(display="none", width="100%")
        )
        prompt_box = W.VBox(
            [c.prompt, c.prompt_count, c.negative, c.negative_count], layout=W.Layout(width="100%")
        )
        self.sections = _sections(c)
        actions = _row(c.generate, c.cost, c.summary, c.code_toggle)
        super().__init__(
            [
                self._title_html,
                prompt_box,
                self.sections,
                c.problems,
                actions,
                self.job_slot,  # right under Generate: that is where people look after a click
                self.code_box,
            ],
            layout=W.Layout(width="100%", max_width="900px"),
        )
        self.add_class("wan-builder")
        self.title = title
        self._wire()
        if request is not None:
            self.set_request(request)
        else:
            c.prompt.value = prompt
            self._refresh()  # an empty prompt fires no change event

    # ----- public API ------------------------------------------------------------------------

    @classmethod
    def from_request(cls, request: VideoRequest, *, title: str = "Wan 2.6 video") -> Builder:
        """A form filled from an existing request (e.g. the winner of a seed grid)."""
        return cls(title=title, request=request)

    @property
    def title(self) -> str:
        return self._title

    @title.setter
    def title(self, value: str) -> None:
        self._title = value
        self._title_html.value = f'<h4 style="margin:4px 0">{html.escape(value)}</h4>'

    @property
    def request(self) -> VideoRequest:
        """The request the form describes, with a fresh task id.

        Raises ``InvalidRequestError`` (naming every problem) when the form is invalid.
        """
        kwargs = self._build_kwargs()
        try:
            return VideoRequest.build(**kwargs)
        except ValidationError as exc:
            # The rules catch everything the API checks; this is only a safety net so that a
            # type slip shows in the form instead of breaking its live checks.
            problem = Problem("request", "<form>", str(exc.errors()[0]["msg"]), "invalid")
            raise InvalidRequestError([problem]) from exc

    @property
    def valid(self) -> bool:
        return self._valid

    @property
    def problems(self) -> tuple[Problem, ...]:
        """What is wrong with the form right now (empty when it is valid)."""
        try:
            _ = self.request
        except InvalidRequestError as exc:
            return exc.problems
        return ()

    @property
    def invalid_controls(self) -> list[str]:
        """Names of the controls highlighted as invalid, sorted."""
        return sorted(self._invalid_names)

    @property
    def estimated_cost(self) -> float:
        """List price in USD of what the form describes (also while it is invalid)."""
        c = self.controls
        tier: Resolution = c.resolution.value if c.size_mode.value != "auto" else "720p"
        return catalog.price(tier, c.duration.value, c.n.value)

    @property
    def seed(self) -> int:
        return int(self.controls.seed.value)

    @seed.setter
    def seed(self, value: int) -> None:
        """Set and lock a seed (a seed chosen by hand is meant to be kept)."""
        self.controls.seed_lock.value = True
        self.controls.seed.value = value

    def randomize_seed(self) -> int:
        """Show a new random seed (the lock is left as it is)."""
        self.controls.seed.value = _random_seed()
        return self.seed

    def set_request(self, request: VideoRequest) -> None:
        """Load a request into the form; its explicit fields stay explicit."""
        self._loading = True
        try:
            _load(self.controls, request)
            self._keep = _explicit_fields(request)
        finally:
            self._loading = False
        self._refresh()

    def generate(self, *, new: bool = False) -> Any:
        """Submit the form's request (what Generate does); returns the Job at once.

        With the seed unlocked, the form then shows a new random seed for the next run.
        """
        request = self.request
        from .. import jobs  # imported late: the form works (and is tested) without a backend

        job = jobs.generate(request, new=new)
        self.jobs.append(job)
        self.job_slot.children = (job_view(job),)
        if not self.controls.seed_lock.value:
            self.randomize_seed()
        return job

    def __repr__(self) -> str:
        prompt = self.controls.prompt.value.strip()
        shown = prompt if len(prompt) <= 40 else prompt[:39] + "…"
        return (
            f"Builder(title={self.title!r}, prompt={shown!r}, valid={self._valid}, "
            f"cost=${self.estimated_cost:.2f})"
        )

    # ----- wiring ----------------------------------------------------------------------------

    def _wire(self) -> None:
        c = self.controls
        for widget in (
            c.prompt, c.negative, c.size_mode, c.resolution, c.aspect, c.duration, c.seed,
            c.shot, c.native_audio, c.extend, c.fmt, c.quality, c.n, c.safety, c.include_cost,
            c.webhook, c.upload_to, c.ttl, c.seed_lock,
        ):  # fmt: skip
            widget.observe(self._on_change, names="value")
        for field in (c.image, c.ref_videos, c.audio_input):
            field.on_change(self._on_media_change)
        c.seed_random.on_click(lambda _button: self.randomize_seed())
        c.generate.on_click(self._on_generate_click)
        c.code_toggle.observe(self._on_code_toggle, names="value")

    def _on_change(self, _change: dict[str, Any]) -> None:
        if not self._loading:
            self._refresh()

    def _on_media_change(self) -> None:
        if not self._loading:
            self._refresh()

    def _on_code_toggle(self, change: dict[str, Any]) -> None:
        self.code_box.layout.display = "flex" if change["new"] else "none"
        self._refresh_code()

    def _on_generate_click(self, _button: Any) -> None:
        try:
            self.generate()
        # A click handler's exception goes to the Jupyter log console, where nobody sees it;
        # show it in the form instead.
        except Exception as exc:  # noqa: BLE001
            self.job_slot.children = (_error_html(exc),)

    # ----- building and checking -------------------------------------------------------------

    def _build_kwargs(self) -> dict[str, Any]:
        c = self.controls
        kw: dict[str, Any] = {"prompt": c.prompt.value.strip(), "seed": c.seed.value}
        kw["negative"] = c.negative.value.strip() or None
        if c.size_mode.value == "size":
            kw["size"] = catalog.size_for(c.resolution.value, c.aspect.value)
        elif c.size_mode.value == "resolution":
            kw["resolution"] = c.resolution.value
        for name, value in (
            ("duration", c.duration.value),
            ("shot", c.shot.value),
            ("audio", c.native_audio.value),
            ("extend", c.extend.value),
            ("fmt", c.fmt.value),
            ("quality", c.quality.value),
            ("n", c.n.value),
            ("safety", c.safety.value),
            ("include_cost", c.include_cost.value),
        ):
            if value != _DEFAULTS[name] or name in self._keep:
                kw[name] = value
        image = c.image.values()
        kw["image"] = image[0] if image else None
        kw["ref_videos"] = c.ref_videos.values() or None
        audio = c.audio_input.values()
        kw["audio_input"] = audio[0] if audio else None
        kw["webhook"] = c.webhook.value.strip() or None
        kw["upload_to"] = c.upload_to.value.strip() or None
        kw["ttl"] = c.ttl.value or None
        return kw

    def _refresh(self) -> None:
        c = self.controls
        prompt_len = len(c.prompt.value.strip())
        c.prompt_count.value = _count_html(prompt_len, catalog.PROMPT_MAX)
        c.negative_count.value = _count_html(
            len(c.negative.value.strip()), catalog.NEGATIVE_PROMPT_MAX
        )
        self._refresh_shape()
        try:
            cost = self.request.estimated_cost
        except InvalidRequestError as exc:
            self._show_problems(exc.problems, empty_prompt=prompt_len == 0)
            cost = self.estimated_cost  # from the controls, so the price shows while editing
        else:
            self._show_problems((), empty_prompt=False)
        c.cost.value = _cost_html(cost)
        c.summary.value = _summary_html(c)
        self._refresh_code()

    def _refresh_shape(self) -> None:
        c = self.controls
        mode = c.size_mode.value
        c.resolution.disabled = mode == "auto"
        c.aspect.disabled = mode != "size"
        if mode == "size":
            width, height = catalog.size_for(c.resolution.value, c.aspect.value)
            text = f"{width} × {height} px"
        elif mode == "resolution":
            text = f"{c.resolution.value}; the aspect follows the frame image"
        else:
            text = "the size follows the frame image (billed as 720p)"
        c.size_label.value = f'<span style="color:#444">{html.escape(text)}</span>'

    def _show_problems(self, problems: Sequence[Problem], *, empty_prompt: bool) -> None:
        c = self.controls
        self._valid = not problems
        c.generate.disabled = bool(problems)
        shown = list(problems)
        notes: list[str] = []
        if empty_prompt:
            # A fresh form is not an error: say what to do without the red box.
            shown = [p for p in shown if p.parameter != "positivePrompt"]
            notes.append("Write a prompt to generate.")
        names = {name for p in shown for param in p.parameters for name in controls_for(param)}
        self._highlight(names)
        c.problems.value = _problems_html(shown, notes)

    def _highlight(self, names: set[str]) -> None:
        c = self.controls
        fresh = sorted({_SECTION_OF[n] for n in names - self._invalid_names if n in _SECTION_OF})
        if fresh and self.sections.selected_index not in fresh:
            self.sections.selected_index = fresh[0]
        for name in self._invalid_names | names:
            target = getattr(c, name)
            invalid = name in names
            if isinstance(target, MediaField):
                target.set_invalid(invalid)
            else:
                _mark(target, invalid)
        self._invalid_names = names

    def _refresh_code(self) -> None:
        c = self.controls
        if not c.code_toggle.value:
            return  # built only when shown: the Python form can be large
        try:
            request = self.request
        except InvalidRequestError:
            note = "Fix the request to see it as code."
            c.cell_code.value = c.python_code.value = f"<i>{html.escape(note)}</i>"
            return
        c.cell_code.value = "<b>%%wan cell</b>" + _pre(
            _short_code(request_to_cell(request)), "wan-builder-cell-pre"
        )
        c.python_code.value = "<b>Python</b>" + _pre(
            _short_code(request_to_python(request)), "wan-builder-python-pre"
        )


def _cost_html(cost: float) -> str:
    return (
        f'<span style="font-size:14px" title="list price, before any discount">≈ ${cost:.2f}</span>'
    )


def _summary_html(c: Controls) -> str:
    mode = c.size_mode.value
    if mode == "size":
        width, height = catalog.size_for(c.resolution.value, c.aspect.value)
        size = f"{width} × {height}"
    else:
        size = c.resolution.value if mode == "resolution" else "size of the image"
    seed = f"seed {c.seed.value}" + (" (locked)" if c.seed_lock.value else "")
    results = f"{c.n.value} result{'s' if c.n.value != 1 else ''}"
    text = " · ".join((size, f"{c.duration.value} s", seed, results, c.fmt.value))
    return f'<span style="color:#666;font-size:12px">{html.escape(text)}</span>'


def _problems_html(problems: Sequence[Problem], notes: Sequence[str]) -> str:
    parts = [f'<div style="color:#555">{html.escape(n)}</div>' for n in notes]
    if problems:
        items = "".join(f"<li>{html.escape(p.message)}</li>" for p in problems)
        parts.append(
            f'<div class="wan-builder-problem-list" style="color:{_RED};border:1px solid {_RED};'
            f'border-radius:4px;padding:4px 8px;background:#fff5f5">'
            f'<b>Fix before generating:</b><ul style="margin:2px 0">{items}</ul></div>'
        )
    return "".join(parts)


def _error_html(exc: BaseException) -> Any:
    text = str(exc) if isinstance(exc, WanError) else f"{type(exc).__name__}: {exc}"
    hint = getattr(exc, "hint", "")
    body = html.escape(text).replace("\n", "<br>")
    if hint:
        body += f'<br><span style="color:#555">{html.escape(hint)}</span>'
    widget = W.HTML(f'<div style="color:{_RED}">{body}</div>')
    widget.add_class("wan-builder-error")
    return widget


# ----- loading a request into the controls ---------------------------------------------------


def _explicit_fields(request: VideoRequest) -> set[str]:
    """The form fields with API defaults that this request sets explicitly."""
    alibaba = request.alibaba
    given = {
        "duration": request.duration,
        "shot": alibaba.shot_type,
        "audio": alibaba.audio,
        "extend": alibaba.prompt_extend,
        "fmt": request.output_format,
        "quality": request.output_quality,
        "n": request.number_results,
        "safety": request.safety,
        "include_cost": request.include_cost,
    }
    return {name for name, value in given.items() if value is not None}


def _load(c: Controls, request: VideoRequest) -> None:
    c.prompt.value = request.positive_prompt
    c.negative.value = request.negative_prompt or ""
    _load_shape(c, request)
    c.duration.value = request.seconds
    if request.seed is not None:
        c.seed.value = request.seed
        c.seed_lock.value = True  # a loaded seed is the point of loading (e.g. a grid winner)
    else:
        c.seed_lock.value = False
    alibaba = request.alibaba
    c.shot.value = alibaba.shot_type or _DEFAULTS["shot"]
    c.native_audio.value = _DEFAULTS["audio"] if alibaba.audio is None else alibaba.audio
    c.extend.value = _DEFAULTS["extend"] if alibaba.prompt_extend is None else alibaba.prompt_extend
    inputs = request.inputs
    c.image.set_values([request.frame_image] if request.frame_image else [])
    c.ref_videos.set_values(list(inputs.reference_videos or []) if inputs else [])
    c.audio_input.set_values([inputs.audio] if inputs and inputs.audio else [])
    c.fmt.value = request.output_format or _DEFAULTS["fmt"]
    c.quality.value = request.output_quality or _DEFAULTS["quality"]
    c.n.value = request.results
    c.safety.value = _safety_mode(request)
    c.include_cost.value = request.include_cost is not False
    c.webhook.value = request.webhook_url or ""
    c.upload_to.value = request.upload_endpoint or ""
    c.ttl.value = request.ttl or 0


def _load_shape(c: Controls, request: VideoRequest) -> None:
    if request.width is not None and request.height is not None:
        preset: tuple[Resolution, Aspect] = catalog.SIZE_PRESET[(request.width, request.height)]
        c.resolution.value, c.aspect.value = preset
        c.size_mode.value = "size"
    elif request.resolution is not None:
        c.resolution.value = request.resolution
        c.size_mode.value = "resolution"
    else:
        c.size_mode.value = "auto"


def _safety_mode(request: VideoRequest) -> str:
    # The form offers modes only; checkContent=true means the API's "fast" mode.
    safety = request.safety
    if safety is None:
        return str(_DEFAULTS["safety"])
    if safety.mode is not None:
        return safety.mode
    return "fast" if safety.check_content else "none"


# ----- showing a job -------------------------------------------------------------------------


def job_view(job: Any) -> Any:
    """The live widget of a job: its progress card, replaced by players when it is done."""
    from ..display import JobView  # late: views imports IPython's display machinery

    # JobView.box, not views.show_job: a click handler must not call display(), whose output
    # would go to the log console; the form puts the box in its own slot instead.
    return JobView(job).box
