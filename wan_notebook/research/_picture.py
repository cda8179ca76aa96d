"""The picture's metrics, from the reduced luma frames of one decoding pass.

Cuts. The cut score of frame ``t`` is ``1 - r``, ``r`` the Pearson correlation of the pixels
of frames ``t-1`` and ``t`` (a flat frame correlates 1 with a flat one and 0 with any other).
A cut is a peak of that score of at least ``CUT_SCORE`` that is also ``CUT_RATIO`` times the
mean score of the ``CUT_WINDOW`` frames on each side (PySceneDetect's ``AdaptiveDetector``
rule: sustained fast motion is not a string of cuts), with no higher peak within
``MIN_SHOT_S`` (``scipy.signal.find_peaks``). A correlation ignores gain and offset, so a
frame that is only brighter or darker is never a cut, even in a strobing clip. Gradual
transitions (dissolves, fades) are not cuts.

Why not ffmpeg's scene score (``scdet`` in PyAV's filter graph) or PySceneDetect, measured on
the engine's multi-shot clips (shots of one palette: mild cuts) and on the tests' clips; cut
frames found, and CPU seconds with decoding (the detectors fed the same 256 px frames):

    clip (true cuts)           1 - r, adaptive    scdet >= 5, peaks   AdaptiveDetector   Content
    engine 1080p (90, 181)     (90, 181)  1.16 s  (90, 181)  1.20 s   (90, 181)  1.48 s  (181)
    engine 720p (56)           (56)       0.23 s  (56)       0.25 s   (56)       0.37 s  none
    tests (30, 71, 100)        all                all                 all                all
    tests, similar shots (36)  (36)               none: scores 3.6    (36)               (36)
    tests, strobe 30% (36)     (36)               none: scores 0.7    36 and 5 false     3 false

scdet scores how much a frame's change differs from the previous frame's change, so a cut
inside flicker scores almost nothing, while the flicker itself scores up to 10 (ffmpeg's
default threshold). PySceneDetect's detectors take flicker for cuts, convert BGR frames to
HSV in Python, and bring OpenCV (about 60 MB) into the extra; ContentDetector, its default,
also missed a cut of each engine clip. Within a shot 1 - r is at most 0.006 on these clips and
0.046 on a pan of 3% of the width per frame; across the mildest cut it is 0.27.

Flicker: with ``B[t, k]`` the mean luma of block ``k`` of a ``FLICKER_GRID`` x ``FLICKER_GRID``
grid over frame ``t`` (0-1 of full scale), ``flicker = 100 * mean over t, k of
|B[t, k] - (B[t-1, k] + B[t+1, k]) / 2|``: the second difference in time, so steady
brightness, fades and smooth motion score near 0 and frame-to-frame pumping, local or global,
scores high. Frames next to a cut are left out. Unit: percent of the luma range.

Motion: ``100 * mean over t of mean |Y[t] - Y[t-1] - (m[t] - m[t-1])|``, ``Y`` the reduced luma
(0-1) and ``m`` its frame mean: frame-difference energy with the frame's mean change removed,
so a uniform brightening (a fade, an offset flicker) does not count as motion; a flicker that
scales the picture still adds its change of contrast. Cut transitions are left out.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from ._video import VideoTrack

CUT_SCORE: Final = 0.15  # 1 - r from which a peak is a cut
CUT_RATIO: Final = 3.0  # ... and at least this many times the mean score of its neighbours
CUT_WINDOW: Final = 2  # frames on each side that make up the neighbours
MIN_SHOT_S: Final = 0.25  # shortest shot: two cuts are at least this far apart
FLAT_LUMA: Final = 1.0  # a frame whose pixels' standard deviation is under this is flat
FLICKER_GRID: Final = 8


def cut_frames(track: VideoTrack, scores: NDArray[np.float64] | None = None) -> list[int]:
    """Indices of the frames that start a new shot (``scores``: ``cut_scores(track)``, if
    already computed)."""
    import numpy as np
    from scipy.signal import find_peaks

    scores = cut_scores(track) if scores is None else scores
    around = np.ones(2 * CUT_WINDOW + 1)
    around[CUT_WINDOW] = 0.0  # the neighbours, not the frame itself
    local = np.convolve(scores, around, "same") / np.convolve(np.ones_like(scores), around, "same")
    standing_out = np.where(scores >= CUT_RATIO * local, scores, 0.0)
    distance = max(1, round(MIN_SHOT_S * track.fps))
    peaks, _ = find_peaks(standing_out, height=CUT_SCORE, distance=distance)
    return [int(p) for p in peaks]


def cut_scores(track: VideoTrack) -> NDArray[np.float64]:
    """Per frame, 1 - the correlation of its pixels with the previous frame's (0 for the
    first frame); shape (n,)."""
    import numpy as np

    scores = np.zeros(len(track.luma), np.float64)
    previous = _unit(track.luma[0])
    for t in range(1, len(track.luma)):
        current = _unit(track.luma[t])
        if previous is None or current is None:
            scores[t] = 0.0 if previous is None and current is None else 1.0
        else:
            scores[t] = 1.0 - float(previous @ current)
        previous = current
    return scores


def change_energy(scores: NDArray[np.float64]) -> NDArray[np.float64]:
    """Per frame transition t-1 -> t (index t - 1): ``sqrt(1 - r)``, the RMS difference of the
    two frames standardised (zero mean, unit spread), over sqrt 2. Frame-difference energy
    that ignores brightness and contrast, so flicker is no event for ``_sync``; shape (n - 1,).
    """
    import numpy as np

    energy: NDArray[np.float64] = np.sqrt(np.maximum(scores[1:], 0.0))
    return energy


def _unit(frame: NDArray[np.uint8]) -> NDArray[np.float32] | None:
    """The frame's pixels less their mean, scaled to length 1; None for a flat frame."""
    import numpy as np

    pixels = frame.astype(np.float32).ravel()
    pixels -= pixels.mean()
    norm = float(np.linalg.norm(pixels))
    if norm < FLAT_LUMA * math.sqrt(pixels.size):
        return None
    unit: NDArray[np.float32] = pixels / norm
    return unit


def flicker(track: VideoTrack, cuts: list[int]) -> float | None:
    """See the module docstring; None for clips under 3 frames."""
    import numpy as np

    blocks = _block_means(track.luma)
    if len(blocks) < 3:
        return None
    second = np.abs(blocks[1:-1] - (blocks[:-2] + blocks[2:]) / 2).mean(axis=(1, 2))
    # second[i] is about frame i + 1 and uses frames i..i+2: drop those that span a cut.
    keep = np.ones(len(second), bool)
    for cut in cuts:
        keep[max(0, cut - 2) : cut] = False
    return float(100 * second[keep].mean()) if keep.any() else None


def motion_energy(track: VideoTrack) -> NDArray[np.float64]:
    """Per frame transition t-1 -> t (index t - 1): mean |change| with the global brightness
    change removed, percent of the luma range; shape (n - 1,)."""
    import numpy as np

    out = np.empty(max(0, len(track.luma) - 1), np.float64)
    previous = track.luma[0].astype(np.float32)
    for t in range(1, len(track.luma)):
        current = track.luma[t].astype(np.float32)
        change = current - previous
        out[t - 1] = np.abs(change - change.mean()).mean() * (100 / 255)
        previous = current
    return out


def motion(energy: NDArray[np.float64], cuts: list[int]) -> float | None:
    """Mean motion energy over the transitions that are not cuts (None for one frame)."""
    import numpy as np

    keep = np.ones(len(energy), bool)
    keep[[c - 1 for c in cuts]] = False
    return float(energy[keep].mean()) if keep.any() else None


def phash(track: VideoTrack) -> str:
    """The 64-bit perceptual hash (DCT, imagehash) of the middle frame, as 16 hex digits."""
    import imagehash
    import numpy as np
    from PIL import Image

    middle = track.luma[len(track.luma) // 2]
    return str(imagehash.phash(Image.fromarray(np.ascontiguousarray(middle))))


def _block_means(luma: NDArray[np.uint8]) -> NDArray[np.float64]:
    """(n, g, g) mean luma (0-1) of each block of a g x g grid (edge rows left out)."""
    import numpy as np

    n, h, w = luma.shape
    g = FLICKER_GRID
    bh, bw = max(1, h // g), max(1, w // g)
    gh, gw = min(g, h // bh), min(g, w // bw)
    cropped = luma[:, : gh * bh, : gw * bw].astype(np.float64)
    means: NDArray[np.float64] = cropped.reshape(n, gh, bh, gw, bw).mean(axis=(2, 4)) / 255
    return means
