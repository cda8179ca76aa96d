"""Fault injection for the local engine: how often, and what, goes wrong on purpose.

A client is only as good as its handling of a bad day, so the engine can be told to
misbehave. Every decision comes from one seeded ``random.Random``, so a test that sets a
seed sees the same sequence of faults every run. For tests that need no luck at all, each
kind also has a ``next`` counter: ``{"next": {"503": 3}}`` means "the next three POSTs get
503", whatever the rates say.

Fault kinds, by where they strike:

- every ``POST /v1`` (one fault at most per request; ``next`` counters first, then rates,
  both in the order of ``POST_KINDS``):
  ``429`` (with ``Retry-After``), ``500``, ``503``, ``402`` (``insufficientCredits``),
  ``drop`` (close the socket without an answer, tasks not processed), ``drop_after``
  (process the tasks, then close: a resent submit meets ``conflictTaskUUID``), ``slow``
  (sleep ``slow_seconds``, then answer normally), ``malformed`` (answer 200 with invalid
  JSON, or valid JSON of the wrong shape when ``malformed`` is ``"shape"``; tasks not
  processed);
- each generation: ``task_fail`` (the generation ends in error ``inferenceError``);
- each media ``GET``: ``truncate`` (full ``Content-Length``, then close half-way).

Policy knobs that are not faults live here too, because tests flip them at runtime:
``reject_batched_get_response`` (a request with more than one getResponse gets 400
``unsupportedBatch``) and ``error_shape`` (``"errors"``: failed generations are items of the
``errors`` array; ``"data"``: ``data`` items with a nested ``error`` object).

Render knobs for metric tests, off by default, taken by a task when it is submitted:
``flicker`` (0-1, brightness flicker) and ``av_offset_ms`` (sync marks, the sound that many
ms late; None: no marks). See ``render._plan``; a result's ``localEngine`` item field holds
the plan it was rendered to.

The JSON form (``--faults``, ``POST /_engine/faults``) is the dataclass's fields, e.g.
``{"seed": 7, "rates": {"503": 0.2}, "next": {"drop_after": 1}, "apply_to": ["videoInference"]}``.
"""

from __future__ import annotations

import dataclasses
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from ..errors import FaultConfigError

POST_KINDS: Final = ("402", "429", "500", "503", "drop", "drop_after", "malformed", "slow")
TASK_KINDS: Final = ("task_fail",)
MEDIA_KINDS: Final = ("truncate",)
KINDS: Final = POST_KINDS + TASK_KINDS + MEDIA_KINDS
MAX_AV_OFFSET_MS: Final = 2000.0  # the render knob's bound (RenderSpec checks it too)

ErrorShape = Literal["errors", "data"]


@dataclass(frozen=True)
class FaultConfig:
    """What goes wrong and how often. The default is a well-behaved server."""

    seed: int = 0
    rates: Mapping[str, float] = field(default_factory=dict)  # kind -> probability 0..1
    next: Mapping[str, int] = field(default_factory=dict)  # kind -> the next N events
    apply_to: tuple[str, ...] = ()  # POST faults only for requests with these taskTypes
    retry_after: float = 1.0  # seconds, sent with 429 (rounded up to whole seconds)
    slow_seconds: float = 2.0
    malformed: Literal["json", "shape"] = "json"
    reject_batched_get_response: bool = False
    error_shape: ErrorShape = "errors"
    flicker: float = 0.0
    av_offset_ms: float | None = None

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> FaultConfig:
        """Checked construction from JSON; unknown keys and bad values raise."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise FaultConfigError(f"unknown fault knob(s): {', '.join(unknown)}")
        values = dict(raw)
        rates = _kind_map(values.get("rates", {}), "rates", float)
        for kind, rate in rates.items():
            if not 0.0 <= rate <= 1.0:
                raise FaultConfigError(f"rates.{kind}={rate}: a probability from 0 to 1")
        counts = _kind_map(values.get("next", {}), "next", int)
        if any(n < 0 for n in counts.values()):
            raise FaultConfigError("next counts must be >= 0")
        values["rates"], values["next"] = rates, counts
        values["apply_to"] = tuple(str(t) for t in values.get("apply_to", ()))
        if values.get("malformed", "json") not in ("json", "shape"):
            raise FaultConfigError("malformed: 'json' or 'shape'")
        if values.get("error_shape", "errors") not in ("errors", "data"):
            raise FaultConfigError("error_shape: 'errors' or 'data'")
        for key in ("retry_after", "slow_seconds"):
            if key in values and not (_is_number(values[key]) and values[key] >= 0):
                raise FaultConfigError(f"{key}: a number of seconds >= 0")
        flicker = values.get("flicker", 0.0)
        if not (_is_number(flicker) and 0.0 <= flicker <= 1.0):
            raise FaultConfigError(f"flicker={flicker!r}: a number from 0 to 1")
        offset = values.get("av_offset_ms")
        if offset is not None and not (_is_number(offset) and abs(offset) <= MAX_AV_OFFSET_MS):
            raise FaultConfigError(
                f"av_offset_ms={offset!r}: None or milliseconds within ±{MAX_AV_OFFSET_MS:g}"
            )
        for key in ("seed",):
            if key in values and not isinstance(values[key], int):
                raise FaultConfigError(f"{key}: an integer")
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["rates"], out["next"], out["apply_to"] = (
            dict(self.rates),
            dict(self.next),
            list(self.apply_to),
        )
        return out


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _kind_map(raw: Any, name: str, kind_type: type[float] | type[int]) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise FaultConfigError(f"{name}: an object of fault kind -> number")
    out: dict[str, Any] = {}
    for kind, value in raw.items():
        if kind not in KINDS:
            raise FaultConfigError(f"{name}.{kind}: unknown fault kind; known: {', '.join(KINDS)}")
        if not _is_number(value) or (kind_type is int and not isinstance(value, int)):
            raise FaultConfigError(f"{name}.{kind}={value!r}: a {kind_type.__name__}")
        out[kind] = kind_type(value)
    return out


class FaultPolicy:
    """The live fault state: the config, its random generator and what is left of ``next``."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self._lock = threading.Lock()
        self._config = FaultConfig()
        self._rng = random.Random(0)
        self._next: dict[str, int] = {}
        self.replace(config or FaultConfig())

    @property
    def config(self) -> FaultConfig:
        return self._config

    def replace(self, config: FaultConfig) -> None:
        """Swap in a new config; the generator restarts from its seed."""
        with self._lock:
            self._config = config
            self._rng = random.Random(config.seed)
            self._next = dict(config.next)

    def remaining(self) -> dict[str, int]:
        with self._lock:
            return {k: n for k, n in self._next.items() if n > 0}

    def for_post(self, task_types: set[str]) -> str | None:
        """The fault for one ``POST /v1`` carrying these task types, or None."""
        wanted = self._config.apply_to
        if wanted and not task_types.intersection(wanted):
            return None
        return self._draw(POST_KINDS)

    def task_fails(self) -> bool:
        return self._draw(TASK_KINDS) is not None

    def truncates(self) -> bool:
        return self._draw(MEDIA_KINDS) is not None

    def _draw(self, kinds: tuple[str, ...]) -> str | None:
        with self._lock:
            for kind in kinds:
                if self._next.get(kind, 0) > 0:
                    self._next[kind] -= 1
                    return kind
            rates = self._config.rates
            for kind in kinds:
                rate = rates.get(kind, 0.0)
                # Draw only for configured kinds, so adding a knob does not shift the others.
                if rate > 0.0 and self._rng.random() < rate:
                    return kind
        return None
