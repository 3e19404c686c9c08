"""The loss through the pan-aware Wiener step: the separator learns the stems the app writes (issue #21, experiment x).

The network's loss (:func:`training.train_separator.loss_fn`) compares mid magnitudes; with the pan-aware
step (:mod:`core.signal.spatial`) written into the model, the stems a user gets are not those magnitudes but
the step's output: per channel ``P_c = M_c X_c`` with ``M_c`` the Wiener mask of ``S' share_c`` (``S'``: the
network's solo magnitude weighted by each bin's direction), the mono solo ``sum_c w_c P_c`` and the
accompaniment ``X_c - P_c``. This module computes those from the network's output in torch, so the error of
the written stems reaches the weights:

``L = 1e4 (mean |sum_c w_c P_c - (S_L + S_R) / 2|^2 + mean_c |X_c - P_c - A_c|^2)``

(complex errors, so phase-consistent; ``1e4`` as in the magnitude loss). What the step reads off the network's
output without a gradient (the solo's direction, each bin's weight, ``share_c`` and ``w_c``) comes from
:func:`core.signal.spatial.step_weights` on the detached output, one direction per example window, as the app
reads one per block.
"""

from __future__ import annotations

import numpy as np
import torch

from jazzremix_gui.core.signal.spatial import PanAware, step_weights
from jazzremix_gui.core.signal.wiener import EPS
from jazzremix_gui.training.remix_sampler import StereoSpectra


def _step_constants(solo_mag: np.ndarray, mag: np.ndarray, settings: PanAware
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per example: the bins' weights ``(B, T, F)``, ``share_c`` ``(B, 2)`` and ``w_c`` ``(B, 2)``."""
    out = [step_weights(solo_mag[b], mag[b], settings)[:3] for b in range(solo_mag.shape[0])]
    return tuple(np.stack([o[k] for o in out]).astype(np.float32) for k in range(3))


def pan_aware_loss(est: torch.Tensor, spectra: StereoSpectra, settings: PanAware, alpha: float) -> torch.Tensor:
    """Error of the stems the pan-aware step makes of ``est`` (module docstring).

    Parameters
    ----------
    est : torch.Tensor [shape=(B, T, F)]
        The network's solo magnitude (mid).
    spectra : StereoSpectra
        The batch's complex spectra.
    settings : PanAware
    alpha : float
        Wiener power of the model.

    Returns
    -------
    torch.Tensor, scalar
    """
    mag = np.abs(spectra.mix).astype(np.float32)  # (B, T, 2, F)
    weight, share, mono = (torch.from_numpy(a) for a in
                           _step_constants(est.detach().numpy(), mag, settings))
    s = torch.relu(est) * weight  # S' (B, T, F)
    s_c = s[:, :, None, :] * share[:, None, :, None]  # each channel's S_c (B, T, 2, F)
    r = torch.relu(torch.from_numpy(mag) - s_c)
    if alpha != 1:
        s_c, r = s_c ** alpha, r ** alpha
    mask = (s_c + EPS) / (s_c + r + 2 * EPS)  # as core.signal.wiener.wiener_mask
    x_re, x_im = (torch.from_numpy(np.ascontiguousarray(p)) for p in (spectra.mix.real, spectra.mix.imag))
    p_re, p_im = mask * x_re, mask * x_im
    w = mono[:, None, :, None]
    solo_re, solo_im = (p_re * w).sum(dim=2), (p_im * w).sum(dim=2)
    ref_re, ref_im = (torch.from_numpy(np.ascontiguousarray(p)) for p in (spectra.solo_mid.real, spectra.solo_mid.imag))
    acc_re, acc_im = (torch.from_numpy(np.ascontiguousarray(p)) for p in (spectra.acc.real, spectra.acc.imag))
    solo_err = torch.mean((solo_re - ref_re) ** 2 + (solo_im - ref_im) ** 2)
    acc_err = torch.mean((x_re - p_re - acc_re) ** 2 + (x_im - p_im - acc_im) ** 2)
    return (solo_err + acc_err) * 1e4
