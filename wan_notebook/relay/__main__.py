"""``python -m wan_notebook.relay``: the same as ``wan-notebook relay``."""

from __future__ import annotations

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
