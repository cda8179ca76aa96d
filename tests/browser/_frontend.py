"""One Jupyter server and one Chromium page showing it: :class:`JupyterFrontend`.

It writes notebooks (nbformat) into the server root, opens them, runs all cells,
waits, evaluates JavaScript and takes screenshots into ``tests/_artifacts/``; it
also runs single cells, reads their output, saves the open notebook and reopens
it in a fresh page (for "save, close, reopen" checks).
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ._kernel import KernelHandle
from ._paths import ARTIFACTS_DIR

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

    from ._server import JupyterServer


def python3_notebook(cells: Iterable[str], *, markdown: Sequence[str] = ()) -> Any:
    """A new notebook on the ``python3`` kernel: optional leading markdown, then code cells."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_markdown_cell(m) for m in markdown]
    nb.cells += [nbformat.v4.new_code_cell(source) for source in cells]
    return nb


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

        nb = python3_notebook(cells, markdown=markdown)
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

    def start_small_engine(self, delay: float) -> None:
        """Start the open notebook's engine in small render mode (a quarter of the width and
        height, same aspect and length), before its first job: for checks of layout and
        state, where pixels do not matter. Players and grids that check playback of the
        real size keep full-size clips."""
        code = (
            "from wan_notebook.local import ensure_engine\n"
            f"ensure_engine(delay={delay!r}, render_mode='small')"
        )
        self.kernel().execute(code)

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
