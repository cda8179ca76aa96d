"""Keeps API keys out of every message, repr, log line and file the package writes."""

from __future__ import annotations

import threading

_lock = threading.Lock()
_secrets: set[str] = set()
MASK = "***"


def register_secret(value: str | None) -> None:
    """Remember a secret so that ``redact`` hides it wherever it would appear."""
    if value and len(value) >= 6:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """The text with every registered secret replaced by ``***``."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def mask(value: str | None) -> str:
    """How a key is shown to a person: never more than its last four characters."""
    if not value:
        return "(none)"
    return f"{MASK}{value[-4:]}" if len(value) > 12 else MASK
