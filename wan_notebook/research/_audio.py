"""The soundtrack's metrics: BS.1770 loudness, the share of silence, and an onset envelope.

Loudness is pyloudnorm's ITU-R BS.1770-4 integrated (gated) loudness. A track quieter than
the standard's absolute gate everywhere (digital silence) has no defined loudness; it reads
``GATE_LUFS`` (-70) so that "silent" and "no audio" (None) stay apart. ``silence_ratio`` is
the share of the same meter's 400 ms blocks (100 ms apart) below ``SILENCE_LUFS``: -60,
ffmpeg ``silencedetect``'s default noise floor.

The onset envelope is spectral flux, the classic onset detection function: the mean over
frequency of the positive rise of the log power spectrum from one 10 ms hop to the next,
floored 80 dB below its peak (``scipy.signal.stft``). It is what librosa's ``onset_strength``
computes on a mel spectrogram, without librosa's numba import and JIT (seconds per process).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ..errors import MediaError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

GATE_LUFS: Final = -70.0
SILENCE_LUFS: Final = -60.0
ONSET_HOP_S: Final = 0.01
_ONSET_WINDOW_S: Final = 0.025
_FLOOR_DB: Final = 80.0


@dataclass(frozen=True)
class AudioTrack:
    """The first audio stream, decoded: ``samples`` is (channels, n), float in -1..1."""

    rate: int
    start: float  # seconds of the first sample, on the container's clock
    samples: NDArray[np.float32]


def decode_audio(path: Path) -> AudioTrack | None:
    """The first audio stream as float samples (mono stays mono, more channels become
    stereo), or None when the file has none."""
    import av
    import numpy as np

    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                return None
            stream = container.streams.audio[0]
            layout = "mono" if stream.codec_context.channels == 1 else "stereo"
            resampler = av.AudioResampler(format="fltp", layout=layout)
            chunks: list[Any] = []
            start: float | None = None
            for frame in container.decode(stream):
                if start is None and frame.time is not None:
                    start = float(frame.time)
                chunks += [f.to_ndarray() for f in resampler.resample(frame)]
            chunks += [f.to_ndarray() for f in resampler.resample(None)]
            rate = int(stream.codec_context.sample_rate)
    except av.FFmpegError as exc:
        raise MediaError(f"{path.name}: cannot decode the audio ({exc})") from exc
    channels = 1 if layout == "mono" else 2
    samples = np.concatenate(chunks, axis=1) if chunks else np.zeros((channels, 0), np.float32)
    return AudioTrack(rate, start or 0.0, samples.astype(np.float32, copy=False))


def loudness(track: AudioTrack) -> tuple[float | None, float | None]:
    """(integrated loudness in LUFS, silence ratio 0-1); (None, None) for a track shorter
    than one 400 ms block."""
    import numpy as np
    import pyloudnorm

    meter = pyloudnorm.Meter(track.rate)
    if track.samples.shape[1] < meter.block_size * track.rate:
        return None, None
    lufs = float(meter.integrated_loudness(track.samples.T.astype(np.float64)))
    blocks = np.asarray(meter.blockwise_loudness, np.float64)
    silence = float(np.mean(~(blocks >= SILENCE_LUFS))) if blocks.size else None
    return (None if math.isnan(lufs) else max(lufs, GATE_LUFS)), silence


def onset_envelope(track: AudioTrack) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(times in seconds on the container's clock, spectral flux), one value per 10 ms."""
    import numpy as np
    from scipy.signal import stft

    mono = track.samples.mean(axis=0, dtype=np.float64)
    hop = max(1, round(ONSET_HOP_S * track.rate))
    window = max(hop + 1, round(_ONSET_WINDOW_S * track.rate))
    _, times, spectrum = stft(mono, fs=track.rate, nperseg=window, noverlap=window - hop)
    power = np.abs(spectrum) ** 2
    db = 10 * np.log10(np.maximum(power, 1e-12))
    db = np.maximum(db, db.max() - _FLOOR_DB)
    flux = np.maximum(0.0, np.diff(db, axis=1)).mean(axis=0)
    return track.start + times[1:], flux
