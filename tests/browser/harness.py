"""Drive JupyterLab and Notebook 7 in headless Chromium, for end-to-end tests.

The pieces, smallest first:

- :func:`launch_chromium` starts the system Chromium through Playwright (no
  browser download: ``executable_path`` points at ``/usr/bin/chromium``).
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

The module imports Playwright lazily, so importing it never fails; the fixtures
skip the tests when Playwright or Chromium is missing.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import os
import pathlib
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from jupyter_client.blocking import BlockingKernelClient
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

__all__ = [
    "ARTIFACTS_DIR",
    "CHROMIUM_ARGS",
    "GRID_STATE",
    "REPO_ROOT",
    "JupyterFrontend",
    "JupyterServer",
    "KernelError",
    "KernelHandle",
    "chromium_executable",
    "circular_spread",
    "free_port",
    "launch_chromium",
    "local_engine_env",
]

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "tests" / "_artifacts"

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
"""Command-line flags for the system Chromium (root, no GPU, no network chatter)."""

App = Literal["lab", "notebook"]


# ---- browser -----------------------------------------------------------------


def chromium_executable() -> str | None:
    """The Chromium binary: ``$WAN_CHROMIUM`` or ``/usr/bin/chromium``; None if absent."""
    candidate = os.environ.get("WAN_CHROMIUM") or "/usr/bin/chromium"
    if pathlib.Path(candidate).is_file():
        return candidate
    return shutil.which("chromium")


def launch_chromium(playwright: Playwright) -> Browser:
    """Start headless Chromium from the system package (never a download)."""
    executable = chromium_executable()
    if executable is None:
        msg = "Chromium not found; install Debian's `chromium` or set WAN_CHROMIUM"
        raise RuntimeError(msg)
    return playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))


# ---- server ------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def isolated_env(
    home: pathlib.Path, extra: Mapping[str, str | None] | None = None
) -> dict[str, str]:
    """Environment with every Jupyter/IPython directory inside ``home``.

    The repository root is put on PYTHONPATH, so kernels import this checkout
    of ``wan_notebook`` even without ``pip install -e .``. ``extra`` adds
    variables; a value of ``None`` removes one (e.g. an API key).
    """
    dirs = {
        "JUPYTER_CONFIG_DIR": home / "config",
        "JUPYTER_DATA_DIR": home / "data",
        "JUPYTER_RUNTIME_DIR": home / "runtime",
        "IPYTHONDIR": home / "ipython",
    }
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    # No "news" toast or announcements in screenshots (Lab and Notebook 7).
    labconfig = dirs["JUPYTER_CONFIG_DIR"] / "labconfig"
    labconfig.mkdir(exist_ok=True)
    (labconfig / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    env = dict(os.environ)
    env.update({k: str(v) for k, v in dirs.items()})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.pop("ANYWIDGET_HMR", None)  # file watcher threads do not belong in tests
    for name, value in (extra or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def local_engine_env(delay: float) -> dict[str, str | None]:
    """Server environment (kernels inherit it) that sends every job to the local engine.

    No API key and no backend or media overrides from the caller's environment;
    ``delay``: the seconds each clip reads "processing" (``WAN_LOCAL_DELAY``).
    """
    return {
        "WAN_LOCAL_DELAY": f"{delay:g}",
        "RUNWARE_API_KEY": None,
        "WAN_BACKEND": None,
        "WAN_BASE_URL": None,
        "WAN_MEDIA_DIR": None,
        "WAN_BUDGET_USD": None,
    }


class JupyterServer:
    """A ``jupyter lab`` / ``jupyter notebook`` process on 127.0.0.1.

    Parameters
    ----------
    app
        ``"lab"`` (JupyterLab) or ``"notebook"`` (Notebook 7).
    root
        The server's ``root_dir``: notebooks and media are written here.
    home
        Folder for the isolated Jupyter/IPython directories and the server log.
    env
        Extra environment for the server and so its kernels (``None`` removes
        a variable), e.g. ``{"WAN_LOCAL_DELAY": "1.5", "RUNWARE_API_KEY": None}``.
    """

    def __init__(
        self,
        app: App,
        root: pathlib.Path,
        home: pathlib.Path,
        *,
        env: Mapping[str, str | None] | None = None,
    ) -> None:
        self.app: App = app
        self.root = root
        self.home = home
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.env = isolated_env(home, env)
        self.log_path = home / f"jupyter-{app}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def runtime_dir(self) -> pathlib.Path:
        return pathlib.Path(self.env["JUPYTER_RUNTIME_DIR"])

    def command(self) -> list[str]:
        args = [
            sys.executable,
            "-m",
            "jupyterlab" if self.app == "lab" else "notebook",
            "--no-browser",
            "--allow-root",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--port-retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--ServerApp.open_browser=False",
        ]
        if self.app == "lab":
            args += [
                "--LabApp.news_url=None",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            ]
        return args

    def start(self, timeout: float = 60.0) -> JupyterServer:
        """Start the server and wait until ``/api/status`` answers."""
        self.root.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            self.command(),
            cwd=self.root,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                msg = f"jupyter {self.app} exited with {self.proc.returncode}:\n{self.log_tail()}"
                raise RuntimeError(msg)
            with contextlib.suppress(OSError, ValueError):
                self.api("GET", "/api/status", timeout=2)
                return self
            time.sleep(0.1)
        self.stop()
        msg = f"jupyter {self.app} did not answer within {timeout} s:\n{self.log_tail()}"
        raise TimeoutError(msg)

    def api(self, method: str, path: str, body: Any = None, timeout: float = 10.0) -> Any:
        """Call the REST API with the token; returns decoded JSON (or None)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base_url + path,
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = response.read()
        return json.loads(payload) if payload else None

    def sessions(self) -> list[dict[str, Any]]:
        return list(self.api("GET", "/api/sessions"))

    def session_for(self, nb_path: str) -> dict[str, Any] | None:
        """The session of a notebook (path relative to the root), if one is running."""
        return next((s for s in self.sessions() if s.get("path") == nb_path), None)

    def shutdown_session(self, nb_path: str) -> bool:
        """Close a notebook's session and shut its kernel down; False if none was running."""
        session = self.session_for(nb_path)
        if session is None:
            return False
        self.api("DELETE", f"/api/sessions/{session['id']}")
        return True

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the server to shut down (kernels included); kill it if it won't."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(OSError, ValueError):
            self.api("POST", "/api/shutdown", timeout=5)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# ---- kernel ------------------------------------------------------------------


class KernelError(RuntimeError):
    """Code run through :meth:`KernelHandle.execute` raised."""


class KernelHandle:
    """A direct client of a notebook's kernel (shared with the browser)."""

    def __init__(self, connection_file: pathlib.Path) -> None:
        from jupyter_client.blocking import BlockingKernelClient

        self.connection_file = connection_file
        self.client: BlockingKernelClient = BlockingKernelClient(
            connection_file=str(connection_file)
        )
        self.client.load_connection_file()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=30)

    def execute(self, code: str, timeout: float = 30.0) -> str:
        """Run ``code``; return what it printed plus any ``text/plain`` results.

        Raises :class:`KernelError` with the traceback if the code raised.
        """
        chunks: list[str] = []
        errors: list[str] = []

        def hook(msg: dict[str, Any]) -> None:
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                chunks.append(content["text"])
            elif kind in ("execute_result", "display_data"):
                chunks.append(content["data"].get("text/plain", "") + "\n")
            elif kind == "error":
                errors.append("\n".join(content.get("traceback", [])) or content.get("evalue", ""))

        reply = self.client.execute_interactive(
            code, timeout=timeout, output_hook=hook, store_history=False, allow_stdin=False
        )
        if reply["content"]["status"] != "ok" or errors:
            raise KernelError("\n".join(errors) or str(reply["content"]))
        return "".join(chunks)

    def close(self) -> None:
        self.client.stop_channels()


# ---- browser + server --------------------------------------------------------


class JupyterFrontend:
    """One Jupyter server and one Chromium page showing it.

    Attributes
    ----------
    server
        The :class:`JupyterServer`.
    page
        The Playwright ``Page``: use it for anything the helpers do not cover.
    console_errors
        Console errors and uncaught exceptions seen on the page so far.
    """

    def __init__(
        self, server: JupyterServer, browser: Browser, *, label: str | None = None
    ) -> None:
        self.server = server
        self.label = label or server.app
        self.context: BrowserContext = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.console_errors: list[str] = []
        self.page.on(
            "console",
            lambda m: self.console_errors.append(m.text) if m.type == "error" else None,
        )
        self.page.on("pageerror", lambda e: self.console_errors.append(f"pageerror: {e}"))
        self.nb_path: str | None = None
        self._kernels: dict[str, KernelHandle] = {}

    # -- files

    @property
    def root(self) -> pathlib.Path:
        """The server's root folder."""
        return self.server.root

    def write_notebook(
        self,
        name: str,
        cells: Iterable[str],
        *,
        markdown: Sequence[str] = (),
    ) -> pathlib.Path:
        """Write a notebook into the server root (code cells, optional leading markdown)."""
        import nbformat

        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nb.cells = [nbformat.v4.new_markdown_cell(m) for m in markdown]
        nb.cells += [nbformat.v4.new_code_cell(source) for source in cells]
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        return path

    def relative(self, nb_path: str | os.PathLike[str]) -> str:
        path = pathlib.Path(nb_path)
        if path.is_absolute():
            path = path.relative_to(self.root)
        return path.as_posix()

    # -- navigation

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.server.base_url}{path}{sep}token={self.server.token}"

    def open(
        self,
        nb_path: str | os.PathLike[str],
        timeout: float = 60.0,
        *,
        only: bool = False,
    ) -> JupyterFrontend:
        """Open a notebook (absolute, or relative to the root) and wait for an idle kernel.

        ``only=True`` (JupyterLab) resets the workspace first, so notebooks opened
        earlier are not restored next to it: page-wide selectors then see one notebook.
        """
        rel = self.relative(nb_path)
        route = f"/lab/tree/{rel}" if self.server.app == "lab" else f"/notebooks/{rel}"
        if only and self.server.app == "lab":
            route += "?reset"
        self.page.goto(self.url(route))
        self.page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=timeout * 1000)
        self.nb_path = rel
        self.wait_for_kernel_idle(timeout)
        return self

    def wait_for_kernel_idle(self, timeout: float = 60.0) -> None:
        """Wait until the open notebook's kernel exists and reports ``idle``."""
        assert self.nb_path is not None, "open() a notebook first"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            session = self.server.session_for(self.nb_path)
            if session and session["kernel"].get("execution_state") == "idle":
                return
            time.sleep(0.1)
        msg = f"kernel for {self.nb_path} not idle after {timeout} s"
        raise TimeoutError(msg)

    def run_all(self, timeout: float = 120.0) -> None:
        """Run every cell through the Run menu and wait until all have run."""
        self.page.click('.lm-MenuBar-item:has-text("Run")')
        self.page.click('.lm-Menu-item[data-command="runmenu:run-all"]')
        self.wait_for_cells_done(timeout)

    def wait_for_cells_done(self, timeout: float = 120.0) -> None:
        """Wait until every code cell has an execution count and the kernel is idle."""
        self.page.wait_for_function(
            """() => {
                const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
                return prompts.length > 0 && prompts.every((p) => /\\[\\d+\\]/.test(p.textContent));
            }""",
            timeout=timeout * 1000,
        )
        self.wait_for_kernel_idle(timeout)

    # -- single cells

    CELLS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell"
    """Selector of the cells of the notebook on screen."""

    def cell(self, index: int) -> Any:
        """Locator of the ``index``-th cell (markdown cells count) of the open notebook."""
        return self.page.locator(self.CELLS).nth(index)

    def cell_selector(self, index: int, inner: str = "") -> str:
        """A selector string for the ``index``-th cell, or for ``inner`` inside it
        (for :meth:`screenshot` and :meth:`wait_for`)."""
        selector = f"{self.CELLS} >> nth={index}"
        return f"{selector} >> {inner}" if inner else selector

    def execution_counts(self) -> list[int | None]:
        """Execution count of every code cell on screen (None: not run yet or running)."""
        return list(
            self.evaluate(
                """(sel) => [...document.querySelectorAll(sel)]
                    .filter((c) => c.classList.contains('jp-CodeCell'))
                    .map((c) => {
                        const text = c.querySelector('.jp-InputPrompt').textContent;
                        const m = /\\[(\\d+)\\]/.exec(text);
                        return m ? Number(m[1]) : null;
                    })""",
                self.CELLS,
            )
        )

    def run_cell(self, index: int, *, wait: bool = True, timeout: float = 60.0) -> float:
        """Run one cell (Ctrl+Enter: run, stay) and wait until it has finished.

        Returns the seconds from the key press until the cell showed its new execution
        count (with ``wait=False``: returns 0 at once, the cell still running).
        """
        before = max((n for n in self.execution_counts() if n is not None), default=0)
        cell = self.cell(index)
        cell.scroll_into_view_if_needed()
        cell.locator(".jp-InputPrompt").first.click()  # selects the cell, command mode
        start = time.monotonic()
        self.page.keyboard.press("Control+Enter")
        if not wait:
            return 0.0
        self.page.wait_for_function(
            """([sel, index, before]) => {
                const cell = document.querySelectorAll(sel)[index];
                const prompt = cell && cell.querySelector('.jp-InputPrompt');
                const m = prompt && /\\[(\\d+)\\]/.exec(prompt.textContent);
                return m && Number(m[1]) > before;
            }""",
            arg=[self.CELLS, index, before],
            timeout=timeout * 1000,
        )
        return time.monotonic() - start

    def cell_output(self, index: int) -> str:
        """The visible text of a cell's outputs ("" for a markdown cell)."""
        area = self.cell(index).locator(".jp-OutputArea")
        return str(area.first.inner_text()) if area.count() else ""

    # -- saving and reopening

    def save(self, timeout: float = 30.0) -> pathlib.Path:
        """Save the open notebook through File > Save; returns its path once written."""
        assert self.nb_path is not None, "open() a notebook first"
        path = self.root / self.nb_path
        before = path.stat().st_mtime_ns
        self.page.click('.lm-MenuBar-item:has-text("File")')
        self.page.click('.lm-Menu-item[data-command="docmanager:save"]')
        deadline = time.monotonic() + timeout
        while path.stat().st_mtime_ns == before:
            if time.monotonic() > deadline:
                msg = f"{self.nb_path} was not saved within {timeout} s"
                raise TimeoutError(msg)
            time.sleep(0.05)
        # The server writes the file in one go (atomic replace); wait until the
        # tab no longer shows unsaved changes, too.
        self.page.wait_for_selector(
            ".jp-mod-dirty", state="detached", timeout=max(1.0, deadline - time.monotonic()) * 1000
        )
        return path

    def reopen(self, timeout: float = 60.0) -> JupyterFrontend:
        """Close the open notebook, shut its kernel down, and load it again in a fresh page.

        Widgets then have no kernel-side models (as when a saved notebook is opened
        another day): only what the .ipynb file holds is shown.
        """
        assert self.nb_path is not None, "open() a notebook first"
        rel = self.nb_path
        self.server.shutdown_session(rel)
        self.page.goto("about:blank")
        return self.open(rel, timeout, only=True)

    # -- page helpers

    def wait_for(self, selector: str, timeout: float = 30.0, state: str = "visible") -> Any:
        """Wait for a CSS selector; returns the element handle."""
        return self.page.wait_for_selector(selector, timeout=timeout * 1000, state=state)

    def wait_until(self, js: str, arg: Any = None, timeout: float = 30.0) -> Any:
        """Wait until a JS function (``(arg) => ...``) returns something truthy."""
        return self.page.wait_for_function(js, arg=arg, timeout=timeout * 1000).json_value()

    def evaluate(self, js: str, arg: Any = None) -> Any:
        """Evaluate a JS expression or function in the page."""
        return self.page.evaluate(js, arg)

    def screenshot(self, name: str, selector: str | None = None) -> pathlib.Path:
        """Save a PNG into ``tests/_artifacts/<label>-<name>.png`` (of one element if given)."""
        ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS_DIR / f"{self.label}-{name}.png"
        if selector:
            self.page.locator(selector).first.screenshot(path=str(path))
        else:
            self.page.screenshot(path=str(path))
        return path

    # -- kernel

    def kernel(self, nb_path: str | os.PathLike[str] | None = None) -> KernelHandle:
        """A direct client of the kernel behind a notebook (default: the open one)."""
        rel = self.relative(nb_path) if nb_path is not None else self.nb_path
        assert rel is not None, "open() a notebook first"
        session = self.server.session_for(rel)
        if session is None:
            msg = f"no running kernel for {rel}"
            raise LookupError(msg)
        kernel_id = session["kernel"]["id"]
        if kernel_id not in self._kernels:
            connection = self.server.runtime_dir / f"kernel-{kernel_id}.json"
            self._kernels[kernel_id] = KernelHandle(connection)
        return self._kernels[kernel_id]

    # -- teardown

    def shutdown(self) -> None:
        """Close kernel clients, the browser context and the server."""
        for handle in self._kernels.values():
            with contextlib.suppress(Exception):
                handle.close()
        self._kernels.clear()
        with contextlib.suppress(Exception):
            self.context.close()
        self.server.stop()


@contextlib.contextmanager
def running_frontend(
    app: App, browser: Browser, workdir: pathlib.Path, **options: Any
) -> Iterator[JupyterFrontend]:
    """``start_frontend`` for a ``with`` block: the server is shut down on exit."""
    frontend = start_frontend(app, browser, workdir, **options)
    try:
        yield frontend
    finally:
        frontend.shutdown()


def start_frontend(
    app: App,
    browser: Browser,
    workdir: pathlib.Path,
    *,
    prepare: Callable[[pathlib.Path], None] | None = None,
    env: Mapping[str, str | None] | None = None,
) -> JupyterFrontend:
    """Start a server with its root in ``workdir/root`` and a page for it.

    ``prepare(root)`` runs before the server starts (e.g. to copy fixtures in);
    ``env`` is extra environment for the server and its kernels (see
    :class:`JupyterServer`).
    """
    root = workdir / "root"
    root.mkdir(parents=True, exist_ok=True)
    if prepare is not None:
        prepare(root)
    server = JupyterServer(app, root, workdir / "home", env=env).start()
    try:
        return JupyterFrontend(server, browser)
    except Exception:
        server.stop()
        raise


# ---- media checks ------------------------------------------------------------

GRID_STATE = """() => {
    const vs = [...document.querySelectorAll('[data-role="tile-video"]')];
    return {
        times: vs.map((v) => v.currentTime),
        paused: vs.map((v) => v.paused),
        duration: Math.max(...vs.map((v) => v.duration || 0)),
        ready: vs.map((v) => v.readyState),
    };
}"""
"""JavaScript: currentTime, paused, readyState of every seed-grid tile video, and the duration."""


def circular_spread(times: Sequence[float], duration: float) -> float:
    """Spread of playback positions on a loop (1.99 and 0.01 are 0.02 apart)."""
    if duration <= 0 or not math.isfinite(duration):
        return max(times) - min(times)
    points = sorted(t % duration for t in times)
    gaps = [b - a for a, b in itertools.pairwise(points)]
    gaps.append(points[0] + duration - points[-1])
    return duration - max(gaps)


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
