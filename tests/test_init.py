"""The public surface: exactly __all__, every name resolvable, and a light import."""

from __future__ import annotations

import subprocess
import sys

import wan_notebook


def test_every_exported_name_resolves() -> None:
    for name in wan_notebook.__all__:
        assert getattr(wan_notebook, name) is not None, name


def test_public_names_are_exactly_all() -> None:
    public = {n for n in vars(wan_notebook) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(wan_notebook, n)).__name__ == "module"}
    # Resolved lazy names land in the namespace too; anything else public must be exported.
    assert public - modules - {"annotations", "importlib", "TYPE_CHECKING", "Any"} <= set(
        wan_notebook.__all__
    )


def test_unknown_attribute_is_an_attribute_error() -> None:
    try:
        wan_notebook.does_not_exist  # noqa: B018
    except AttributeError as exc:
        assert "does_not_exist" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_import_does_not_load_network_storage_or_widgets() -> None:
    code = (
        "import sys, wan_notebook; "
        "print(sorted(m for m in ('httpx', 'sqlite3', 'tenacity', 'anywidget', 'ipywidgets', 'av') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
