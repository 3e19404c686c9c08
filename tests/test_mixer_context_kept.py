"""MixerStream keeps the rows (band powers, energies) of the frames two blocks share (the context) instead of
transforming them again: the posteriors and energies are the same bits as with every block's frames afresh."""

import numpy as np
import pytest

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.signal import features, mixer


def _stream(model, solo, acc, fresh: bool):
    stream = mixer.MixerStream(model, solo.shape[0], 1.0)
    calls = []
    if fresh:  # every block's frames transformed afresh, from the whole stems (the stream drops what it keeps rows of)
        kind = model.meta.input_kind

        def spectra(lo, hi, keep_from):
            calls.append((lo, hi))
            return features.rows_from_spectra(*features.frame_spectra(solo, acc, stream.hop, kind, lo, hi), kind)

        stream._rows = spectra
    for i in range(0, solo.shape[0], 70000):
        stream.push(solo[i:i + 70000], acc[i:i + 70000])
    return stream.posts, stream.energy, calls


@pytest.mark.parametrize("kind", ["mixer", "tiny"])
def test_kept_context_gives_the_same_bits(kind, tmp_path):
    if kind == "mixer":
        model = pipeline.load_model(None, "mixer")  # the shipped one: input kind mixer_features
    else:
        from tiny_models import tiny_mixer
        model = pipeline.load_model(str(tiny_mixer(tmp_path / "m.onnx")), "mixer")
    rng = np.random.default_rng(1)
    n = 44100 * 25
    solo = (0.2 * rng.standard_normal(n)).astype(np.float32)
    acc = (0.2 * rng.standard_normal((n, 2))).astype(np.float32)
    kept_posts, kept_energy, _ = _stream(model, solo, acc, fresh=False)
    posts, energy, calls = _stream(model, solo, acc, fresh=True)
    assert len(calls) >= 2  # several blocks, so frames were shared
    np.testing.assert_array_equal(kept_posts, posts)
    np.testing.assert_array_equal(kept_energy, energy)


def test_spectra_of_frames_join_across_calls():
    rng = np.random.default_rng(2)
    solo = rng.standard_normal(44100 * 3).astype(np.float32)
    acc = rng.standard_normal((44100 * 3, 2)).astype(np.float32)
    whole = features.frame_spectra(solo, acc, 512, "mixer_features", 10, 200)
    parts = [features.frame_spectra(solo, acc, 512, "mixer_features", a, b) for a, b in ((10, 90), (90, 200))]
    for i in range(2):
        np.testing.assert_array_equal(whole[i], np.concatenate([p[i] for p in parts]))


def test_band_powers_are_the_bands_sums_frame_by_frame():
    """The band sums equal the 0/1 band matrix product they replaced (1e-12), and a frame's row is the same
    bits whichever frames share its call."""
    rng = np.random.default_rng(3)
    power = rng.random((300, 2049)) ** 4
    freqs = np.arange(2049) * 44100 / 4096
    edges = np.geomspace(50.0, 16000.0, features.MIXER_BANDS + 1)
    edges[0], edges[-1] = 0.0, 44100 / 2 + 1
    m = np.zeros((2049, features.MIXER_BANDS + 1))
    for k in range(features.MIXER_BANDS):
        m[(freqs >= edges[k]) & (freqs < edges[k + 1]), k] = 1.0
    from jazzremix_gui.core.audio.loudness import k_weighting_power
    m[:, -1] = k_weighting_power(freqs, 44100)
    got = features.band_powers(power)
    np.testing.assert_allclose(got, power @ m, rtol=1e-12)
    np.testing.assert_array_equal(np.concatenate([features.band_powers(power[:7]), features.band_powers(power[7:])]),
                                  got)
    assert features.band_powers(power[:0]).shape == (0, features.MIXER_BANDS + 1)
