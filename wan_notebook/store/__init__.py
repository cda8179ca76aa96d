"""What is kept on disk: the SQLite journal, the request cache, history, result files.

_journal       Store: the journal, result cache, history, upload cache (one per folder)
_sqlite        the journal's tables, how the file is opened (WAL, shared by kernels), commits
_leases        which kernel follows which task: heartbeats, owners, claims
_foreign       tasks another live kernel has in flight (a twin request waits for them)
_results       TaskRow, Result, HistoryItem: what the journal holds, as values
_media_files   result file names, and the JSON sidecar beside each video
export         a history export: manifest.json and verified copies
"""

from ._journal import JOURNAL_NAME, SESSION_ID, Store
from ._media_files import manifest
from ._results import HistoryItem, Result, TaskRow
from ._sqlite import one_commit
from .export import export_history, history_items

__all__ = [
    "JOURNAL_NAME",
    "SESSION_ID",
    "HistoryItem",
    "Result",
    "Store",
    "TaskRow",
    "export_history",
    "history_items",
    "manifest",
    "one_commit",
]
