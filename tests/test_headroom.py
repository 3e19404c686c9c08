"""Clip modes, the true-peak limiter, dither, formats and tags, read back from the files written."""

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.core.audio import audio_io, tags
from jazzremix_gui.core.errors import AudioWriteError
from jazzremix_gui.core.audio.formats import FORMATS, LOSSY, OutputSpec
from jazzremix_gui.core.audio.headroom import CEILING_DBTP, MasteredWriter, write_mastered
from jazzremix_gui.core.audio.limiter import (MARGIN, OVERSHOOT, LookaheadLimiter, TruePeakTracker, lin_to_db,
                                              reference_filter, sliding_min, true_peaks)

RATE = 44100


def hot_signal(seconds=3.0, seed=0):
    """A mix at about -8 dBFS with a 45 ms burst at +3 dBFS (the overs) and one inter-sample peak."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    x = (0.3 * np.sin(2 * np.pi * 220 * t) + 0.03 * rng.standard_normal(t.size))[:, None] * np.array([1.0, 0.8])
    x[RATE:RATE + 2000] *= 3.6
    k = int(0.6 * t.size)
    x[k:k + 8, 0] = 0.99 * np.array([1, 1, -1, -1, 1, 1, -1, -1])  # fs/4 square: true peak ~ +3 dB over samples
    return x.astype(np.float32)


def reference_tp(x):
    """The 4x reference: scipy's resample_poly (float64), max magnitude per input sample's interval, (n,)."""
    from scipy.signal import resample_poly

    x = np.asarray(x, np.float64).reshape(len(x), -1)
    y = np.abs(resample_poly(x, 4, 1, axis=0)).max(axis=1)
    return y.reshape(-1, 4).max(axis=1)


def true_peak_db(x):
    return lin_to_db(reference_tp(x).max())


def adversarial_signals():
    """Signals whose true peak is far above their samples, plus ordinary ones, (n, c) float32 each."""
    rng = np.random.default_rng(7)
    n = np.arange(8000)
    t = n / RATE
    return {
        "fs/4 sine, 45 deg": np.sin(np.pi / 2 * n + np.pi / 4)[:, None],
        "fs/4 square 1 1 -1 -1": np.tile([1.0, 1.0, -1.0, -1.0], n.size // 4)[:, None],
        "alternating +1 -1 (Nyquist)": np.tile([1.0, -1.0], n.size // 2)[:, None],
        "clipped square 1 kHz": np.clip(3 * np.sin(2 * np.pi * 1000 * t), -1, 1)[:, None],
        "clipped square 5 kHz": np.clip(3 * np.sin(2 * np.pi * 5000 * t + 0.3), -1, 1)[:, None],
        "clipped square 11025 Hz": np.clip(5 * np.sin(2 * np.pi * 11025 * t + 0.1), -1, 1)[:, None],
        "sine 20.5 kHz": np.sin(2 * np.pi * 20500 * t + 0.7)[:, None],
        "clipped noise, stereo": np.clip(2 * rng.standard_normal((n.size, 2)), -1, 1),
        "noise, stereo": 0.3 * rng.standard_normal((n.size, 2)),
        "quiet music with one hot spot": hot_signal(1.0)[RATE - 4000:RATE + 4000] * 0.5,
    }


def streamed(tracker, x, block):
    parts = [tracker.push(x[i:i + block]) for i in range(0, len(x), block)] + [tracker.finish()]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def test_reference_filter_is_resample_polys():
    from scipy.signal import firwin

    np.testing.assert_allclose(reference_filter(), firwin(81, 1 / 4, window=("kaiser", 5.0)) * 4, rtol=0, atol=1e-15)


@pytest.mark.parametrize("name", list(adversarial_signals()))
@pytest.mark.parametrize("block", [29, 777, 65536])
def test_true_peak_within_a_tenth_of_a_db_of_the_4x_reference(name, block):
    x = adversarial_signals()[name].astype(np.float32)
    ref = reference_tp(x)
    samples, tp = streamed(TruePeakTracker(x.shape[1]), x, block)
    np.testing.assert_array_equal(samples, x)
    assert abs(lin_to_db(tp.max()) - lin_to_db(ref.max())) < 0.01  # the same filter: far inside 0.1 dB
    # every value is at least the sample peak and at most the true peak; exact wherever it may be the maximum
    assert (tp >= np.abs(x).max(axis=1) - 1e-7).all() and (tp <= ref * 1.001 + 1e-7).all()
    exact = true_peaks(np.concatenate([np.zeros((MARGIN, x.shape[1])), x, np.zeros((MARGIN, x.shape[1]))]), floor=0.0)
    np.testing.assert_allclose(exact, ref, rtol=1e-3, atol=1e-6)  # floor 0: every sample (phase 0: 1.0006 x in scipy)
    skipped = tp < exact * (1 - 1e-5)
    assert (exact[skipped] * 1.0001 < tp.max()).all()  # what was skipped could not be the maximum
    # with a floor (the limiter's ceiling), every value at or above it is exact
    floor = 0.5 * float(ref.max())
    _, tp_floor = streamed(TruePeakTracker(x.shape[1], floor=floor), x, block)
    hot = exact >= floor
    np.testing.assert_allclose(tp_floor[hot], exact[hot], rtol=1e-6)
    assert (tp_floor[~hot] < floor).all()


@pytest.mark.parametrize("block", [29, 777, 65536])
@pytest.mark.parametrize("floor", [np.inf, 0.3])
def test_grouped_true_peaks_give_each_files_peak_in_the_joint_pass(block, floor):
    """Stems written with one gain: the joint measurement (the limiter's) also gives each file's exact true peak."""
    sig = adversarial_signals()
    quiet = 0.05 * sig["noise, stereo"]  # a file far below the other and the floor: its rows are still computed
    groups = {"hot mono + quiet stereo": (sig["fs/4 sine, 45 deg"], quiet),
              "stereo + stereo": (sig["clipped noise, stereo"], sig["noise, stereo"]),
              "mono + mono + stereo": (sig["clipped square 5 kHz"], 0.2 * sig["sine 20.5 kHz"], quiet),
              "silent + stereo": (np.zeros((8000, 1)), quiet)}
    for parts in groups.values():
        parts = [p.astype(np.float32) for p in parts]
        joint = np.concatenate(parts, axis=1)
        tracker = TruePeakTracker(joint.shape[1], floor=floor, groups=[p.shape[1] for p in parts])
        plain = TruePeakTracker(joint.shape[1], floor=floor)
        _, tp = streamed(tracker, joint, block)
        _, tp_plain = streamed(plain, joint, block)
        # the per-sample values at or above the floor, and the maximum, are those of the ungrouped measurement
        hot = tp_plain >= min(floor, tp_plain.max())
        np.testing.assert_array_equal(tp[hot], tp_plain[hot])
        assert tracker.peak == plain.peak
        for got, part in zip(tracker.group_peaks, parts):
            ref = reference_tp(part).max()
            assert abs(lin_to_db(got) - lin_to_db(ref)) < 0.01 if ref > 0 else got == 0.0
    with pytest.raises(ValueError, match="add up"):
        TruePeakTracker(3, groups=(2, 2)).push(np.zeros((100, 3), np.float32))


def test_full_scale_fs4_sine_reads_3_db_over_its_samples():
    n = np.arange(4000)
    s = (np.sin(np.pi / 2 * n + np.pi / 4))[:, None].astype(np.float32)  # samples at 0.707, true peak 1.0
    ext = np.concatenate([np.zeros((MARGIN, 1)), s, np.zeros((MARGIN, 1))])
    tp = true_peaks(ext)[100:-100]  # away from the edges
    assert lin_to_db(tp.max()) == pytest.approx(0.0, abs=0.1) and lin_to_db(np.abs(s).max()) == pytest.approx(-3.0, abs=0.02)


def test_true_peak_skips_rows_that_cannot_reach_the_level():
    """The screening bound: no interpolated point exceeds OVERSHOOT times the samples within reach."""
    rng = np.random.default_rng(3)
    worst = np.sign(reference_filter()[2::4][::-1])  # signs aligned with the half-sample phase's taps
    x = np.concatenate([worst, 0.1 * rng.standard_normal(500)])[:, None]
    peak = reference_tp(x).max()
    assert 2.0 < peak <= OVERSHOOT
    ext = np.concatenate([np.zeros((MARGIN, 1)), x, np.zeros((MARGIN, 1))])
    assert true_peaks(ext).max() == pytest.approx(peak, rel=1e-5)


@pytest.mark.parametrize("size", [1, 2, 7, 221, 1323])
def test_sliding_min_is_the_window_minimum(size):
    x = np.random.default_rng(size).standard_normal(3000)
    want = np.array([x[j:j + size].min() for j in range(len(x) - size + 1)])
    np.testing.assert_array_equal(sliding_min(x, size), want)


def test_limiter_is_transparent_except_at_overs_and_keeps_length():
    x = hot_signal()
    lim = LookaheadLimiter(RATE, 2, CEILING_DBTP)
    y = np.concatenate([lim.push(x[i:i + 4096]) for i in range(0, len(x), 4096)] + [lim.finish()])
    assert y.shape == x.shape
    assert true_peak_db(y) <= CEILING_DBTP + 0.05
    untouched = np.abs(y - x).max(axis=1) < 1e-7
    assert untouched.mean() > 0.9  # only the overs and ~25 ms around them move
    assert untouched[: RATE - 2000].all() and untouched[-RATE // 2:].all()
    assert lim.limited < 0.1 * len(x) and lin_to_db(lim.min_gain) < -3


@pytest.mark.parametrize("block", [1, 100, 65536])
def test_limiter_block_size_does_not_change_output(block):
    x = hot_signal(1.5)[RATE - 1000: RATE + 4000]  # the burst of overs, 23 ms before it, 45 ms after (hold + release)
    ref = LookaheadLimiter(RATE, 2)
    whole = np.concatenate([ref.push(x), ref.finish()])
    lim = LookaheadLimiter(RATE, 2)
    y = np.concatenate([lim.push(x[i:i + block]) for i in range(0, len(x), block)] + [lim.finish()])
    np.testing.assert_allclose(y, whole, atol=1e-6)


@pytest.mark.parametrize("bits", [16, 24, 32])
def test_clip_modes_read_back(tmp_path, bits):
    x = hot_signal()
    over = int(np.count_nonzero(np.abs(x) > 1.0))
    assert over > 300
    spec = OutputSpec("wav", bits)
    for mode in ("limit", "rescale", "clamp") + (("none",) if bits == 32 else ()):
        path = tmp_path / f"{mode}.wav"
        r = write_mastered(path, x, RATE, spec, mode)
        y, rate = sf.read(path, dtype="float32")
        assert rate == RATE and y.shape == x.shape and r.over == over and r.peak_dbtp > 3.0
        clipped = int(np.count_nonzero(np.abs(y) >= 32767 / 32768))
        if mode == "limit":
            assert clipped == 0 and true_peak_db(y) <= CEILING_DBTP + 0.1 and r.limited > 0
            quiet = slice(0, RATE - 2000)  # untouched, apart from dither
            np.testing.assert_allclose(y[quiet], x[quiet], atol=2 ** (1 - bits) * 1.5 + 1e-6)
        elif mode == "rescale":
            gain = 10 ** (r.gain_db / 20)
            assert clipped == 0 and true_peak_db(y) <= CEILING_DBTP + 0.1 and r.gain_db < -4
            np.testing.assert_allclose(y, x * gain, atol=2 ** (1 - bits) * 1.5 + 1e-6)
            assert "scaled by" in r.describe()
            assert f"rescaled by {r.gain_db:+.2f} dB" in tags.read_tags(path)["comment"]  # said in the file too
        elif mode == "clamp":
            assert r.clamped == over and clipped >= over - 10 and np.abs(y).max() <= 1.0
        else:
            np.testing.assert_array_equal(y, x)  # floats keep the overs
        assert f"{over:,} samples would have clipped" in r.describe()


def test_none_needs_float_and_unknown_mode_refused(tmp_path):
    with pytest.raises(AudioWriteError, match="32-bit float"):
        MasteredWriter(tmp_path / "a.wav", RATE, 2, OutputSpec("wav", 24), "none")
    with pytest.raises(AudioWriteError, match="unknown clip mode"):
        MasteredWriter(tmp_path / "a.wav", RATE, 2, OutputSpec("wav", 24), "soft")
    assert not list(tmp_path.iterdir())


def test_16_bit_gets_tpdf_dither_seeded(tmp_path):
    x = np.full((RATE, 1), 0.25 / 32768, np.float32)  # a quarter LSB: plain rounding would give silence
    audio_io.write_audio(tmp_path / "a.wav", x, RATE, 16)
    audio_io.write_audio(tmp_path / "b.wav", x, RATE, 16)
    y, _ = sf.read(tmp_path / "a.wav", dtype="int16")
    assert set(np.unique(y)) <= {-1, 0, 1, 2} and y.std() > 0.3
    assert y.mean() == pytest.approx(0.25, abs=0.02)  # dither keeps the sub-LSB level on average
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()  # same input, same bytes
    audio_io.write_audio(tmp_path / "c.wav", x, RATE, 24)
    assert np.all(sf.read(tmp_path / "c.wav", dtype="int32")[0] != 0)  # no dither at 24 bits


@pytest.mark.parametrize("ext", sorted(FORMATS))
def test_each_format_round_trips_with_tags(tmp_path, ext):
    x = hot_signal(2.0) * 0.25
    path = tmp_path / f"out.{ext}"
    source = {"title": "Body and Soul", "artist": "Coleman Hawkins", "album": "Vol. 1", "date": "1939"}
    t = tags.output_tags(source, "body", "accompaniment", {"separator": "sep-1", "mixer": "mix-2"})
    write_mastered(path, x, RATE, OutputSpec(ext, 24), "limit", t)
    y, rate = sf.read(path, dtype="float32")
    assert rate == RATE and y.shape == x.shape
    if ext in LOSSY:
        lag = np.argmax(np.correlate(y[RATE:RATE + 4096, 0], x[RATE:RATE + 2048, 0], "valid"))
        assert lag == 0  # libsndfile removes the encoder delay: aligned
        assert 10 * np.log10(np.sum(x ** 2) / np.sum((x - y) ** 2)) > 15
    else:
        np.testing.assert_allclose(y, x, atol=1e-6 if ext != "flac" else 2 ** -23 * 1.5)
    back = tags.read_tags(path)
    assert back["title"] == "Body and Soul (accompaniment)" and back["artist"] == "Coleman Hawkins"
    assert "Jazz Remix" in back["comment"] and "sep-1" in back["comment"] and "mix-2" in back["comment"]
    assert back["album"] == "Vol. 1" and back["date"] == "1939"  # every format, through mutagen


@pytest.mark.skipif("mp3" not in FORMATS, reason="this libsndfile writes no MP3")
def test_mp3_bitrate_sets_file_size(tmp_path):
    x = (0.2 * np.random.default_rng(1).standard_normal((RATE * 4, 2))).astype(np.float32)
    sizes = {}
    for kbps in (128, 320):
        p = tmp_path / f"{kbps}.mp3"
        write_mastered(p, x, RATE, OutputSpec("mp3", 24, kbps), "limit")
        sizes[kbps] = p.stat().st_size * 8 / 4 / 1000  # kbit/s
    assert sizes[128] == pytest.approx(128, rel=0.1) and sizes[320] == pytest.approx(320, rel=0.1)
    with pytest.raises(AudioWriteError, match="bitrate"):
        OutputSpec("mp3", 24, 100).check()


def test_flac_float_and_unknown_format_refused(tmp_path):
    with pytest.raises(AudioWriteError, match="FLAC cannot hold"):
        OutputSpec("flac", 32).check()
    with pytest.raises(AudioWriteError, match="unsupported output format '.m4a'"):
        audio_io.write_audio(tmp_path / "x.m4a", np.zeros(10), RATE)
    with pytest.raises(AudioWriteError, match="x: no extension to name the output format [(]use .wav"):
        audio_io.write_audio(tmp_path / "x", np.zeros(10), RATE)
    with pytest.raises(AudioWriteError, match="[.]wav: a name with nothing before its extension"):
        audio_io.write_audio(tmp_path / ".wav", np.zeros(10), RATE)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("ext", sorted(LOSSY))
def test_limited_lossy_file_decodes_below_full_scale(tmp_path, ext):
    x = hot_signal()
    write_mastered(tmp_path / f"hot.{ext}", x, RATE, OutputSpec(ext), "limit")
    y, _ = sf.read(tmp_path / f"hot.{ext}", dtype="float32")
    assert np.abs(y).max() < 1.0  # the 1 dB left by the limiter covers the codec's overshoot


def test_24_bit_quantisation_in_float32_gives_the_float64_integers():
    """Undithered 24-bit PCM is rounded in float32 (a third of the memory traffic): the same integers, halves and
    full-scale edges included."""
    rng = np.random.default_rng(1)
    edges = [1.0, -1.0, 0.5 / 2 ** 23, 1.5 / 2 ** 23, -0.5 / 2 ** 23, 2.5 / 2 ** 23, 1 - 2 ** -24, 1e-40, -0.0,
             (2 ** 23 - 0.5) / 2 ** 23, -(2 ** 23 + 0.5) / 2 ** 23]
    x = np.concatenate([rng.uniform(-1.3, 1.3, 200_000), edges]).astype(np.float32)
    def want(b):
        return np.clip(np.rint(b.astype(np.float64) * 2 ** 23), -2 ** 23, 2 ** 23 - 1).astype(np.int64) << 8

    for block in (x, x.reshape(-1, 1), np.stack([x, -x], axis=1)):
        got = audio_io.quantize(block, 24)
        assert got.dtype == np.int32
        np.testing.assert_array_equal(got.astype(np.int64), want(block))


class _DenseLimiter(LookaheadLimiter):
    """The limiter as it filtered every block whole (the reference for the spans)."""

    def _gains(self, need):
        from jazzremix_gui.core.audio.limiter import _trailing

        held, self._hctx = _trailing(self._hctx, need, self.h, "min")
        s1, self._s1ctx = _trailing(self._s1ctx, held, self.w, "mean")
        gain, self._s2ctx = _trailing(self._s2ctx, s1, self.w, "mean")
        return np.minimum(gain, 1.0), [[0, need.shape[0]]]


@pytest.mark.parametrize("block", [300, 4096, 65536])
def test_the_limiter_filters_only_around_overs_with_the_whole_blocks_values(block):
    rng = np.random.default_rng(11)
    n = RATE * 4
    x = (0.1 * rng.standard_normal((n, 2))).astype(np.float32)  # under the ceiling, but for:
    for at in (5, 1000, 1500, RATE, RATE + 700, 2 * RATE - 3, 3 * RATE, n - 40):  # lone overs, close ones, edges
        x[at: at + 30] *= 12.0
    x[int(3.3 * RATE): int(3.5 * RATE)] *= 10.0  # a long loud stretch
    outs = []
    for lim in (LookaheadLimiter(RATE, 2), _DenseLimiter(RATE, 2)):
        parts = [lim.push(x[i:i + block]) for i in range(0, n, block)] + [lim.finish()]
        outs.append((np.concatenate(parts), lim.limited, lim.min_gain))
    (sparse, lim_s, g_s), (dense, lim_d, g_d) = outs
    assert sparse.shape == dense.shape == x.shape and lim_s == lim_d > 0
    np.testing.assert_allclose(sparse, dense, rtol=2e-7, atol=0)  # the same values (box sums from another start)
    assert g_s == pytest.approx(g_d, rel=1e-9)
    quiet = slice(int(2.5 * RATE), int(2.9 * RATE))  # no over within reach: the input itself, bit for bit
    np.testing.assert_array_equal(sparse[quiet], x[quiet])


def test_channel_overs_counts_what_the_comparison_counts():
    """The fast path (no value beyond full scale) and the per-channel count agree with ``|x| > 1``."""
    from jazzremix_gui.core.audio.headroom import channel_overs
    rng = np.random.default_rng(5)
    quiet = (rng.standard_normal((5000, 4)) * 0.2).astype(np.float32)
    quiet[10, 0], quiet[11, 1] = 1.0, -1.0  # full scale itself is not over
    assert channel_overs(quiet).tolist() == [0, 0, 0, 0]
    loud = quiet.copy()
    loud[[3, 4, 9], 2] = [1.5, -2.0, np.inf]
    loud[7, 1], loud[8, 3] = np.nan, -1.0001  # NaN is never counted, and does not hide the others
    want = np.count_nonzero(np.abs(loud) > 1.0, axis=0)
    assert channel_overs(loud).tolist() == want.tolist() == [0, 0, 3, 1]
    assert channel_overs(loud[:, 2]).tolist() == [3]
    assert channel_overs(np.zeros((0, 2), np.float32)).tolist() == [0, 0]
