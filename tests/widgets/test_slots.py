"""A live view's two outputs: the widget with a true sentence, and a static slot under it."""

from __future__ import annotations

from collections.abc import Iterator

import ipywidgets as W
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from wan_notebook.widgets._slots import WIDGET_VIEW, StaticSlot, show_widget, widget_bundle


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    yield InteractiveShell.instance()


def test_a_widget_output_says_a_sentence_not_its_repr() -> None:
    box = W.VBox([W.HTML("x")])
    data, metadata = widget_bundle(box, "Wan 2.6 job 1a2b3c4d: live view (kernel needed)")
    assert data[WIDGET_VIEW]["model_id"] == box.model_id
    assert data["text/plain"] == "Wan 2.6 job 1a2b3c4d: live view (kernel needed)"
    assert "VBox(" not in repr(data)
    # Where the widget cannot render (nbconvert without state, untrusted), an empty HTML
    # is picked before the text: nothing shows instead of a line of text.
    assert data["text/html"] == ""
    assert metadata == {}


def test_the_slot_is_pending_then_filled_in_place(shell: InteractiveShell) -> None:
    with capture_output() as captured:
        show_widget(W.HTML("live"), "a live thing")
        slot = StaticSlot("not finished when saved", task="t1")
        slot.fill("<p>the video</p>", "Wan 2.6 job: done")
    widget, pending, filled = captured.outputs
    assert widget.data["text/plain"] == "a live thing"
    assert "not finished when saved" in pending.data["text/html"]
    assert pending.data["text/plain"] == "not finished when saved"
    assert filled.update and filled.transient == pending.transient  # the same output
    assert filled.data == {"text/html": "<p>the video</p>", "text/plain": "Wan 2.6 job: done"}


def test_a_progress_card_shown_alone_says_a_sentence_and_keeps_its_repr() -> None:
    from wan_notebook.widgets import ProgressCard

    card = ProgressCard(seed=7, task_uuid="1a2b3c4d-0000")
    data, _ = card._repr_mimebundle_()
    assert data["text/plain"] == "Wan 2.6 job card 1a2b3c4d, seed 7: live view (kernel needed)"
    assert data[WIDGET_VIEW]["model_id"] == card.model_id and data["text/html"] == ""
    assert repr(card) == "ProgressCard(status='queued', seed=7)"  # nbval compares reprs


def test_a_shown_view_lets_the_browser_route_its_clicks() -> None:
    # ipykernel 7 sends a comm's browser messages to the subshell of the request it last
    # answered: a view made by a cell would have Cancel queued behind a cell in job.wait().
    from types import SimpleNamespace

    from ipykernel.comm.comm import BaseComm

    from wan_notebook.widgets._slots import _unpin_routes

    box_comm, card_comm = (BaseComm(target_name="t", primary=False, comm_id=i) for i in "ab")
    for comm in (box_comm, card_comm):
        comm._reply_subshell_id = None  # pinned to the main shell by the cell that made it
        assert comm._reply_subshell_for({}, "widget-subshell") is None
    card = SimpleNamespace(comm=card_comm, children=())
    box = SimpleNamespace(comm=box_comm, children=(card,))
    _unpin_routes(box)
    assert box_comm._reply_subshell_for({}, "widget-subshell") == "widget-subshell"
    assert card_comm._reply_subshell_for({}, "widget-subshell") == "widget-subshell"
