"""The Builder's form: every control, how they are laid out, and the texts they show.

``Controls`` names each control by the request field it sets; ``controls_for`` maps an API
parameter (as a ``Problem`` names it) back to those controls, so an invalid field is
outlined where a person can fix it. The Builder (``builder.py``) wires the controls to the
request; nothing here knows of jobs.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence, Set
from dataclasses import dataclass
from typing import Any, Final

import ipywidgets as W

from ..display import no_tex
from ..errors import Problem
from ..request import advice, catalog
from ._html import escape, note, row, styled
from ._media_field import UPLOAD_HELP, MediaField

__all__ = [
    "DEFAULTS",
    "SECTION_OF",
    "Controls",
    "controls_for",
    "cost_html",
    "make_controls",
    "problems_html",
    "random_seed",
    "request_fields",
    "sections",
    "shape_html",
    "short_code",
    "summary_html",
]

SIZE_MODES: Final = (
    ("exact size", "size"),
    ("resolution only", "resolution"),
    ("from image", "auto"),
)

# The API's default for each optional field the form always has a value for. A value equal
# to its default is left out of the request (see builder.py's module docstring).
DEFAULTS: Final[dict[str, Any]] = {
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
_PARAM_CONTROLS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
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

_SECTIONS: Final = ("Shape", "Look & sound", "Inputs", "Output", "Advanced")
# Which section holds each control, so a newly invalid control is never hidden in a closed one.
SECTION_OF: Final[dict[str, int]] = {
    **dict.fromkeys(("size_mode", "resolution", "aspect", "duration"), 0),
    **dict.fromkeys(("seed", "shot", "native_audio", "extend"), 1),
    **dict.fromkeys(("image", "ref_videos", "audio_input"), 2),
    **dict.fromkeys(("fmt", "quality", "n", "safety", "include_cost"), 3),
    **dict.fromkeys(("webhook", "upload_to", "ttl"), 4),
}

_LONG_DATA_URI = re.compile(r"data:[\w.+/-]*;base64,[A-Za-z0-9+/=]{120,}")


def controls_for(parameter: str) -> tuple[str, ...]:
    """The names of the form controls that set an API parameter (empty if none does)."""
    for prefix, names in _PARAM_CONTROLS:
        if parameter == prefix or parameter.startswith((prefix + ".", prefix + "[")):
            return names
    return ()


def random_seed() -> int:
    return random.randint(0, catalog.SEED_MAX)


# ----- the controls ----------------------------------------------------------------------------


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


def make_controls() -> Controls:
    """A fresh set of controls, each with its ``wan-builder-<name>`` class."""
    return Controls(
        prompt=_b(W.Textarea(placeholder="Describe the video…", rows=4, layout=_wide()), "prompt"),
        prompt_count=_b(W.HTML(), "prompt-count"),
        negative=_b(
            W.Textarea(placeholder="Negative prompt (optional)", rows=2, layout=_wide()), "negative"
        ),
        negative_count=_b(W.HTML(), "negative-count"),
        size_mode=_b(_toggles(SIZE_MODES, "size", "auto"), "size-mode"),
        resolution=_b(
            W.Dropdown(options=catalog.RESOLUTIONS, value="720p", layout=W.Layout(width="90px")),
            "size",
        ),
        aspect=_b(_toggles(catalog.ASPECTS, catalog.DEFAULT_ASPECT, "52px"), "aspect"),
        size_label=_b(W.HTML(), "size-label"),
        duration=_b(
            _toggles([(f"{d} s", d) for d in catalog.DURATIONS], catalog.DEFAULT_DURATION, "60px"),
            "duration",
        ),
        seed=_b(W.IntText(value=random_seed(), layout=W.Layout(width="140px")), "seed"),
        seed_lock=_b(
            W.Checkbox(
                value=False, description="lock", indent=False, layout=W.Layout(width="70px")
            ),
            "seed-lock",
        ),
        seed_random=_b(
            W.Button(description="🎲", tooltip="new random seed", layout=W.Layout(width="44px")),
            "seed-random",
        ),
        shot=_b(_toggles(catalog.SHOT_TYPES, "single", "72px"), "shot"),
        native_audio=_b(_checkbox(True, "native audio"), "native-audio"),
        extend=_b(_checkbox(True, "prompt extension"), "extend"),
        image=MediaField("image", "image"),
        ref_videos=MediaField("video", "ref-videos", multiple=True),
        audio_input=MediaField("audio", "audio-input"),
        fmt=_b(_toggles(catalog.OUTPUT_FORMATS, "MP4", "64px"), "format"),
        quality=_b(
            W.IntSlider(value=95, min=catalog.QUALITY_RANGE[0], max=catalog.QUALITY_RANGE[1]),
            "quality",
        ),
        n=_b(_toggles([1, 2, 3, 4], 1, "44px"), "n"),
        safety=_b(W.Dropdown(options=catalog.SAFETY_MODES, value="none"), "safety"),
        include_cost=_b(_checkbox(True, "include cost"), "include-cost"),
        webhook=_b(W.Text(placeholder="https://… (optional)", layout=_filling()), "webhook"),
        upload_to=_b(W.Text(placeholder="https://… (optional)", layout=_filling()), "upload-to"),
        ttl=_b(W.IntText(value=0, layout=W.Layout(width="140px")), "ttl"),
        generate=_b(
            W.Button(description="Generate", button_style="primary", icon="play"), "generate"
        ),
        cost=_b(W.HTML(), "cost"),
        summary=_b(W.HTML(), "summary"),
        problems=_b(W.HTML(), "problems"),
        code_toggle=_b(
            W.ToggleButton(value=False, description="As code", icon="code"), "code-toggle"
        ),
        cell_code=_b(W.HTML(), "cell-code"),
        python_code=_b(W.HTML(), "python-code"),
    )


def _wide() -> Any:
    # A Layout per control, never one shared: the red outline of an invalid control is set
    # on its layout, and a shared one outlined every control that held it.
    return W.Layout(width="100%")


def _filling() -> Any:
    # The rest of its row, beside the label (width 100% would wrap it under the label).
    return W.Layout(flex="1 1 320px", width="auto")


def _toggles(options: Sequence[Any], value: Any, button_width: str) -> Any:
    """Toggle buttons as wide as their words (ipywidgets gives each 148 px, which pushed the
    aspect buttons onto a row of their own)."""
    return W.ToggleButtons(options=options, value=value, style={"button_width": button_width})


def _b(widget: Any, name: str) -> Any:
    return styled(widget, f"builder-{name}")


def _checkbox(value: bool, label: str) -> Any:
    return W.Checkbox(value=value, description=label, indent=False, layout=W.Layout(width="auto"))


# ----- the layout ------------------------------------------------------------------------------


def _labelled(label: str, *children: Any) -> Any:
    head = W.HTML(f"<b>{escape(label)}</b>", layout=W.Layout(width="130px"))
    return row(head, *children)


def _help(text: str) -> Any:
    return W.HTML(note(text))


def sections(c: Controls) -> Any:
    """The collapsible sections below the prompt (indexes as in ``SECTION_OF``)."""
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
            _help(f"{advice.REFERENCE_VIDEO_GUIDE} {UPLOAD_HELP}"),
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


# ----- what the form says ----------------------------------------------------------------------


def request_fields(c: Controls, keep: Set[str]) -> dict[str, Any]:
    """The form as ``VideoRequest.build`` keyword arguments.

    A field with an API default is left out when it holds that default, unless ``keep``
    names it (the loaded request said it explicitly).
    """
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
        if value != DEFAULTS[name] or name in keep:
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


def shape_html(c: Controls) -> str:
    """The size the form asks for, in words."""
    mode = c.size_mode.value
    if mode == "size":
        width, height = catalog.size_for(c.resolution.value, c.aspect.value)
        text = f"{width} × {height} px"
    elif mode == "resolution":
        text = f"{c.resolution.value}; the aspect follows the frame image"
    else:
        text = "the size follows the frame image (billed as 720p)"
    return note(text, css="wan-aside")


def cost_html(cost: float) -> str:
    # Inside a no-TeX span: two prices on a page would otherwise be typeset as math.
    return no_tex(f'<span title="list price, before any discount">≈ ${cost:.2f}</span>', tag="span")


def summary_html(c: Controls) -> str:
    """One line: size · duration · seed · results · format."""
    mode = c.size_mode.value
    if mode == "size":
        width, height = catalog.size_for(c.resolution.value, c.aspect.value)
        size = f"{width} × {height}"
    else:
        size = c.resolution.value if mode == "resolution" else "size of the image"
    seed = f"seed {c.seed.value}" + (" (locked)" if c.seed_lock.value else "")
    results = f"{c.n.value} result{'s' if c.n.value != 1 else ''}"
    return note(" · ".join((size, f"{c.duration.value} s", seed, results, c.fmt.value)))


def problems_html(problems: Sequence[Problem], notes: Sequence[str]) -> str:
    parts = [note(n, css="wan-aside", tag="div") for n in notes]
    if problems:
        items = "".join(f"<li>{escape(p.message)}</li>" for p in problems)
        parts.append(
            '<div class="wan-error-box wan-builder-problem-list">'
            f"<b>Fix before generating:</b><ul>{items}</ul></div>"
        )
    return "".join(parts)


def short_code(text: str) -> str:
    """Code for display, with inline media shortened (a 10 MB data URI would flood the page)."""
    return _LONG_DATA_URI.sub(lambda m: m.group(0)[:60] + f"…<{len(m.group(0))} characters>", text)
