"""How a video's measurements read on a grid tile, and the order a sort by one gives.

A badge is a plain dict the front end draws as is (``grid_metrics.js``): ``name`` (the
``VideoMetrics`` field), ``label`` (a table heading), ``text`` (the badge: label and value),
``cell`` (the value alone, for a table), ``value`` (a number to sort by, or None), ``title``
(a tooltip) and ``state``: ``"done"``, ``"pending"`` (still measuring) or ``"error"``.
Formatting lives here only, so a badge, a table cell and a sort always agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from ..research import VideoMetrics

__all__ = [
    "METRICS",
    "badge",
    "check_names",
    "error_badge",
    "pending_badge",
    "sort_note",
    "sort_value",
    "sorted_keys",
]

Format = Callable[[Any], str]


def _plural(word: str) -> Format:
    return lambda v: f"{v} {word}" + ("" if v == 1 else "s")


def _cuts(times: Sequence[float]) -> str:
    return ", ".join(f"{t:.1f}" for t in times) + " s" if times else "none"


# name -> (label, value as text); the order is VideoMetrics'.
METRICS: Final[dict[str, tuple[str, Format]]] = {
    "duration_s": ("duration", lambda v: f"{v:.1f} s"),
    "fps": ("fps", lambda v: f"{v:g} fps"),
    "width": ("width", lambda v: f"{v} px"),
    "height": ("height", lambda v: f"{v} px"),
    "has_audio": ("audio", lambda v: "sound" if v else "silent"),
    "shot_count": ("shots", _plural("shot")),
    "cut_times": ("cuts", _cuts),
    "flicker": ("flicker", lambda v: f"{v:.3f}"),
    "motion": ("motion", lambda v: f"{v:.2f}"),
    "loudness_lufs": ("loudness", lambda v: f"{v:.1f} LUFS"),
    "silence_ratio": ("silence", lambda v: f"{v:.0%}"),
    "av_offset_ms": ("A/V offset", lambda v: f"{v:+.0f} ms"),
    "phash": ("pHash", lambda v: str(v)),
}
# Badges that say their value without a label in front ("3 shots", not "shots 3 shots").
_SELF_SPEAKING: Final = {"duration_s", "fps", "has_audio", "shot_count", "loudness_lufs"}
_UNSORTABLE: Final = {"phash"}  # a hash has no order worth sorting by


def check_names(where: str, names: Sequence[object], *, sortable: bool = False) -> list[str]:
    """The metric names, checked: a ``ValueError`` names any unknown one and the allowed."""
    allowed = [n for n in METRICS if not (sortable and n in _UNSORTABLE)]
    out = []
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"{where}: a metric name must be a string, got {type(name).__name__}")
        if name not in allowed:
            raise ValueError(f"{where}: unknown metric {name!r}; allowed: {', '.join(allowed)}")
        out.append(name)
    return out


def sort_value(name: str, value: Any) -> float | None:
    """The number a sort by ``name`` uses (a cut list sorts by its length)."""
    if value is None or name in _UNSORTABLE:
        return None
    if name == "cut_times":
        return float(len(value))
    return float(value)


def badge(name: str, metrics: VideoMetrics) -> dict[str, Any]:
    label, fmt = METRICS[name]
    value = getattr(metrics, name)
    cell = "n/a" if value is None else fmt(value)
    text = cell if name in _SELF_SPEAKING and value is not None else f"{label} {cell}"
    raw = list(value) if isinstance(value, tuple) else value
    return {
        "name": name,
        "label": label,
        "text": text,
        "cell": cell,
        "value": sort_value(name, value),
        "title": f"{name} = {raw}",
        "state": "done",
    }


def pending_badge(name: str) -> dict[str, Any]:
    label = METRICS[name][0]
    title = "measuring in the background"
    return {"name": name, "label": label, "text": f"{label} …", "cell": "…", "value": None,
            "title": title, "state": "pending"}  # fmt: skip


def error_badge(name: str, message: str) -> dict[str, Any]:
    label = METRICS[name][0]
    return {"name": name, "label": label, "text": f"{label} ?", "cell": "?", "value": None,
            "title": f"not measured: {message}", "state": "error"}  # fmt: skip


def sort_note(name: str, descending: bool) -> str:
    """What a grid sorted by ``name`` says above its tiles."""
    first = "largest" if descending else "smallest"
    return f"Sorted by {METRICS[name][0]}, {first} first; unmeasured last"


def sorted_keys(
    keys: Sequence[str], values: Mapping[str, float | None], *, descending: bool
) -> list[str]:
    """``keys`` ordered by their value; keys without one keep their order, after the rest."""
    known = [k for k in keys if values.get(k) is not None]
    known.sort(key=lambda k: values[k] or 0.0, reverse=descending)  # stable both ways
    return known + [k for k in keys if values.get(k) is None]
