"""YIN (core/signal/pitch.py): the FFT form equal to the difference function as de Cheveigne and Kawahara write it,
tones found, silence unvoiced, and hops that do not divide half the window refused."""

import numpy as np
import pytest

from jazzremix_gui.core.signal.pitch import SILENT_RMS, THRESHOLD, WINDOW, _lag_range, f0_hz

RATE = 44100
HALF = WINDOW // 2


def _by_definition(x: np.ndarray, hop: int, n_frames: int) -> np.ndarray:
    """Each frame on its own: d(tau) = sum_{j < HALF} (x_j - x_{j + tau})^2, its cumulative-mean normalisation, the
    first dip under the threshold, its bottom, parabolic interpolation (Hz; 0 unvoiced)."""
    lo, hi = _lag_range(RATE)
    x = np.concatenate([x.astype(np.float64), np.zeros((n_frames - 1) * hop + WINDOW)])
    out = np.zeros(n_frames)
    for t in range(n_frames):
        frame = x[t * hop : t * hop + WINDOW]
        d = np.array([np.sum((frame[:HALF] - frame[tau : tau + HALF]) ** 2) for tau in range(hi + 1)])
        dn = np.ones_like(d)
        dn[1:] = d[1:] * np.arange(1, hi + 1) / np.maximum(np.cumsum(d[1:]), 1e-20)
        w = dn[lo : hi + 1]
        under = np.flatnonzero(w < THRESHOLD)
        if not under.size or np.sqrt(np.mean(frame ** 2)) <= SILENT_RMS:
            continue
        k = under[0]
        while k + 1 < w.size and w[k + 1] < w[k]:
            k += 1
        tau = float(lo + k)
        if 0 < k < w.size - 1:
            den = w[k - 1] - 2 * w[k] + w[k + 1]
            if den > 0:
                tau += 0.5 * (w[k - 1] - w[k + 1]) / den
        out[t] = RATE / tau
    return out


def _signal(seed=0) -> np.ndarray:
    """Tones of several pitches with partials, a silence, noise, and a tone under noise: (n,) float32."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(0.4 * RATE)) / RATE
    parts = [0.3 * (np.sin(2 * np.pi * f * t) + 0.4 * np.sin(4 * np.pi * f * t)) for f in (82.4, 220.0, 523.3, 1318.5)]
    parts += [np.zeros(t.size), 0.2 * rng.standard_normal(t.size),
              0.3 * np.sin(2 * np.pi * 311.1 * t) + 0.05 * rng.standard_normal(t.size)]
    return np.concatenate(parts).astype(np.float32)


@pytest.mark.parametrize("hop", [1024, 512, 256])
def test_the_fft_form_is_the_difference_function_by_its_definition(hop):
    x = _signal()
    n = (x.size - WINDOW) // hop + 3  # the last frames reach past the end: zeros
    got, want = f0_hz(x, hop, n, RATE), _by_definition(x, hop, n)
    assert np.array_equal(got > 0, want > 0)
    np.testing.assert_allclose(got, want, rtol=1e-9)
    assert 0.2 < np.mean(got > 0) < 0.9  # voiced and unvoiced frames both tested


def test_tones_are_found_and_silence_is_unvoiced():
    x = _signal(1)
    f0 = f0_hz(x, 1024, (x.size - WINDOW) // 1024 + 1, RATE)
    seg = int(0.4 * RATE)
    for i, hz in enumerate((82.4, 220.0, 523.3, 1318.5)):
        inside = f0[(np.arange(f0.size) * 1024 >= i * seg) & (np.arange(f0.size) * 1024 + WINDOW <= (i + 1) * seg)]
        np.testing.assert_allclose(inside, hz, rtol=0.01)
    silent = f0[(np.arange(f0.size) * 1024 >= 4 * seg) & (np.arange(f0.size) * 1024 + WINDOW <= 5 * seg)]
    assert silent.size and not silent.any()


@pytest.mark.parametrize("hop", [0, 300, 2048])
def test_a_hop_that_does_not_divide_half_the_window_is_refused(hop):
    with pytest.raises(ValueError, match="divide"):
        f0_hz(np.zeros(10000, np.float32), hop, 3, RATE)
