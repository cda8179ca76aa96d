"""A direct client of a notebook's kernel (``jupyter_client``).

It checks state in Python while the browser drives the UI:
``frontend.kernel().execute("print(grid.picked)")``.
"""

from __future__ import annotations

import pathlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jupyter_client.blocking import BlockingKernelClient


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
