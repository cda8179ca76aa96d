"""What is kept on disk: the SQLite journal, the request cache, history, result files."""

from ._journal import Result, Store
from .export import export_history

__all__ = ["Result", "Store", "export_history"]
