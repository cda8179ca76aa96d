"""The wan-notebook widgets: anywidget views over job state.

- :class:`ProgressCard`: one job's live status, with a Cancel button.
- :class:`Player`: one video, with loop, speed, frame stepping and download.
- :class:`SeedGrid`: several videos in sync, with "Pick"; also prompt × seed matrices.

All three share one front-end bundle built from ``js/`` into ``static/``.
"""

from ._base import WanWidget, bundle_available
from .grid import TILE_DEFAULTS, SeedGrid
from .player import MIME_BY_SUFFIX, Player
from .progress import JOB_STATUSES, LIVE_STATUSES, ProgressCard

__all__ = [
    "JOB_STATUSES",
    "LIVE_STATUSES",
    "MIME_BY_SUFFIX",
    "TILE_DEFAULTS",
    "Player",
    "ProgressCard",
    "SeedGrid",
    "WanWidget",
    "bundle_available",
]
