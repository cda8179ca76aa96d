"""Static (non-widget) output: HTML fallbacks for saved notebooks, dry runs, session tables,
the plain-text sentences that stand in for widgets, and the display hooks of jobs.

Live views (progress cards, players, grids) are in ``widgets``; nothing here imports them.
"""

from ._dry_run import DryRun
from ._fallback import (
    StaticTile,
    static_grid_html,
    static_html,
    static_jobs_html,
    static_result_html,
)
from ._history import history_sentence, static_history_html
from ._markup import NO_TEX, Shown, cost_pair, money, no_tex
from ._posters import poster_data_uri
from ._sentences import group_sentence, job_sentence, live_sentence, result_sentence
from ._session import spend_view, status_view
from ._static import browser_urls, frame_width, pending_html, short_error

__all__ = [
    "NO_TEX",
    "DryRun",
    "Shown",
    "StaticTile",
    "browser_urls",
    "cost_pair",
    "frame_width",
    "group_sentence",
    "history_sentence",
    "job_sentence",
    "live_sentence",
    "money",
    "no_tex",
    "pending_html",
    "poster_data_uri",
    "result_sentence",
    "short_error",
    "spend_view",
    "static_grid_html",
    "static_history_html",
    "static_html",
    "static_jobs_html",
    "static_result_html",
    "status_view",
]
