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
    b.as_cell()            # the %%wan cell that builds the same request
    job = b.generate()     # what the Generate button does

The controls and their layout are in ``_form.py``, the media inputs in ``_media_field.py``;
this module wires them to the request: reading the form, loading a request into it, checking.

Displayed in a cell, the form also leaves a static slot under itself (``_slots``): each video
it generates is added there when it ends, so the notebook keeps a saved preview of it (a
click handler cannot ``display()`` into the cell, but it can update an output it owns).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as W
from pydantic import ValidationError

from .._cell import request_to_cell, request_to_python
from .._text import shorten
from ..display import live_sentence, static_jobs_html
from ..errors import InvalidRequestError, Problem
from ..request import advice, catalog
from ..request.catalog import Resolution
from ..request.models import VideoRequest
from . import _form
from ._args import check_type
from ._form import SECTION_OF, controls_for
from ._form_load import explicit_fields, load
from ._html import code_block, count_html, error_html, escape, mark, row, styled, stylesheet
from ._media_field import MediaField
from ._slots import StaticSlot, in_latest_request, show_widget
from .job_view import job_widget

__all__ = ["Builder"]


class Builder(W.VBox):  # type: ignore[misc]
    """An interactive form for one Wan 2.6 request, with live checks, cost and Generate."""

    def __init__(
        self,
        prompt: str = "",
        *,
        title: str = "Wan 2.6 video",
        request: VideoRequest | None = None,
    ) -> None:
        check_type("Builder()", "prompt", prompt, str, "a string")
        check_type("Builder()", "title", title, str, "a string")
        check_type("Builder()", "request", request, (VideoRequest, type(None)), "a VideoRequest")
        self.controls = c = _form.make_controls()
        self._title_html = styled(W.HTML(), "builder-title")
        self._keep: set[str] = set()  # fields the loaded request gave explicitly
        self._loading = False
        self._valid = False
        self._invalid_names: set[str] = set()
        self.jobs: list[Any] = []
        self._slots: list[StaticSlot] = []
        self.job_slot = styled(W.VBox(), "builder-jobs")
        self.code_box = W.VBox(
            [c.cell_code, c.python_code], layout=W.Layout(display="none", width="100%")
        )
        prompt_box = W.VBox(
            [c.prompt, c.prompt_count, c.negative, c.negative_count], layout=W.Layout(width="100%")
        )
        self.sections = _form.sections(c)
        actions = row(c.generate, c.cost, c.summary, c.code_toggle)
        super().__init__(
            [
                stylesheet(),
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
        self.add_class("wan-live")  # its static slot stays hidden while the form is shown
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
        check_type("Builder.from_request()", "request", request, VideoRequest, "a VideoRequest")
        return cls(title=title, request=request)

    @property
    def title(self) -> str:
        return self._title

    @title.setter
    def title(self, value: str) -> None:
        check_type("Builder", "title", value, str, "a string")
        self._title = value
        self._title_html.value = f"<h4>{escape(value)}</h4>"

    @property
    def request(self) -> VideoRequest:
        """The request the form describes, with a fresh task id.

        Raises ``InvalidRequestError`` (naming every problem) when the form is invalid.
        """
        kwargs = _form.request_fields(self.controls, self._keep)
        if self.controls.size_mode.value == "auto" and not kwargs.get("image"):
            # build() would fill a default size; "from image" promises the image's shape.
            problem = Problem(
                "inputs.frameImages[0]", None, "a frame image, for the size from the image",
                "missingFrameImage",
            )  # fmt: skip
            raise InvalidRequestError([problem])
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
        check_type("Builder", "seed", value, int, "an int")
        self.controls.seed_lock.value = True
        self.controls.seed.value = value

    def randomize_seed(self) -> int:
        """Show a new random seed (the lock is left as it is)."""
        self.controls.seed.value = _form.random_seed()
        return self.seed

    def set_request(self, request: VideoRequest) -> None:
        """Load a request into the form; its explicit fields stay explicit."""
        check_type("Builder.set_request()", "request", request, VideoRequest, "a VideoRequest")
        self._loading = True
        try:
            load(self.controls, request)
            self._keep = explicit_fields(request)
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
        self.job_slot.children = (job_widget(job),)
        job.on_change(in_latest_request(self._job_changed))
        self._job_changed(job)
        if not self.controls.seed_lock.value:
            self.randomize_seed()
        return job

    def as_cell(self) -> str:
        """The ``%%wan`` cell that builds the form's request (raises if the form is invalid)."""
        return request_to_cell(self.request)

    def as_python(self) -> str:
        """The Python code that submits the form's request (raises if the form is invalid)."""
        return request_to_python(self.request)

    def _ipython_display_(self) -> None:
        show_widget(self, live_sentence("Wan 2.6 Builder form"))
        self._slots.append(
            StaticSlot("Wan 2.6 Builder form: run the cell to use it (it needs the kernel).")
        )
        if any(job.done for job in self.jobs):
            self._fill_slots()

    def _job_changed(self, job: Any) -> None:
        if job.done:
            self._fill_slots()

    def _fill_slots(self) -> None:
        done = [job for job in self.jobs if job.done]
        noun = "video" if len(done) == 1 else "videos"
        text = f"Wan 2.6 Builder form: {len(done)} generated {noun}, newest first"
        html = static_jobs_html(self.jobs)
        for slot in self._slots:
            slot.fill(html, text)

    def __repr__(self) -> str:
        shown = shorten(self.controls.prompt.value.strip(), 40)
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
            shown = W.HTML(error_html(exc))
            shown.add_class("wan-builder-error")
            self.job_slot.children = (shown,)

    # ----- building and checking -------------------------------------------------------------

    def _refresh(self) -> None:
        c = self.controls
        prompt_len = len(c.prompt.value.strip())
        c.prompt_count.value = count_html(prompt_len, catalog.PROMPT_MAX)
        c.negative_count.value = count_html(
            len(c.negative.value.strip()), catalog.NEGATIVE_PROMPT_MAX
        )
        self._refresh_shape()
        try:
            cost = self.request.estimated_cost
        except InvalidRequestError as exc:
            self._show_problems(exc.problems, empty_prompt=prompt_len == 0)
            cost = self.estimated_cost  # from the controls, so the price shows while editing
        else:
            # A warning, not an error: such a prompt is valid, it just ignores the videos.
            hint = advice.character_hint(self.request)
            self._show_problems((), empty_prompt=False, hints=[hint] if hint else [])
        c.cost.value = _form.cost_html(cost)
        c.summary.value = _form.summary_html(c)
        self._refresh_code()

    def _refresh_shape(self) -> None:
        c = self.controls
        c.resolution.disabled = c.size_mode.value == "auto"
        c.aspect.disabled = c.size_mode.value != "size"
        c.size_label.value = _form.shape_html(c)

    def _show_problems(
        self, problems: Sequence[Problem], *, empty_prompt: bool, hints: Sequence[str] = ()
    ) -> None:
        c = self.controls
        self._valid = not problems
        c.generate.disabled = bool(problems)
        shown = list(problems)
        notes = [f"Hint: {h}" for h in hints]
        if empty_prompt:
            # A fresh form is not an error: say what to do without the red box.
            shown = [p for p in shown if p.parameter != "positivePrompt"]
            notes.append("Write a prompt to generate.")
        names = {name for p in shown for param in p.parameters for name in controls_for(param)}
        self._highlight(names)
        c.problems.value = _form.problems_html(shown, notes)

    def _highlight(self, names: set[str]) -> None:
        c = self.controls
        fresh = sorted({SECTION_OF[n] for n in names - self._invalid_names if n in SECTION_OF})
        if fresh and self.sections.selected_index not in fresh:
            self.sections.selected_index = fresh[0]
        for name in self._invalid_names | names:
            target = getattr(c, name)
            invalid = name in names
            if isinstance(target, MediaField):
                target.set_invalid(invalid)
            else:
                mark(target, invalid, "wan-builder-invalid")
        self._invalid_names = names

    def _refresh_code(self) -> None:
        c = self.controls
        if not c.code_toggle.value:
            return  # built only when shown: the Python form can be large
        try:
            cell, python = self.as_cell(), self.as_python()
        except InvalidRequestError:
            c.cell_code.value = c.python_code.value = "<i>Fix the request to see it as code.</i>"
            return
        shown = _form.short_code
        c.cell_code.value = "<b>%%wan cell</b>" + code_block(shown(cell), "wan-builder-cell-pre")
        c.python_code.value = "<b>Python</b>" + code_block(shown(python), "wan-builder-python-pre")
