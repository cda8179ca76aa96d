"""``python -m wan_notebook.local serve ...``: the engine alone (see ``cli.py``).

This is what the launcher runs in its child process; ``wan-notebook serve`` is the same.
"""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
