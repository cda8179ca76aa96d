"""The Builder's controls and layout (findings 1 and 13 of issue 12)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from tests.tex_checks import dollars_mathjax_would_read
from tests.wan_checks import wait_until
from wan_notebook.widgets import _form
from wan_notebook.widgets._html import RED
from wan_notebook.widgets.builder import Builder

OUTLINED = f"2px solid {RED}"


def test_an_invalid_field_is_outlined_alone() -> None:
    b = Builder("a red fox in the snow")
    b.controls.webhook.value = "not a url"
    assert b.invalid_controls == ["webhook"]
    c = b.controls
    assert c.webhook.layout.border == OUTLINED
    for name in ("prompt", "negative", "upload_to"):
        assert getattr(c, name).layout.border is None, name
    c.webhook.value = ""
    assert c.webhook.layout.border is None and b.valid


def test_no_two_controls_share_a_layout() -> None:
    # A shared Layout is what outlined every text field: the border lives on the layout.
    c = _form.make_controls()
    layouts = [
        getattr(c, f.name).layout for f in fields(c) if hasattr(getattr(c, f.name), "layout")
    ]
    assert len({id(layout) for layout in layouts}) == len(layouts)


def test_shape_buttons_are_as_wide_as_their_words() -> None:
    c = _form.make_controls()
    # ipywidgets gives each toggle 148 px: five aspects and a dropdown did not fit one row.
    assert c.aspect.style.button_width == "52px"
    assert c.duration.style.button_width == "60px"


def test_the_price_is_text_not_tex() -> None:
    b = Builder("a fox")
    assert dollars_mathjax_would_read(b.controls.cost.value) == []


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    yield InteractiveShell.instance()


def test_a_shown_form_keeps_a_saved_preview_of_what_it_generated(
    engine, wan, shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(wan.media_dir.parent)
    wan.use(engine(render_mode="tiny"), media_dir=Path("wan_media"))
    b = Builder("a fox in the snow")
    b.seed = 5
    with capture_output() as captured:
        b._ipython_display_()
        job = b.generate()  # what the Generate button does, from a click handler
        job.wait(60)
        wait_until(lambda: len(captured.outputs) == 3, timeout=10)
    form, pending, filled = captured.outputs
    assert form.data["text/plain"] == "Wan 2.6 Builder form: live view (kernel needed)"
    assert "run the cell to use it" in pending.data["text/html"]
    assert filled.update and filled.transient == pending.transient
    assert filled.data["text/html"].count("<video ") == 1 and "seed 5" in filled.data["text/html"]
    assert filled.data["text/plain"] == "Wan 2.6 Builder form: 1 generated video, newest first"
