"""What importing a module loads, seen from a fresh interpreter (import-weight checks)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable


def loaded_by_import(module: str, candidates: Iterable[str]) -> list[str]:
    """The ``candidates`` that ``import module`` loads in a new Python process, sorted."""
    names = json.dumps(sorted(candidates))
    code = (
        f"import json, sys, {module}; print(json.dumps([m for m in {names} if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return list(json.loads(out.stdout))
