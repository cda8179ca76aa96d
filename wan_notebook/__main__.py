"""``python -m wan_notebook`` is the ``wan-notebook`` command (see ``_cli.py``)."""

from __future__ import annotations

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
