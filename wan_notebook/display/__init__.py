"""Static (non-widget) output: HTML fallbacks for saved notebooks, dry runs, session tables.

Live views (progress cards, players, grids) are in ``widgets``; nothing here imports them.
"""

from ._dry_run import DryRun
from ._posters import poster_data_uri
from ._session import spend_view, status_view
from ._static import browser_urls, short_error, static_html

__all__ = [
    "DryRun",
    "browser_urls",
    "poster_data_uri",
    "short_error",
    "spend_view",
    "static_html",
    "status_view",
]
