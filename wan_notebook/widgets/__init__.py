"""Live views: anywidgets over job state, and the ipywidgets forms around them.

- :class:`ProgressCard`: one job's live status, with a Cancel button.
- :class:`Player`: one video, with loop, speed, frame stepping and download.
- :class:`SeedGrid`: several videos in sync, with "Pick"; also prompt × seed matrices.
- :class:`JobView` (``show_job``): a job's card that becomes a player per result.

The three anywidgets share one front-end bundle built from ``js/`` into ``static/``. The
public entry points ``Builder`` (``builder``), ``GridView``/``grid``/``compare``
(``grid_view``) and ``history`` (``gallery``) are imported from their modules, which
``wan_notebook`` loads lazily.

Loading this package in IPython also registers how jobs, groups and results display
(``_displays``): as their live views, like ``%%wan`` shows them.
"""

from .._status import JOB_STATUSES
from ._base import WanWidget, bundle_available
from ._displays import register_displays as _register_displays
from .grid_view import show_job
from .job_view import JobView, job_widget, player_for
from .player import Player
from .progress import ProgressCard
from .seed_grid import TILE_DEFAULTS, SeedGrid

__all__ = [
    "JOB_STATUSES",  # the browser tests read the lifecycle order from here
    "TILE_DEFAULTS",
    "JobView",
    "Player",
    "ProgressCard",
    "SeedGrid",
    "WanWidget",
    "bundle_available",
    "job_widget",
    "player_for",
    "show_job",
]

_register_displays()
