"""Drive JupyterLab and Notebook 7 in headless Chromium, for end-to-end tests.

The pieces, smallest first:

- :func:`launch_chromium` starts the system Chromium through Playwright (no
  browser download: ``executable_path`` points at Debian's ``chromium-headless-shell``).
- :class:`JupyterServer` runs ``jupyter lab`` or ``jupyter notebook`` on
  127.0.0.1 with a random free port, a random token, ``--allow-root``, the
  ``JUPYTER_*_DIR``/``IPYTHONDIR`` variables pointing into a temporary "home",
  news and update checks off, and ``root_dir`` set to a temporary folder.
- :class:`KernelHandle` talks to a notebook's kernel directly
  (``jupyter_client``), to check state in Python while the browser drives the
  UI: ``frontend.kernel().execute("print(grid.picked)")``.
- :class:`JupyterFrontend` = one server + one browser page. It writes
  notebooks (nbformat) into the server root, opens them, runs all cells,
  waits, evaluates JavaScript and takes screenshots into ``tests/_artifacts/``;
  it also runs single cells, reads their output, saves the open notebook and
  reopens it in a fresh page (for "save, close, reopen" checks).
- :func:`local_engine_env`: server environment for end-to-end runs on the
  local engine (no key, a chosen ``WAN_LOCAL_DELAY``), passed as
  ``start_frontend(..., env=...)``.
- Media helpers for the seed-grid checks: :data:`GRID_STATE` (JavaScript) and
  :func:`circular_spread`.

Typical use through the fixtures in ``conftest.py``::

    @pytest.mark.browser
    def test_hello(jupyter_lab):
        nb = jupyter_lab.write_notebook("hello.ipynb", ["x = 6 * 7", "print(x)"])
        jupyter_lab.open(nb)
        jupyter_lab.run_all()
        assert jupyter_lab.kernel().execute("print(x)").strip() == "42"
        jupyter_lab.screenshot("hello")

This module is the kit's public face: it re-exports the names below, which
live in one module per concern:

- ``_paths``: :data:`REPO_ROOT`, :data:`ARTIFACTS_DIR`.
- ``_chromium``: :data:`CHROMIUM_ARGS`, :func:`chromium_executable`, :func:`launch_chromium`.
- ``_server``: :data:`App`, :func:`free_port`, :func:`isolated_env`,
  :func:`local_engine_env`, :class:`JupyterServer`.
- ``_kernel``: :class:`KernelError`, :class:`KernelHandle`.
- ``_frontend``: :class:`JupyterFrontend`, :func:`python3_notebook`.
- ``_start``: :func:`start_frontend`, :func:`running_frontend`.
- ``_nokernel``: :func:`open_without_kernel`.
- ``_media``: :data:`GRID_STATE`, :func:`circular_spread`.

Playwright is imported lazily, so importing the kit never fails; the fixtures
skip the tests when Playwright or Chromium is missing.
"""

from __future__ import annotations

from ._chromium import CHROMIUM_ARGS, chromium_executable, launch_chromium
from ._frontend import JupyterFrontend, python3_notebook
from ._kernel import KernelError, KernelHandle
from ._media import GRID_STATE, circular_spread
from ._nokernel import open_without_kernel
from ._paths import ARTIFACTS_DIR, REPO_ROOT
from ._server import App, JupyterServer, free_port, isolated_env, local_engine_env
from ._start import running_frontend, start_frontend

__all__ = [
    "ARTIFACTS_DIR",
    "CHROMIUM_ARGS",
    "GRID_STATE",
    "REPO_ROOT",
    "App",
    "JupyterFrontend",
    "JupyterServer",
    "KernelError",
    "KernelHandle",
    "chromium_executable",
    "circular_spread",
    "free_port",
    "isolated_env",
    "launch_chromium",
    "local_engine_env",
    "open_without_kernel",
    "python3_notebook",
    "running_frontend",
    "start_frontend",
]
