"""The ``[research]`` extra: its modules are imported only when a measurement needs them.

``import wan_notebook`` and ``%load_ext wan_notebook`` never import numpy's friends for
research (scipy, pandas, pyarrow, pyloudnorm, imagehash): a function that needs them calls
``require()`` first, which names the ``pip install`` line when one is missing.
"""

from __future__ import annotations

import importlib.util
from typing import Final

from ..errors import MissingExtraError

EXTRA: Final = "research"
# Import name -> distribution name, for the message and for the export's version list.
MEASURE: Final = {
    "av": "av",
    "numpy": "numpy",
    "scipy": "scipy",
    "pyloudnorm": "pyloudnorm",
    "imagehash": "ImageHash",
    "PIL": "pillow",
}
TABLES: Final = {"numpy": "numpy", "pandas": "pandas", "pyarrow": "pyarrow"}


def require(feature: str, modules: dict[str, str]) -> None:
    """Raise ``MissingExtraError`` naming ``feature`` unless every module can be imported."""
    missing = [dist for name, dist in modules.items() if importlib.util.find_spec(name) is None]
    if missing:
        raise MissingExtraError(feature, EXTRA, missing)
