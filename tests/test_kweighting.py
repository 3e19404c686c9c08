"""K-weighting computed without scipy (so the mixer's features need no scipy.signal at start-up) equals pyloudnorm's."""

import numpy as np
import pytest

from jazzremix_gui.core.audio.loudness import integrated_loudness, k_weighting, k_weighting_power


@pytest.mark.parametrize("rate", [22050, 44100, 48000, 96000])
def test_k_weighting_is_pyloudnorms(rate):
    import pyloudnorm
    from scipy.signal import freqz

    theirs = list(pyloudnorm.Meter(rate)._filters.values())
    assert [f.passband_gain for f in theirs] == [1.0, 1.0]
    for (b, a), f in zip(k_weighting(rate), theirs, strict=True):
        np.testing.assert_allclose(b, f.b, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(a, f.a, rtol=1e-13, atol=1e-15)
    freqs = np.linspace(0, rate / 2, 513)
    want = np.ones(freqs.size)
    for f in theirs:
        want *= np.abs(freqz(f.b, f.a, worN=freqs, fs=rate)[1]) ** 2
    np.testing.assert_allclose(k_weighting_power(freqs, rate), want, rtol=1e-10)


def test_integrated_loudness_matches_pyloudnorm():
    import pyloudnorm

    rng = np.random.default_rng(0)
    t = np.arange(5 * 44100) / 44100
    x = np.stack([0.2 * np.sin(2 * np.pi * 997 * t), 0.1 * rng.standard_normal(t.size)], axis=1)
    assert integrated_loudness(x, 44100) == pytest.approx(pyloudnorm.Meter(44100).integrated_loudness(x), abs=1e-6)
