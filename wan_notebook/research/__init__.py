"""Research: measure every video, and take the results out as data.

- ``metrics(source) -> VideoMetrics``: duration, fps, size, audio, shots and cut times,
  flicker, motion, loudness, silence, audio/visual offset and a perceptual hash, measured
  from the file at reduced resolution and cached in the journal by sha256.
- ``cached_metrics(source)``: the cached measurements only, never decoding (for live views).
- ``results_frame(metrics=False, ...)``: one typed pandas row per stored video.
- ``export_dataset(folder)``: videos, a parquet table and a provenance manifest.

Importing this package imports none of the ``[research]`` extra (numpy, scipy, pandas,
pyarrow, pyloudnorm, imagehash): each function imports what it needs when called, and says
``pip install "wan-notebook[research]"`` when something is missing.

Modules, in the order a measurement runs: ``_video`` (one decoding pass) -> ``_picture``
(cuts, flicker, motion, pHash) and ``_audio`` (loudness, silence, onsets) -> ``_sync``
(A/V offset) -> ``_measure`` (``VideoMetrics``) -> ``_cache`` (the journal's ``metrics``
table) -> ``_metrics`` (sources) -> ``_frame`` (DataFrame) -> ``_export`` (dataset folder);
``_deps`` guards the extra.
"""

from ._export import export_dataset
from ._frame import results_frame
from ._measure import VideoMetrics
from ._metrics import cached_metrics, metrics

__all__ = ["VideoMetrics", "cached_metrics", "export_dataset", "metrics", "results_frame"]
