"""Fixtures of the widget tests: what the widgets send to the front end."""

from __future__ import annotations

from typing import Any

import pytest

from wan_notebook.widgets import WanWidget


@pytest.fixture
def sent_with_buffers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[dict[str, Any], list[bytes]]]:
    """Capture custom messages with their binary buffers."""
    messages: list[tuple[dict[str, Any], list[bytes]]] = []

    def send(self: WanWidget, content: dict[str, Any], buffers: Any = None) -> None:
        messages.append((content, [bytes(b) for b in buffers or []]))

    monkeypatch.setattr(WanWidget, "send", send)
    return messages


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Capture custom messages every widget sends to the front end."""
    messages: list[dict[str, Any]] = []
    monkeypatch.setattr(
        WanWidget, "send", lambda self, content, buffers=None: messages.append(content)
    )
    return messages
