"""Which types IPython shows as live views (finding 4 of issue 12), registered by name."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from wan_notebook.display import _hooks
from wan_notebook.jobs import Job, JobGroup
from wan_notebook.store import Result


def test_the_registered_names_are_the_real_classes() -> None:
    # The names are matched as strings: a class that moved would silently show as text.
    classes = {getattr(importlib.import_module(m), n) for m, n in _hooks.DISPLAYED}
    assert classes == {Job, JobGroup, Result}
    for cls in classes:
        assert (cls.__module__, cls.__name__) in _hooks.DISPLAYED


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    ip = InteractiveShell.instance()
    yield ip
    _hooks.unregister(ip)


def test_register_and_unregister_on_the_display_formatter(shell: InteractiveShell) -> None:
    shown: list[object] = []
    assert _hooks.register(shell, shown.append)
    formatter = shell.display_formatter.ipython_display_formatter
    result = Result(task_uuid="t", video_uuid="v", url=None, path=Path("x.mp4"))
    assert formatter(result) is True and shown == [result]
    _hooks.unregister(shell)
    assert not formatter(result) and shown == [result]


def test_without_a_shell_nothing_is_registered() -> None:
    assert _hooks.register(object(), print) is False
