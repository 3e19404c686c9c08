"""MP3 and OGG outputs are measured after encoding (decoded, true peak) and held at or under -1 dBTP."""

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.audio import encoded, tags
from jazzremix_gui.core.audio.formats import FORMATS, OutputSpec
from jazzremix_gui.core.audio.headroom import CEILING_DBTP, overs, write_mastered

RATE = 44100


def _hot(seconds=10.0):
    """Tone and noise well above full scale: the limiter works all through, the encoder overshoots after it."""
    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.6 * np.sin(2 * np.pi * 220 * t)[:, None] + 0.3 * rng.standard_normal((t.size, 2))).astype(np.float32)


@pytest.mark.parametrize("ext", ["mp3", "ogg"])
@pytest.mark.parametrize("mode", ["limit", "rescale"])
def test_decoded_true_peak_holds_the_ceiling(tmp_path, ext, mode):
    if ext not in FORMATS:
        pytest.skip(f"this libsndfile writes no {ext}")
    path = tmp_path / f"remix.{ext}"
    r = write_mastered(path, _hot(), RATE, OutputSpec(ext, 24), mode, tags.output_tags({}, "remix", "remix"))
    decoded, rate = sf.read(path, dtype="float32")
    assert rate == RATE and decoded.shape == (10 * RATE, 2)
    peak = overs(decoded)[1]  # measured here, independently of the writer
    assert peak <= CEILING_DBTP + 0.01
    assert r.decoded_peak_dbtp == pytest.approx(peak, abs=0.01)
    if r.encoded_gain_db:  # encoded again: said in the report and in the file
        assert r.encoded_gain_db < 0
        assert "encoded again" in r.describe() and "encoded again" in tags.read_tags(path)["comment"]
    assert not [p for p in tmp_path.iterdir() if p.name != path.name]  # no spool or temporary left


def test_the_limiter_alone_is_not_enough_for_mp3(tmp_path):
    """Why the check exists: limited to -1 dBTP, the MP3 decodes above it, so it is encoded again lower."""
    if "mp3" not in FORMATS:
        pytest.skip("this libsndfile writes no MP3")
    r = write_mastered(tmp_path / "r.mp3", _hot(), RATE, OutputSpec("mp3", 24), "limit")
    assert r.encoded_gain_db < -0.3
    wav = write_mastered(tmp_path / "r.wav", _hot(), RATE, OutputSpec("wav", 24), "limit")
    assert wav.decoded_peak_dbtp is None and wav.encoded_gain_db == 0.0  # lossless: nothing to re-measure


def test_stems_are_lowered_together(tmp_path, tiny_models):
    if "ogg" not in FORMATS:
        pytest.skip("this libsndfile writes no OGG")
    src = tmp_path / "hot.wav"
    sf.write(src, _hot(4.0), RATE, subtype="FLOAT")
    (tmp_path / "o").mkdir()
    reports = pipeline.separate_file(src, tmp_path / "o", spec=OutputSpec("ogg", 24), solo="residual",
                                     model=pipeline.load_model(tiny_models / "separator.onnx"))
    assert reports[0].encoded_gain_db == reports[1].encoded_gain_db  # one gain for both
    for r in reports:
        assert overs(sf.read(r.path, dtype="float32")[0])[1] <= CEILING_DBTP + 0.01
    worst = max(encoded.decoded_true_peak(r.path) for r in reports)  # the joint figure is the worse file's
    assert 20 * np.log10(worst) == pytest.approx(reports[0].decoded_peak_dbtp, abs=0.01)


def test_clamp_says_what_the_decoder_gives_back(tmp_path):
    """clamp holds the samples at full scale, not the encoder's overshoot: the decoded MP3 went beyond full scale
    unsaid; its decoded true peak is now measured and said (no second encoding: that is limit's and rescale's)."""
    if "mp3" not in FORMATS:
        pytest.skip("this libsndfile writes no MP3")
    path = tmp_path / "r.mp3"
    r = write_mastered(path, _hot() * 2, RATE, OutputSpec("mp3", 24), "clamp")
    peak = overs(sf.read(path, dtype="float32")[0])[1]
    assert peak > 0.0 and r.decoded_peak_dbtp == pytest.approx(peak, abs=0.01) and r.encoded_gain_db == 0.0
    assert f"decoded true peak {peak:+.1f} dBTP after encoding (the encoder's overshoot" in r.describe()
    assert r.written_peak_dbtp == r.decoded_peak_dbtp
