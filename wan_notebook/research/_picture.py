"""The picture's metrics, from the reduced luma frames of one decoding pass.

Cuts. ffmpeg's ``scdet`` scores every frame (0-100, its sum of absolute differences against
the previous frame, less the previous difference, so steady motion scores low); a cut is a
peak of that score of at least ``CUT_SCORE`` with no higher peak within ``MIN_SHOT_S``
(``scipy.signal.find_peaks``), where the two frames' pixels also correlate under
``CUT_LIKENESS``. The correlation ignores gain and offset, so a frame that is only brighter
or darker (strong flicker scores up to 10 in scdet) is never a cut; across the tests' and the
engine's clips it is 0.997-1.0 within a shot and at most 0.73 across a cut. Chosen over PySceneDetect by measurement on the local
engine's multi-shot clips (its cuts join shots of one palette, so they are mild) and on the
tests' synthetic clips: both found every cut, within one frame, but PySceneDetect's
``AdaptiveDetector`` needs BGR frames converted to HSV in Python (the 10 s 1080p clip took
0.92 s against 0.64 s for decoding + scdet, and 0.59 s for decoding alone), its
``ContentDetector`` at the default threshold missed one of the two cuts, and it brings
OpenCV (about 60 MB) into the extra. ffmpeg's default threshold (10) is for camera footage;
the engine's same-palette cuts score 7.5-8.2 and nothing else scores above 0.6, hence 5.

Flicker: with ``B[t, k]`` the mean luma of block ``k`` of a ``FLICKER_GRID`` x ``FLICKER_GRID``
grid over frame ``t`` (0-1 of full scale), ``flicker = 100 * mean over t, k of
|B[t, k] - (B[t-1, k] + B[t+1, k]) / 2|``: the second difference in time, so steady
brightness, fades and smooth motion score near 0 and frame-to-frame pumping, local or global,
scores high. Frames next to a cut are left out. Unit: percent of the luma range.

Motion: ``100 * mean over t of mean |Y[t] - Y[t-1] - (m[t] - m[t-1])|``, ``Y`` the reduced luma
(0-1) and ``m`` its frame mean: frame-difference energy with the global brightness change
removed, so flicker and fades do not count as motion. Cut transitions are left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from ._video import VideoTrack

CUT_SCORE: Final = 5.0  # scdet score (percent) from which a peak is a cut
MIN_SHOT_S: Final = 0.25  # shortest shot: two cuts are at least this far apart
CUT_LIKENESS: Final = 0.95  # ... where the two frames' pixels correlate less than this
FLICKER_GRID: Final = 8


def cut_frames(track: VideoTrack) -> list[int]:
    """Indices of the frames that start a new shot."""
    import numpy as np
    from scipy.signal import find_peaks

    scores = track.scene_scores.copy()
    for t in np.flatnonzero(scores >= CUT_SCORE):
        if t == 0 or _likeness(track.luma[t - 1], track.luma[t]) >= CUT_LIKENESS:
            scores[t] = 0.0  # the same picture, brighter or darker: not a cut
    distance = max(1, round(MIN_SHOT_S * track.fps))
    peaks, _ = find_peaks(scores, height=CUT_SCORE, distance=distance)
    return [int(p) for p in peaks]


def _likeness(a: NDArray[np.uint8], b: NDArray[np.uint8]) -> float:
    """Pearson correlation of two frames' pixels; -1 when either is flat (then any change
    scdet sees, such as a cut from black, counts)."""
    import numpy as np

    x, y = a.ravel().astype(np.float32), b.ravel().astype(np.float32)
    if x.std() == 0 or y.std() == 0:
        return -1.0
    return float(np.corrcoef(x, y)[0, 1])


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
