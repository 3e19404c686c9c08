"""The joint pan x gain codebook of the mixer (DESIGN.md §1.6 and §2).

19 pan classes (-45 .. +45 deg, step 5) times 21 gain classes (0.0 .. 2.0, step 0.1)
= 399 cells; cell ``i = pan_index * 21 + gain_index``. Per-frame posteriors over the
cells are summed over frames and the maximum taken (the paper's decoding); the pan and
gain marginals are sums of the joint distribution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jazzremix_gui.core.signal.panlaw import GAIN_MAX, GAIN_MIN, PAN_MAX_DEG, PAN_MIN_DEG, clamp_gain, clamp_pan

PANS_DEG = np.arange(PAN_MIN_DEG, PAN_MAX_DEG + 1e-9, 5.0)  # (19,)
GAINS = np.round(np.arange(GAIN_MIN, GAIN_MAX + 1e-9, 0.1), 10)  # (21,)
N_PANS, N_GAINS = len(PANS_DEG), len(GAINS)
N_CELLS = N_PANS * N_GAINS
#: Frames summed at a time by :func:`aggregate`.
AGGREGATE_CHUNK = 8192


def cell_index(pan_index, gain_index):
    """Joint cell index of a (pan class, gain class) pair (scalars or arrays)."""
    return np.asarray(pan_index) * N_GAINS + np.asarray(gain_index)


def cell_classes(cell):
    """(pan class, gain class) of a joint cell index."""
    cell = np.asarray(cell)
    if np.any((cell < 0) | (cell >= N_CELLS)):
        raise ValueError(f"cell index must be in 0..{N_CELLS - 1}")
    return cell // N_GAINS, cell % N_GAINS


def cell_to_pan_gain(cell) -> tuple[float, float]:
    """Pan (degrees) and linear gain of a joint cell."""
    p, g = cell_classes(cell)
    return float(PANS_DEG[p]), float(GAINS[g])


def pan_gain_to_cell(pan_deg: float, gain: float) -> int:
    """Nearest joint cell of a pan angle (degrees) and a linear gain."""
    p = int(np.argmin(np.abs(PANS_DEG - clamp_pan(pan_deg))))
    g = int(np.argmin(np.abs(GAINS - clamp_gain(gain))))
    return int(cell_index(p, g))


def aggregate(frame_posteriors: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Sum per-frame posteriors over frames into one normalised joint distribution.

    Parameters
    ----------
    frame_posteriors : np.ndarray [shape=(T, 399)]
        Any float dtype (float16 is summed in float64, chunk by chunk).
    weights : np.ndarray [shape=(T,)], optional
        Vote of each frame (e.g. 0 where the solo is silent). All-zero weights fall
        back to equal votes.

    Returns
    -------
    np.ndarray [shape=(19, 21), dtype=float64]
        Rows = pan from -45 to +45 deg, columns = gain from 0.0 to 2.0; sums to 1.
    """
    p = np.asarray(frame_posteriors)
    if p.ndim != 2 or p.shape[1] != N_CELLS:
        raise ValueError(f"frame posteriors must have shape (frames, {N_CELLS}), got {p.shape}")
    if weights is None or not np.any(weights > 0):
        weights = np.ones(p.shape[0])
    weights = np.asarray(weights, np.float64)
    total = np.zeros(N_CELLS)
    for a in range(0, p.shape[0], AGGREGATE_CHUNK):  # bounded memory for hour-long float16 posteriors
        total += weights[a : a + AGGREGATE_CHUNK] @ p[a : a + AGGREGATE_CHUNK].astype(np.float64)
    if not np.isfinite(total).all() or total.sum() <= 0:
        total = np.ones(N_CELLS)
    return (total / total.sum()).reshape(N_PANS, N_GAINS)


def marginals(posterior: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pan marginal (19,) and gain marginal (21,) of a joint (19, 21) distribution."""
    return posterior.sum(axis=1), posterior.sum(axis=0)


def argmax_cell(posterior: np.ndarray) -> int:
    """Joint cell with the highest probability (the paper's decision)."""
    return int(np.argmax(np.asarray(posterior).reshape(-1)))


@dataclass
class Choice:
    """A decoded suggestion: the winning cell and its pan (degrees) and gain (linear)."""

    cell: int
    pan_deg: float
    gain: float

    @classmethod
    def from_posterior(cls, posterior: np.ndarray) -> "Choice":
        cell = argmax_cell(posterior)
        pan, gain = cell_to_pan_gain(cell)
        return cls(cell, pan, gain)


def neighbourhood_mass(posterior: np.ndarray, cell: int, radius: int = 1) -> float:
    """Probability mass of the cells within ``radius`` classes (pan and gain) of ``cell``.

    Parameters
    ----------
    posterior : np.ndarray [shape=(19, 21)]
    cell : int
    radius : int
        1: the cell and its (up to) 8 neighbours.
    """
    p, g = (int(v) for v in cell_classes(cell))
    post = np.asarray(posterior).reshape(N_PANS, N_GAINS)
    return float(post[max(0, p - radius): p + radius + 1, max(0, g - radius): g + radius + 1].sum())
