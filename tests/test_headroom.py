"""Clip modes, the true-peak limiter, dither, formats and tags, read back from the files written."""

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.core.audio import audio_io, tags
from jazzremix_gui.core.errors import AudioWriteError
from jazzremix_gui.core.audio.formats import FORMATS, LOSSY, OutputSpec
from jazzremix_gui.core.audio.headroom import CEILING_DBTP, MasteredWriter, write_mastered
from jazzremix_gui.core.audio.limiter import MARGIN, LookaheadLimiter, TruePeakTracker, _tp_of, lin_to_db

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


def true_peak_db(x):
    x = np.asarray(x, np.float64).reshape(len(x), -1)
    ext = np.concatenate([np.zeros((MARGIN, x.shape[1])), x, np.zeros((MARGIN, x.shape[1]))])
    return lin_to_db(_tp_of(ext).max())


def test_true_peak_streaming_equals_whole_and_sees_intersample_peaks():
    x = hot_signal()
    tr = TruePeakTracker(2)
    parts = [tr.push(x[i:i + 777]) for i in range(0, len(x), 777)] + [tr.finish()]
    np.testing.assert_array_equal(np.concatenate([p[0] for p in parts]), x)
    ext = np.concatenate([np.zeros((MARGIN, 2)), x, np.zeros((MARGIN, 2))])
    np.testing.assert_allclose(np.concatenate([p[1] for p in parts]), _tp_of(ext), rtol=1e-6)
    # a full-scale sine at fs/4 with 45 degree phase: samples at 0.707, true peak 1.0 (+3 dB over the samples)
    n = np.arange(4000)
    s = (np.sin(np.pi / 2 * n + np.pi / 4))[:, None]
    tp = _tp_of(np.concatenate([np.zeros((MARGIN, 1)), s, np.zeros((MARGIN, 1))]))[100:-100]  # away from the edges
    assert lin_to_db(tp.max()) == pytest.approx(0.0, abs=0.1) and lin_to_db(np.abs(s).max()) == pytest.approx(-3.0, abs=0.02)


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
    with pytest.raises(AudioWriteError, match="unsupported output format"):
        audio_io.write_audio(tmp_path / "x.m4a", np.zeros(10), RATE)


@pytest.mark.parametrize("ext", sorted(LOSSY))
def test_limited_lossy_file_decodes_below_full_scale(tmp_path, ext):
    x = hot_signal()
    write_mastered(tmp_path / f"hot.{ext}", x, RATE, OutputSpec(ext), "limit")
    y, _ = sf.read(tmp_path / f"hot.{ext}", dtype="float32")
    assert np.abs(y).max() < 1.0  # the 1 dB left by the limiter covers the codec's overshoot
