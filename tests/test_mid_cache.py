"""The training sampler's mid cache (training.remix_sampler.mid_cache): the examples a separator trains on
read each stem's mid from a float16 file beside the stems instead of the float32 WAVs."""

import os

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.training.remix_sampler import MID_CACHE, RemixSampler, mid_cache
from tests.test_separator_training import _dataset


def test_the_cache_holds_both_stems_mids_as_float16_and_follows_a_newer_stem(tmp_path):
    track = _dataset(tmp_path / "d", 1, seed=2) / "track_000"
    mids = mid_cache(track)
    assert mids.dtype == np.float16 and mids.shape == (2, 3 * 44100)
    for row, name in enumerate(("solo", "accompaniment")):
        x, _ = sf.read(track / f"{name}.wav", dtype="float32")
        want = x.mean(axis=1)
        np.testing.assert_allclose(mids[row].astype(np.float32), want, rtol=2 ** -11, atol=2 ** -24)
        assert np.abs(mids[row].astype(np.float32) - want).max() > 0  # rounded: float16, not the WAV's bits
    assert sorted(os.listdir(track)) == sorted(["accompaniment.wav", "mixture.wav", "solo.wav", MID_CACHE])
    # a stem rendered again after the cache was written: the cache follows it
    x, _ = sf.read(track / "solo.wav", dtype="float32")
    sf.write(track / "solo.wav", 0.5 * x, 44100, subtype="FLOAT")
    later = os.stat(track / MID_CACHE).st_mtime + 5
    os.utime(track / "solo.wav", (later, later))
    np.testing.assert_allclose(mid_cache(track)[0].astype(np.float32), 0.5 * x.mean(axis=1), rtol=2 ** -11,
                               atol=2 ** -24)
    assert sorted(os.listdir(track)) == sorted(["accompaniment.wav", "mixture.wav", "solo.wav", MID_CACHE])


def test_examples_from_the_cache_are_those_from_the_stems_within_float16(tmp_path):
    data = _dataset(tmp_path / "d", 3, seed=4)
    wav = RemixSampler(str(data), 16, 1024, seed=7, p_remix=0.5, timbre=0.5, log=lambda m: None)
    cached = RemixSampler(str(data), 16, 1024, seed=7, p_remix=0.5, timbre=0.5, log=lambda m: None,
                          mid_cache=True)
    for _ in range(3):  # the same draws: only the samples' rounding differs
        for x, y in zip(wav.batch(4, with_acc=True), cached.batch(4, with_acc=True)):
            assert x.shape == y.shape
            err = np.sqrt(np.mean((x - y) ** 2) / np.mean(x ** 2))
            assert 0 < err < 1e-3  # -60 dB or less: the float16 rounding, nothing else
    with pytest.raises(ValueError, match="mid_cache"):
        cached.batch(2, stereo=True)
