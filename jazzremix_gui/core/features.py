"""The models' inputs, defined once for inference, training, annotations and fine-tuning.

Every feature is a magnitude of the core's STFT (:mod:`core.stft`, 44.1 kHz, hop from the
model's metadata). The separator sees the mixture's mid magnitude ``|(X_L + X_R) / 2|``
(``input_kind = mid_magnitude``); the mixer sees the solo magnitude (``solo_magnitude``) or
the solo magnitude and the accompaniment's mid magnitude stacked per frame
(``solo_acc_magnitude``). Frame ``t`` is centred on sample :func:`core.stft.frame_centre`;
:func:`frame_times` and :func:`frame_at` convert between frames and seconds.
"""

from __future__ import annotations

import numpy as np

from jazzremix_gui.core.constants import MODEL_RATE
from jazzremix_gui.core.stft import first_centre, frame_centre, stft

#: Input kind of the separator.
SEPARATOR_INPUT = "mid_magnitude"
#: Input kinds a mixer may declare.
MIXER_INPUTS = ("solo_magnitude", "solo_acc_magnitude")


def mid(audio: np.ndarray) -> np.ndarray:
    """Mid signal ``(x_L + x_R) / 2`` of ``(n, c)`` audio; ``(n,)`` audio is returned as it is.

    Returns
    -------
    np.ndarray [shape=(n,)]
    """
    audio = np.asarray(audio)
    return audio.mean(axis=1) if audio.ndim == 2 else audio


def mid_magnitude(audio: np.ndarray, hop: int, t0: int = 0, t1: int | None = None, offset: int = 0) -> np.ndarray:
    """``|STFT(mid(audio))|`` of frames ``t0 .. t1-1``.

    Parameters
    ----------
    audio : np.ndarray [shape=(n, c) or (n,)]
        Audio at 44.1 kHz (or a slice of it starting at global sample ``offset``).
    hop : int
        STFT hop in samples.
    offset : int
        Global index of ``audio[0]`` (as for :func:`core.stft.stft`).

    Returns
    -------
    np.ndarray [shape=(T, 2049), dtype=float32]
    """
    return np.abs(stft(mid(audio), hop, t0, t1, offset))


def separator_input(spec: np.ndarray) -> np.ndarray:
    """The separator's input from a stereo STFT: ``|(X_L + X_R) / 2|``.

    Parameters
    ----------
    spec : np.ndarray [shape=(T, 2, 2049), dtype=complex64]

    Returns
    -------
    np.ndarray [shape=(T, 2049), dtype=float32]
    """
    return np.abs(spec.sum(axis=1) * np.float32(0.5))


def mixer_input(solo_mag: np.ndarray, acc_mag: np.ndarray | None, input_kind: str) -> np.ndarray:
    """The mixer's input from the solo magnitude and the accompaniment's mid magnitude.

    Parameters
    ----------
    solo_mag, acc_mag : np.ndarray [shape=(..., T, 2049)]
        ``acc_mag`` may be None for ``input_kind = solo_magnitude``.
    input_kind : {'solo_magnitude', 'solo_acc_magnitude'}

    Returns
    -------
    np.ndarray [shape=(..., T, 2049) or (..., T, 2, 2049)]
    """
    if input_kind == "solo_acc_magnitude":
        return np.stack([solo_mag, acc_mag], axis=-2)
    if input_kind == "solo_magnitude":
        return solo_mag
    raise ValueError(f"unknown mixer input kind {input_kind!r} (expected one of {MIXER_INPUTS})")


def mixer_features(solo44: np.ndarray, acc44: np.ndarray, hop: int, input_kind: str, lo: int = 0,
                   hi: int | None = None, offset: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mixer input and solo magnitude for frames ``lo .. hi-1`` of 44.1 kHz stems.

    Parameters
    ----------
    solo44 : np.ndarray [shape=(n,)]
    acc44 : np.ndarray [shape=(n, 2) or (n,)]
    hop : int
    input_kind : str
        The mixer's ``input_kind`` metadata.
    offset : int
        Global sample index of ``solo44[0]`` and ``acc44[0]`` (streaming: slices of the stems).

    Returns
    -------
    features : np.ndarray [shape=(T, 2049) or (T, 2, 2049)]
    solo_mag : np.ndarray [shape=(T, 2049)]
    """
    solo_mag = mid_magnitude(solo44, hop, lo, hi, offset)
    acc_mag = mid_magnitude(acc44, hop, lo, hi, offset) if input_kind == "solo_acc_magnitude" else None
    return mixer_input(solo_mag, acc_mag, input_kind), solo_mag


def frame_times(n_frames: int, hop: int) -> np.ndarray:
    """Centre of each frame in seconds.

    Returns
    -------
    np.ndarray [shape=(n_frames,), dtype=float64]
    """
    return frame_centre(np.arange(n_frames), hop) / MODEL_RATE


def frame_at(seconds: float, hop: int) -> int:
    """Index of the frame whose centre is at or just before ``seconds`` (``seconds`` >= 0)."""
    return int((float(seconds) * MODEL_RATE - first_centre(hop)) / hop)
