"""A Jupyter server (Lab or Notebook 7) on 127.0.0.1, isolated from the user's setup.

:class:`JupyterServer` runs ``jupyter lab`` or ``jupyter notebook`` with a random
free port, a random token, ``--allow-root``, the ``JUPYTER_*_DIR``/``IPYTHONDIR``
variables pointing into a temporary "home" (:func:`isolated_env`), news and
update checks off, and ``root_dir`` set to a temporary folder.
:func:`local_engine_env` is the environment that sends every job to the local engine.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from typing import Any, Literal

from ._paths import REPO_ROOT

App = Literal["lab", "notebook"]


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
    # No "news" toast or announcements in screenshots (Lab and Notebook 7). No build check:
    # JupyterLab asks the server at each page load whether its bundle needs a rebuild, and
    # the server runs node (yarn config) to answer.
    labconfig = dirs["JUPYTER_CONFIG_DIR"] / "labconfig"
    labconfig.mkdir(exist_ok=True)
    page_config = {
        "disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True},
        "buildCheck": False,
        "buildAvailable": False,
    }
    (labconfig / "page_config.json").write_text(json.dumps(page_config))
    # What no test uses is off: jupyter_lsp looks for language servers at every start (about
    # a dozen node processes), and no test opens a terminal.
    server_app = {"jpserver_extensions": {"jupyter_lsp": False}, "terminals_enabled": False}
    (dirs["JUPYTER_CONFIG_DIR"] / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": server_app})
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
