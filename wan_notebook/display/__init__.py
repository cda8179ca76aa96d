"""Static (non-widget) output: HTML fallbacks for saved notebooks, dry runs, status tables."""

from ._posters import poster_data_uri
from ._views import (
    DryRun,
    JobView,
    browser_urls,
    player_for,
    short_error,
    show_job,
    spend_view,
    static_html,
    status_view,
)

__all__ = [
    "DryRun",
    "JobView",
    "browser_urls",
    "player_for",
    "poster_data_uri",
    "short_error",
    "show_job",
    "spend_view",
    "static_html",
    "status_view",
]
