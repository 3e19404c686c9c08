"""Audio I/O: formats, bit depths, rates, resampling alignment, atomic writes, bad files."""

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.errors import AudioReadError, AudioWriteError

FORMATS = [  # (extension, libsndfile format, subtype, tolerance)
    ("wav", "WAV", "PCM_U8", 1e-2),
    ("wav", "WAV", "PCM_16", 1e-4),
    ("wav", "WAV", "PCM_24", 1e-6),
    ("wav", "WAV", "FLOAT", 1e-7),
    ("flac", "FLAC", "PCM_16", 1e-4),
    ("aiff", "AIFF", "PCM_16", 1e-4),
    ("ogg", "OGG", "VORBIS", None),
    ("mp3", "MP3", "MPEG_LAYER_III", None),
]


def _signal(n, channels, rate):
    t = np.arange(n) / rate
    x = 0.4 * np.sin(2 * np.pi * (200 + 600 * t) * t)[:, None] * np.linspace(0.5, 1, channels)[None, :]
    return x.astype(np.float32)


@pytest.mark.parametrize("ext,fmt,subtype,tol", FORMATS)
@pytest.mark.parametrize("rate", [8000, 22050, 48000, 96000])
@pytest.mark.parametrize("channels", [1, 2])
def test_read_formats_keep_length(tmp_path, ext, fmt, subtype, tol, rate, channels):
    if fmt == "MP3" and rate == 96000:
        pytest.skip("MPEG audio has no 96 kHz mode")
    n = rate // 2 + 17
    x = _signal(n, channels, rate)
    path = tmp_path / f"x.{ext}"
    sf.write(path, x, rate, format=fmt, subtype=subtype)
    y, r = audio_io.read_audio(path)
    assert r == rate and y.shape == (n, channels) and y.dtype == np.float32
    if tol is not None:
        assert np.max(np.abs(y - x)) < tol
    else:  # lossy codecs: still aligned (best match at lag 0)
        a, b = n // 4, 3 * n // 4
        err = [np.sum((y[a + lag : b + lag, 0] - x[a:b, 0]) ** 2) for lag in range(-8, 9)]
        assert int(np.argmin(err)) == 8


@pytest.mark.parametrize("bits,fmt", [(16, "wav"), (24, "wav"), (32, "wav"), (16, "flac"), (24, "flac")])
def test_write_round_trip(tmp_path, bits, fmt):
    x = _signal(4410, 2, 44100)
    path = audio_io.write_audio(tmp_path / f"o.{fmt}", x, 44100, bits)
    y, r = audio_io.read_audio(path)
    assert r == 44100 and y.shape == x.shape
    assert np.max(np.abs(y - x)) < {16: 1e-4, 24: 1e-6, 32: 1e-7}[bits]
    assert [p.name for p in tmp_path.iterdir()] == [f"o.{fmt}"]  # no temporary file left


def test_write_refuses_float_flac_and_leaves_nothing(tmp_path):
    with pytest.raises(AudioWriteError):
        audio_io.write_audio(tmp_path / "o.flac", np.zeros((10, 2)), 44100, 32)
    with pytest.raises(AudioWriteError):
        audio_io.write_audio(tmp_path / "o.mp4", np.zeros((10, 2)), 44100)
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_old_file(tmp_path):
    path = tmp_path / "o.wav"
    audio_io.write_audio(path, np.full((100, 1), 0.5), 44100, 16)
    with pytest.raises(RuntimeError):
        with audio_io.AtomicAudioWriter(path, 44100, 1, 16) as w:
            w.write(np.zeros(50))
            raise RuntimeError("job failed half-way")
    y, _ = audio_io.read_audio(path)
    assert y.shape == (100, 1) and np.allclose(y, 0.5, atol=1e-3)
    assert [p.name for p in tmp_path.iterdir()] == ["o.wav"]


@pytest.mark.parametrize("rate", [8000, 22050, 48000, 96000])
def test_resample_round_trip_keeps_alignment(rate):
    n = rate  # one second
    x = np.zeros((n, 1), np.float32)
    x[n // 3] = 1.0
    up = audio_io.resample(x, rate, 44100)
    assert up.shape[0] == round(n * 44100 / rate)
    assert abs(int(np.argmax(up[:, 0])) - (n // 3) * 44100 / rate) <= 1
    back = audio_io.resample(up, 44100, rate)
    assert back.shape == x.shape and int(np.argmax(back[:, 0])) == n // 3


def test_stream_resampler_equals_one_shot():
    x = np.random.default_rng(0).standard_normal((50000, 2)).astype(np.float32)
    r = audio_io.StreamResampler(48000, 44100, 2)
    parts = [r.push(x[i : i + 3001]) for i in range(0, len(x), 3001)] + [r.finish()]
    assert np.array_equal(np.concatenate(parts), audio_io.resample(x, 48000, 44100))


def _bad_files(tmp_path):
    text = tmp_path / "notes.wav"
    text.write_text("this is not audio\n" * 20)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    good = tmp_path / "good.wav"
    sf.write(good, np.zeros((44100, 2)), 44100, subtype="PCM_16")
    header_only = tmp_path / "header_only.wav"
    header_only.write_bytes(good.read_bytes()[:44])
    zero = tmp_path / "zero.wav"
    sf.write(zero, np.zeros((0, 2)), 44100)
    multi = tmp_path / "nine.wav"
    sf.write(multi, np.zeros((100, 9)), 44100)
    return {
        "no such file": tmp_path / "missing.wav",
        "not a readable audio file (a text file": text,
        "empty file": empty,
        "cut off after the header": header_only,
        "0 frames": zero,
        "9 channels": multi,
    }


def test_bad_inputs_raise_one_clear_error(tmp_path):
    for words, path in _bad_files(tmp_path).items():
        with pytest.raises(AudioReadError) as err:
            audio_io.read_audio(path)
        msg = str(err.value)
        assert words in msg and str(path) in msg and "\n" not in msg


def test_samples_that_are_not_numbers_are_silence_and_said_once(tmp_path, caplog):
    """A damaged float file's NaN and infinite samples read as 0 (an infinity once read as full scale and set the
    limiter to work), with one warning line, and the file's warnings (``--json``) count them."""
    x = np.full((4000, 2), 0.25, np.float32)
    x[100:150, 0] = np.nan
    x[2000:2030, 1] = np.inf
    x[3000, 0] = -np.inf
    path = tmp_path / "damaged.wav"
    sf.write(path, x, 8000, subtype="FLOAT")
    with caplog.at_level("WARNING"):
        blocks = list(audio_io.read_blocks(path, 1024)) + list(audio_io.read_blocks(path, 1024))  # read twice
    y = np.concatenate(blocks[: len(blocks) // 2])
    bad = ~np.isfinite(x)
    assert np.isfinite(np.concatenate(blocks)).all() and (y[bad] == 0).all() and (y[~bad] == x[~bad]).all()
    said = [r.getMessage() for r in caplog.records if "not numbers" in r.getMessage()]
    assert len(said) == 1 and str(path) in said[0]
    assert audio_io.probe(path).warnings() == [f"{path}: 81 samples are not numbers (NaN or infinite: a damaged "
                                               "float file); read as silence"]
    clean = tmp_path / "clean.wav"
    sf.write(clean, np.full((4000, 2), 0.25, np.float32), 8000, subtype="FLOAT")
    list(audio_io.read_blocks(clean, 1024))
    assert audio_io.probe(clean).warnings() == []
