"""Argument checks for the engine's public functions: a wrong Python type fails at once.

Type hints are not enforced; without these, a wrong argument would fail deep inside (an
AttributeError from PyAV or numpy) instead of naming the argument.
"""

from __future__ import annotations


def require(value: object, types: type | tuple[type, ...], name: str, what: str) -> None:
    """Raise ``TypeError("<name>: expected <what>, got <type>")`` unless ``value`` fits.

    A bool fits only where ``bool`` is named: True is an int to Python, never a count.
    """
    named = types if isinstance(types, tuple) else (types,)
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in named):
        msg = f"{name}: expected {what}, got {type(value).__name__}"
        raise TypeError(msg)


def require_callable(value: object, name: str) -> None:
    """Raise ``TypeError`` naming ``name`` unless ``value`` is callable or None."""
    if value is not None and not callable(value):
        msg = f"{name}: expected a callable or None, got {type(value).__name__}"
        raise TypeError(msg)
