"""Pan-aware Wiener filtering: the solo's place between the speakers sharpens the masks (issue #21, experiment n).

The separator's network sees the mid magnitude only; the Wiener step (:mod:`core.signal.wiener`) applies
the same solo magnitude ``S`` to both channels. A solo panned to one side is louder in that channel
and quieter in the other (constant-power pan law, :mod:`core.signal.panlaw`), and every time-frequency
bin says from where it comes: ``theta = atan2(|X_R|, |X_L|)`` is ``pan + 45 deg`` for a bin that one
panned source dominates. Per block of frames (:class:`core.signal.separation.Synthesiser`):

1. the solo's direction ``theta_s``: the peak of the bins' directions weighted by ``S^2``
   (:func:`solo_direction`; :data:`BINS` bins of 2 degrees, so a centred solo reads 45 degrees exactly);
2. bins from elsewhere count less: ``S' = S (f + (1 - f) exp(-(theta - theta_s)^2 / 2 sigma^2))``
   (``f``: :attr:`PanAware.floor`, ``sigma``: :attr:`PanAware.sigma_deg`);
3. each channel gets the solo's own share of it: ``S_c = S' 2 g_c / (g_L + g_R)`` with
   ``(g_L, g_R) = (cos theta_s, sin theta_s)``, and its own Wiener mask;
4. the mono solo is the channels' solos weighted by the pan law, ``sum_c w_c M_c X_c`` with
   ``w_c = (g_L + g_R) / 2 g_c / (g_L^2 + g_R^2)`` (what a solo ``s`` panned at ``theta_s`` gives as
   ``(g_L + g_R) / 2 s``, the mid the mono solo stands for), instead of the plain mean.

A mono recording (both channels the same) is left exactly as the plain Wiener step does it.
Measured (docs/SEPARATOR_V3.md, experiment n; sigma and floor chosen on ``data/val-v2``): with sep-mask-2.0,
``data/val-unseen`` 2.32 / 7.12 -> 3.20 / 8.35 dB (solo / accompaniment medians), ``data/val-v2``
3.45 / 8.87 -> 4.88 / 10.39 dB.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jazzremix_gui.core.signal.wiener import wiener_mask

#: Direction bins over 0..90 degrees (2 degrees each; 45 degrees, the centre, is a bin's centre).
BINS = 45


@dataclass(frozen=True)
class PanAware:
    """Settings of the pan-aware Wiener step.

    Attributes
    ----------
    sigma_deg : float
        Spread (degrees of direction) of the weight around the solo's direction.
    floor : float
        Weight, 0..1, of bins far from the solo's direction.
    """

    sigma_deg: float = 20.0
    floor: float = 0.2

    def __post_init__(self):
        if not (0.5 <= self.sigma_deg <= 90.0 and 0.0 <= self.floor <= 1.0):
            raise ValueError(f"pan-aware settings out of range: sigma {self.sigma_deg} deg (0.5..90), "
                             f"floor {self.floor} (0..1)")

    def to_text(self) -> str:
        """``"SIGMA,FLOOR"`` (the model metadata's and the command line's form)."""
        return f"{self.sigma_deg:g},{self.floor:g}"

    @classmethod
    def parse(cls, text: str) -> "PanAware":
        """From ``"SIGMA,FLOOR"`` (either may be left out: ``"20"``, ``""``); ValueError when malformed."""
        parts = [p.strip() for p in str(text).split(",")] if str(text).strip() else []
        if len(parts) > 2:
            raise ValueError(f"pan-aware settings {text!r}: SIGMA,FLOOR")
        try:
            values = [float(p) for p in parts]
        except ValueError:
            raise ValueError(f"pan-aware settings {text!r}: SIGMA,FLOOR, two numbers") from None
        return cls(*values)


def directions(mag: np.ndarray) -> np.ndarray:
    """Direction of every bin, ``atan2(|X_R|, |X_L|)`` in radians (0: left, pi/2: right).

    Parameters
    ----------
    mag : np.ndarray [shape=(T, 2, F)]
        Per-channel magnitudes.

    Returns
    -------
    np.ndarray [shape=(T, F), dtype=float32]
    """
    return np.arctan2(mag[:, 1], mag[:, 0]).astype(np.float32, copy=False)


def solo_direction(solo_mag: np.ndarray, mag: np.ndarray, theta: np.ndarray | None = None) -> float:
    """The solo's direction in a block: the peak of the bins' directions weighted by ``S^2``.

    Parameters
    ----------
    solo_mag : np.ndarray [shape=(T, F)]
        The network's solo magnitude ``S``.
    mag : np.ndarray [shape=(T, 2, F)]
        Per-channel magnitudes of the mixture.
    theta : np.ndarray [shape=(T, F)], optional
        :func:`directions` of ``mag``, when already computed.

    Returns
    -------
    float
        Radians, 0..pi/2 (pi/4: centred; silence reads centred).
    """
    theta = directions(mag) if theta is None else theta
    heard = (mag[:, 0] + mag[:, 1]) > 0  # silent bins have no direction
    weights = np.square(solo_mag, dtype=np.float64) * heard
    if not weights.any():
        return float(np.pi / 4)
    idx = np.minimum((theta * (BINS / (np.pi / 2))).astype(np.int64), BINS - 1)
    hist = np.bincount(idx.ravel(), weights=weights.ravel(), minlength=BINS)
    hist = np.convolve(hist, [0.25, 0.5, 0.25], mode="same")
    return float((int(np.argmax(hist)) + 0.5) * (np.pi / 2) / BINS)


def channel_gains(theta_s: float) -> np.ndarray:
    """Constant-power gains ``(g_L, g_R) = (cos theta_s, sin theta_s)`` of a source at direction ``theta_s``."""
    return np.array([np.cos(theta_s), np.sin(theta_s)], np.float64)


def pan_aware_masks(solo_mag: np.ndarray, mag: np.ndarray, alpha: float, settings: PanAware
                    ) -> tuple[np.ndarray, np.ndarray, float]:
    """Per-channel Wiener masks of one block, and the weights of the mono solo (module docstring, steps 1-4).

    Parameters
    ----------
    solo_mag : np.ndarray [shape=(T, F)]
    mag : np.ndarray [shape=(T, 2, F)]
    alpha : float
        Wiener power.
    settings : PanAware

    Returns
    -------
    mask : np.ndarray [shape=(T, 2, F), dtype=float32]
        ``M_c``, values in [0, 1].
    weights : np.ndarray [shape=(2,), dtype=float32]
        ``w_c`` of the mono solo ``sum_c w_c M_c X_c`` (0.5 and 0.5 for a centred solo).
    theta_s : float
        The solo's direction (radians).
    """
    theta = directions(mag)
    theta_s = solo_direction(solo_mag, mag, theta)
    sigma = np.float32(np.deg2rad(settings.sigma_deg))
    w = theta - np.float32(theta_s)
    w /= sigma
    np.square(w, out=w)
    w *= np.float32(-0.5)
    np.exp(w, out=w)
    w *= np.float32(1.0 - settings.floor)
    w += np.float32(settings.floor)
    s = np.multiply(solo_mag, w, dtype=np.float32)
    g = channel_gains(theta_s)
    share = (2 * g / (g[0] + g[1])).astype(np.float32)
    mask = np.stack([wiener_mask(s * share[c], mag[:, c], alpha) for c in range(2)], axis=1)
    weights = ((g[0] + g[1]) / 2 * g / float(np.sum(g * g))).astype(np.float32)
    return mask, weights, theta_s
