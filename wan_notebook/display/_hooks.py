"""Jobs, groups and results display as live views, registered with IPython's formatter.

The jobs layer sits below the views and must not import them, so ``Job`` has no
``_ipython_display_`` of its own. Instead IPython is told, by module and class name, how to
show these types: ``register(shell, show)`` adds ``show`` to the shell's
``ipython_display_formatter`` for each of ``DISPLAYED``. The names are matched when an object
is displayed, so nothing here (or at ``%load_ext``) imports the jobs machinery.
``tests/display/test_hooks.py`` checks that the names still point at the real classes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

__all__ = ["DISPLAYED", "register", "unregister"]

DISPLAYED: Final[tuple[tuple[str, str], ...]] = (
    ("wan_notebook.jobs._job", "Job"),
    ("wan_notebook.jobs._group", "JobGroup"),
    ("wan_notebook.store._results", "Result"),
)
"""(module, class name) of each type shown as a live view: card + player, grid, player."""


def register(shell: Any, show: Callable[[Any], None]) -> bool:
    """Show the ``DISPLAYED`` types with ``show(obj)`` in ``shell``; False without a shell."""
    formatter = _formatter(shell)
    if formatter is None:
        return False
    for module, name in DISPLAYED:
        formatter.for_type_by_name(module, name, show)
    return True


def unregister(shell: Any) -> None:
    """Forget the registrations (``%unload_ext``); objects then show as text again."""
    formatter = _formatter(shell)
    if formatter is None:
        return
    for module, name in DISPLAYED:
        formatter.deferred_printers.pop((module, name), None)
        for cls in list(formatter.type_printers):
            if (cls.__module__, cls.__name__) == (module, name):
                del formatter.type_printers[cls]


def _formatter(shell: Any) -> Any:
    display = getattr(shell, "display_formatter", None)
    return getattr(display, "ipython_display_formatter", None)
