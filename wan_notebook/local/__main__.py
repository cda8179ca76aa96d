"""``python -m wan_notebook.local`` is the ``wan-notebook`` command (see ``cli.py``)."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
