"""#21 experiment p (research, not wired in): a harmonic comb from the solo's F0, read off the network's own output.

Per frame, the F0 (55-1760 Hz, third-semitone grid) whose harmonics (up to ``hmax``, weights ``decay^(h-1)``, below
``fmax_sal`` Hz) collect most of the network's solo magnitude ``S``; a comb of Gaussians (``width`` bins, widening by
``rel`` x bin) at its harmonics, ``floor`` between them; applied to ``S`` as far as the comb explains ``S``'s energy
(fit between ``t0`` and ``t1``); ``scale`` multiplies ``S`` instead (``on=0``: comb off). Then the Wiener step:
``pa`` the pan-aware one, ``plain`` the plain one.

    python scripts/research/harmonic_comb.py "data/val-v2,pa;data/val-v2,pa,floor=0.5;data/val-v2,pa,on=0,scale=1.4" out.json

Run from the folder holding the datasets. Results: docs/SEPARATOR_V3.md.
"""
import sys
from dataclasses import replace
import numpy as np
from scipy.ndimage import maximum_filter1d
from spec_runs import patch_network, run_specs

SR, N = 44100, 4096
DF = SR / N
F = N // 2 + 1
K = np.arange(F, dtype=np.float32)
CFG = dict(floor=0.2, width=1.5, rel=0.0, t0=0.5, t1=0.8, hmax=20, decay=0.8, fmax_sal=5000.0, on=1)

def candidates():
    return 55.0 * 2 ** (np.arange(0, 5 * 36) / 36.0)  # 55..1760 Hz, third-semitones

F0S = candidates()

def f0_track(S):
    """S (T, F) -> f0 per frame (Hz)."""
    P = maximum_filter1d(S, 3, axis=1)
    sal = np.zeros((S.shape[0], F0S.size), np.float32)
    for h in range(1, int(CFG['hmax']) + 1):
        idx = np.round(h * F0S / DF).astype(int)
        ok = (idx < F) & (h * F0S <= CFG['fmax_sal'])
        w = CFG['decay'] ** (h - 1)
        sal[:, ok] += w * P[:, idx[ok]]
    return F0S[np.argmax(sal, axis=1)]

def comb(S):
    f0 = f0_track(S)[:, None].astype(np.float32)  # (T,1)
    f = K[None, :] * np.float32(DF)
    ratio = f / f0
    d = np.abs(ratio - np.round(ratio)) * f0 / np.float32(DF)  # bins to the nearest harmonic
    sigma = np.maximum(np.float32(CFG['width']), np.float32(CFG['rel']) * K[None, :])
    hard = np.exp(-0.5 * (d / sigma) ** 2)
    hard[ratio < 0.75] = 0.0
    e = np.square(S)
    fit = (e * hard).sum(1) / np.maximum(e.sum(1), 1e-12)
    strength = np.clip((fit - CFG['t0']) / max(CFG['t1'] - CFG['t0'], 1e-6), 0, 1)[:, None]
    c = CFG['floor'] + (1 - CFG['floor']) * hard
    return (1 - strength * (1 - c)).astype(np.float32)

def patched(model, work, run):
    w = run(model, work)
    if CFG['on']:
        w = replace(w, solo_mag=w.solo_mag * comb(w.solo_mag))
    if CFG.get('scale', 1.0) != 1.0:
        w = replace(w, solo_mag=w.solo_mag * np.float32(CFG['scale']))
    return w


if __name__ == "__main__":
    patch_network(patched)
    run_specs(sys.argv[1], sys.argv[2], CFG)
