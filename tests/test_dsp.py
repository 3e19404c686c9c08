"""STFT, Wiener filter, pan law and codebook (DESIGN.md §1)."""

import numpy as np
import pytest

from jazzremix_gui.core.signal import codebook
from jazzremix_gui.core.signal.panlaw import pan_from_gains, pan_gains, pan_mono
from jazzremix_gui.core.signal.separation import SOLO_FIRST_BIN, Synthesiser
from jazzremix_gui.core.signal.stft import bartlett_window, frame_count, istft, overlap_add, stft
from jazzremix_gui.core.signal.wiener import ALPHA, wiener_mask


def test_window_is_bartlett_2049_normalised():
    w = bartlett_window()
    assert w.shape == (2049,)
    assert w.sum() == pytest.approx(1.0)
    assert w[0] == 0 and w[-1] == 0 and np.argmax(w) == 1024
    assert np.allclose(w, w[::-1])


@pytest.mark.parametrize("hop", [1024, 512])
@pytest.mark.parametrize("n", [1, 1023, 44100, 50001])
def test_stft_round_trip(hop, n):
    x = np.random.default_rng(n).uniform(-1, 1, (n, 2)).astype(np.float32)
    X = stft(x, hop)
    assert X.shape == (frame_count(n, hop), 2, 2049)
    y = istft(X, hop, n)
    assert np.max(np.abs(y - x)) < 1e-6


def test_zero_phase_and_magnitude_scale():
    # a full-scale sine at a bin centre peaks at 0.5 with the sum-1 window; an impulse at a
    # frame centre has zero phase
    n, hop = 44100, 1024
    k = 100
    x = np.sin(2 * np.pi * k * np.arange(n) / 4096).astype(np.float32)
    mag = np.abs(stft(x, hop))[10]
    assert np.argmax(mag) == k and mag[k] == pytest.approx(0.5, rel=1e-3)
    imp = np.zeros(8192, np.float32)
    imp[2048] = 1.0
    spec = stft(imp, hop)[2]
    assert np.allclose(spec.imag, 0, atol=1e-6) and np.all(spec.real > 0)


def test_chunked_frames_equal_whole():
    x = np.random.default_rng(1).standard_normal((30000, 2)).astype(np.float32)
    whole = stft(x, 512)
    part = stft(x[5000:20000], 512, 10, 20, offset=5000)
    # frames 10..19 need samples within [5000, 20000)? only those fully inside compare
    inside = [t for t in range(10, 20) if t * 512 - 512 - 1024 >= 5000 and t * 512 - 512 + 1024 < 20000]
    assert inside
    for t in inside:
        assert np.allclose(part[t - 10], whole[t], atol=1e-6)


def test_the_channels_weighted_overlap_add_as_their_weighted_spectrum():
    """The pan-aware solo is overlap-added from the channels' segments, not transformed on its own."""
    x = np.random.default_rng(3).standard_normal((30000, 2)).astype(np.float32)
    spec = stft(x, 1024)  # (T, 2, 2049)
    w = np.array([0.3, 0.9], np.float32)
    out, mixed, plain, ref = (np.zeros((2, 30000), np.float32), np.zeros(30000, np.float32),
                              np.zeros((2, 30000), np.float32), np.zeros(30000, np.float32))
    overlap_add(spec, 1024, 0, out, 0, mix=w, mixed_out=mixed)
    overlap_add(spec, 1024, 0, plain, 0)
    overlap_add(spec[:, 0] * w[0] + spec[:, 1] * w[1], 1024, 0, ref, 0)
    np.testing.assert_array_equal(out, plain)  # the channels are as without the mix
    np.testing.assert_allclose(mixed, ref, rtol=0, atol=2e-6)
    np.testing.assert_allclose(mixed, w[0] * x[:, 0] + w[1] * x[:, 1], rtol=0, atol=2e-6)


def test_the_mono_solos_energy_is_that_of_the_weighted_channels():
    rng = np.random.default_rng(4)
    parts = (rng.standard_normal((5, 2, 2049)) + 1j * rng.standard_normal((5, 2, 2049))).astype(np.complex64)
    spec = parts * 2
    w = np.array([0.2, 1.1], np.float32)
    synth = Synthesiser(1024, 1.0)
    synth._measure(np.abs(spec), spec, parts, None, w)
    solo = parts[:, 0].astype(np.complex128) * w[0] + parts[:, 1].astype(np.complex128) * w[1]
    assert synth.recorded.e_mid == pytest.approx(float(np.sum(np.abs(solo) ** 2)), rel=1e-5)
    assert synth.recorded.e_left == pytest.approx(float(np.sum(np.abs(parts[:, 0].astype(np.complex128)) ** 2)), rel=1e-5)
    heard = spec[..., SOLO_FIRST_BIN:].astype(np.complex128)  # the mixture's energy where a solo can sound
    assert synth.recorded.e_mix == pytest.approx(float(np.sum(np.abs(heard) ** 2)), rel=1e-5)
    huge = Synthesiser(1024, 1.0)  # float32 squares overflow: measured again in float64
    huge._measure(np.abs(spec) * 1e30, spec * 1e30, parts * 1e30, None, w)
    assert huge.recorded.e_mid == pytest.approx(float(np.sum(np.abs(solo * 1e30) ** 2)), rel=1e-5)


def test_wiener_mask_is_the_formula_per_channel():
    rng = np.random.default_rng(2)
    X = np.abs(rng.standard_normal((20, 2, 2049))).astype(np.float32)
    S = np.abs(rng.standard_normal((20, 2049))).astype(np.float32)
    m = wiener_mask(S, X)  # the paper's power by default
    assert m.shape == X.shape and m.dtype == np.float32 and m.min() >= 0 and m.max() <= 1
    s = S.astype(np.float64)[:, None, :]
    r = np.maximum(X - s, 0)  # each channel's own residual, S shared
    ref = s**ALPHA / (s**ALPHA + r**ALPHA + 1e-12)
    np.testing.assert_allclose(m, ref, rtol=2e-5, atol=1e-6)
    plain = wiener_mask(S, X, alpha=1.0)  # its own path: S / max(|X|, S)
    np.testing.assert_allclose(plain, s / (s + r + 1e-12), rtol=2e-6, atol=1e-7)
    assert plain.dtype == np.float32 and plain.shape == X.shape
    assert (m[X <= s] > 0.999).all()  # the solo takes all of a bin it fills
    sharper = wiener_mask(S, X, alpha=3.0)
    audible = np.minimum(s, r) > 0.01  # away from the epsilon floor
    assert (np.abs(sharper - 0.5) >= np.abs(m - 0.5) - 1e-6)[audible].all()  # a higher power decides harder
    assert np.isfinite(wiener_mask(np.zeros((3, 2049)), np.zeros((3, 2049)))).all()  # silence stays finite


def test_wiener_alpha_two_is_classic():
    S, R = np.array([[3.0]]), np.array([[4.0]])
    assert wiener_mask(S, S + R, alpha=2.0)[0, 0] == pytest.approx(9 / 25, rel=1e-5)


def test_pan_law_anchor_points_and_constant_power():
    assert pan_gains(-45.0) == pytest.approx((1.0, 0.0), abs=1e-12)
    assert pan_gains(0.0) == pytest.approx((np.sqrt(0.5), np.sqrt(0.5)))
    assert pan_gains(45.0) == pytest.approx((0.0, 1.0), abs=1e-12)
    pans = np.linspace(-45, 45, 91)
    gl, gr = pan_gains(pans)
    assert np.allclose(gl**2 + gr**2, 1.0)
    for p in (-30.0, 0.0, 12.5):
        assert pan_from_gains(*pan_gains(p)) == pytest.approx(p)
    out = pan_mono(np.ones(4, np.float32), -45.0, 2.0)
    assert np.allclose(out, [[2, 0]] * 4)


def test_codebook_round_trip_all_cells():
    assert codebook.N_CELLS == 399
    assert codebook.PANS_DEG[0] == -45 and codebook.PANS_DEG[-1] == 45 and len(codebook.PANS_DEG) == 19
    assert codebook.GAINS[0] == 0 and codebook.GAINS[-1] == 2 and len(codebook.GAINS) == 21
    for cell in range(399):
        pan, gain = codebook.cell_to_pan_gain(cell)
        assert codebook.pan_gain_to_cell(pan, gain) == cell
        p, g = codebook.cell_classes(cell)
        assert codebook.cell_index(p, g) == cell
    with pytest.raises(ValueError):
        codebook.cell_classes(399)


def test_aggregate_sum_argmax_marginals():
    posts = np.zeros((3, 399))
    posts[0, 5] = posts[1, 5] = 1.0
    posts[2, 200] = 1.0
    joint = codebook.aggregate(posts)
    assert joint.shape == (19, 21) and joint.sum() == pytest.approx(1)
    assert codebook.argmax_cell(joint) == 5
    # silent frames do not vote
    assert codebook.argmax_cell(codebook.aggregate(posts, np.array([0, 0, 1.0]))) == 200
    pan_m, gain_m = codebook.marginals(joint)
    assert pan_m.shape == (19,) and gain_m.shape == (21,)
    assert pan_m.sum() == pytest.approx(1) and gain_m.sum() == pytest.approx(1)
    choice = codebook.Choice.from_posterior(joint)
    assert (choice.pan_deg, choice.gain) == codebook.cell_to_pan_gain(5)


def test_pan_gains_of_held_sections_equal_the_law_per_sample():
    """Section automation holds a pan between ramps: the law is evaluated once per run, with the same bits."""
    from jazzremix_gui.core.signal.panlaw import PAN_MAX_DEG, PAN_MIN_DEG, pan_gains
    held = np.concatenate([np.full(30000, 12.5), np.linspace(12.5, -60.0, 4410), np.full(22000, -60.0),
                           np.full(9000, 44.0)])
    moving = np.linspace(-45.0, 45.0, 50000)
    for pan in (held, moving, held[:500], np.array([3.0])):
        theta = np.radians(np.clip(pan, PAN_MIN_DEG, PAN_MAX_DEG) + 45.0)
        g_l, g_r = pan_gains(pan)
        np.testing.assert_array_equal(g_l, np.cos(theta))
        np.testing.assert_array_equal(g_r, np.sin(theta))
