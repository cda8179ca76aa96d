"""Open a notebook with no kernel at all, as when no kernel is installed."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._frontend import JupyterFrontend


def open_without_kernel(frontend: JupyterFrontend, nb_path: str | os.PathLike[str]) -> str:
    """Open a copy of a notebook with no kernel at all (as when no kernel is installed).

    The copy, ``<name>-nokernel.ipynb``, has no kernelspec and no language_info (from either
    the front end would pick a kernel itself), so it asks which kernel to start; "No Kernel"
    is chosen. Widgets then have no models and no manager to
    ask for them: only what the file holds is shown. Returns the copy's path (relative).
    """
    import nbformat

    source = frontend.root / frontend.relative(nb_path)
    nb = nbformat.read(source, as_version=4)
    nb.metadata.pop("kernelspec", None)
    nb.metadata.pop("language_info", None)
    copy = source.with_name(f"{source.stem}-nokernel.ipynb")
    nbformat.write(nb, copy)
    rel = frontend.relative(copy)
    if frontend.nb_path is not None:
        frontend.server.shutdown_session(frontend.nb_path)
    frontend.page.goto("about:blank")
    route = f"/lab/tree/{rel}?reset" if frontend.server.app == "lab" else f"/notebooks/{rel}"
    frontend.page.goto(frontend.url(route))
    frontend.page.locator('.jp-Dialog button:has-text("No Kernel")').click(timeout=60_000)
    frontend.page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    frontend.nb_path = rel
    return rel
