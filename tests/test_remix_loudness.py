"""``remix --loudness match|keep``, several inputs into a folder, ``--json``, ``-o``; ``suggest`` on several inputs."""

import json

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf

from jazzremix_gui.core.audio.headroom import overs
from jazzremix_gui.core.audio.loudness import LoudnessMeter, file_loudness, integrated_loudness
from jazzremix_gui.core.audio.loudness_match import match_gain
from test_cli import jazzremix, models  # noqa: F401 (models is a fixture)

RATE = 44100


def _take(path, level=0.25, seconds=4.0, seed=2):
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    x = np.stack([level * np.sin(2 * np.pi * 440 * t) + 0.3 * level * rng.standard_normal(t.size),
                  0.6 * level * np.sin(2 * np.pi * 440 * t) + 0.3 * level * rng.standard_normal(t.size)], 1)
    sf.write(path, x.astype(np.float32), RATE, subtype="FLOAT")
    return x


def _lufs(path):
    y, rate = sf.read(path, dtype="float64")
    return pyloudnorm.Meter(rate).integrated_loudness(y)  # measured here, by pyloudnorm itself


def test_streaming_meter_equals_pyloudnorm():
    x = np.random.default_rng(0).standard_normal((RATE * 5 + 77, 2)) * 0.1
    kept = x.copy()
    m = LoudnessMeter(RATE, 2)
    for a, b in ((0, 10), (10, 50_000), (50_000, 50_001), (50_001, x.shape[0])):
        m.push(x[a:b])
    want = pyloudnorm.Meter(RATE).integrated_loudness(x)
    assert m.integrated() == pytest.approx(want, abs=1e-9) == integrated_loudness(x, RATE)
    np.testing.assert_array_equal(x, kept)  # the meter filters copies, never the caller's samples
    mono = x[:, 0].copy()
    integrated_loudness(mono, RATE)
    np.testing.assert_array_equal(mono, kept[:, 0])


def test_match_gain_stops_at_the_ceiling():
    free = match_gain(-14.0, -20.0, 10 ** (-12 / 20), -1.0)
    assert free.gain_db == pytest.approx(6.0) and not free.held_by_ceiling
    held = match_gain(-14.0, -20.0, 10 ** (-4 / 20), -1.0)
    assert held.gain_db == pytest.approx(3.0) and held.held_by_ceiling  # only 3 dB of room below -1 dBTP
    down = match_gain(-20.0, -14.0, 10 ** (0.5 / 20), -1.0)
    assert down.gain_db == pytest.approx(-6.0)  # turning down is always allowed


def test_match_makes_the_remix_as_loud_as_the_recording(tmp_path, models):  # noqa: F811
    _take(tmp_path / "take.wav")
    common = ("--pan", "-20", "--gain-db", "-9", "--bits", "32", "--clip", "none", "--model", models[0], "--json")
    proc = jazzremix("remix", tmp_path / "take.wav", "-o", tmp_path / "new" / "m.wav", *common)
    assert proc.returncode == 0, proc.stderr
    assert f"created the output folder {tmp_path / 'new'}" in proc.stderr and "loudness: recording" in proc.stderr
    entry = json.loads(proc.stdout)["files"][0]
    assert entry["loudness_mode"] == "match" and entry["loudness"]["gain_db"] > 1.0
    assert abs(_lufs(tmp_path / "new" / "m.wav") - _lufs(tmp_path / "take.wav")) < 0.5
    assert entry["loudness"]["output_lufs"] == pytest.approx(_lufs(tmp_path / "new" / "m.wav"), abs=0.01)

    proc = jazzremix("remix", tmp_path / "take.wav", "-o", tmp_path / "k.wav", "--loudness", "keep", *common)
    assert proc.returncode == 0 and "loudness" not in json.loads(proc.stdout)["files"][0]
    assert _lufs(tmp_path / "take.wav") - _lufs(tmp_path / "k.wav") > 1.0  # the solo 9 dB down: quieter
    kept, _ = sf.read(tmp_path / "k.wav", dtype="float32")
    matched, _ = sf.read(tmp_path / "new" / "m.wav", dtype="float32")
    g = float(np.sum(matched * kept) / np.sum(kept * kept))
    np.testing.assert_allclose(matched, kept * g, atol=1e-6)  # one gain for the whole remix, nothing else
    assert 20 * np.log10(g) == pytest.approx(entry["loudness"]["gain_db"], abs=0.006)


@pytest.mark.parametrize("name, options", [("r.wav", ("--bits", "24")), ("r.flac", ("--bits", "16")),
                                           ("r.mp3", ("--bitrate", "192"))])
def test_the_reported_output_loudness_is_the_written_files(tmp_path, models, name, options):  # noqa: F811
    """Measured as the file is written (lossless: beside the writer; lossy: in the decoding pass), not read again."""
    _take(tmp_path / "take.wav", level=0.2)  # room under the ceiling: the match's gain is not held back
    proc = jazzremix("remix", tmp_path / "take.wav", "-o", tmp_path / name, "--pan", "25", "--gain-db", "-4",
                     *options, "--model", models[0], "--json")
    assert proc.returncode == 0, proc.stderr
    entry = json.loads(proc.stdout)["files"][0]
    assert entry["loudness"]["output_lufs"] == pytest.approx(_lufs(tmp_path / name), abs=0.01)
    if name != "r.mp3":  # the true peak taken from the match's pass is the written file's (the encoder's own: MP3)
        from test_headroom import reference_tp
        written, _ = sf.read(tmp_path / name, dtype="float64")
        assert entry["output"]["limited_samples"] == 0
        assert entry["output"]["true_peak_dbtp"] == pytest.approx(20 * np.log10(reference_tp(written).max()), abs=0.02)


def test_the_ceiling_is_said_when_it_stops_the_match(tmp_path, models):  # noqa: F811
    x = _take(tmp_path / "loud.wav", level=0.62)
    assert overs(x)[1] > -1.5  # a loud master: hardly any room
    proc = jazzremix("remix", tmp_path / "loud.wav", "-o", tmp_path / "r.wav", "--pan", "0", "--gain", "0.2",
                     "--model", models[0], "--json")
    assert proc.returncode == 0, proc.stderr
    loud = json.loads(proc.stdout)["files"][0]["loudness"]
    assert loud["held_by_ceiling"] and "dBTP ceiling allowed no more" in proc.stderr
    assert _lufs(tmp_path / "loud.wav") - _lufs(tmp_path / "r.wav") > 0.5
    assert overs(sf.read(tmp_path / "r.wav", dtype="float32")[0])[1] <= -1.0 + 0.05


def test_several_inputs_into_a_folder_and_one_that_fails(tmp_path, models):  # noqa: F811
    (tmp_path / "in").mkdir()
    for i in (1, 2):
        _take(tmp_path / "in" / f"t{i}.wav", seed=i)
    (tmp_path / "in" / "broken.wav").write_bytes(b"RIFF1234WAVEjunk")
    proc = jazzremix("remix", tmp_path / "in", "-o", tmp_path / "out", "--format", "flac", "--model", models[0],
                     "--mixer", models[1], "--json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["written"] == 2 and data["failed"] == 1
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["t1.remix.flac", "t2.remix.flac"]
    assert "file 1 of 3: " in proc.stderr and proc.stderr.count("jazzremix: error:") == 1
    for f in data["files"]:
        if "error" not in f:
            assert abs(_lufs(f["output"]["path"]) - _lufs(f["input"])) < 0.5

    proc = jazzremix("suggest", tmp_path / "in" / "t1.wav", tmp_path / "in" / "t2.wav", "--model", models[0],
                     "--mixer", models[1], "--json")
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert [f["input"] for f in found["files"]] == [str(tmp_path / "in" / f"t{i}.wav") for i in (1, 2)]
    assert all(np.array(f["posterior"]).shape == (19, 21) for f in found["files"]) and found["failed"] == 0


def test_a_mono_file_is_measured_as_it_plays(tmp_path):
    mono = 0.2 * np.random.default_rng(4).standard_normal(RATE * 3)
    sf.write(tmp_path / "m.wav", mono, RATE, subtype="FLOAT")
    both = pyloudnorm.Meter(RATE).integrated_loudness(np.stack([mono, mono], 1))
    assert file_loudness(tmp_path / "m.wav") == pytest.approx(both, abs=1e-4)


def test_a_rate_too_low_to_measure_is_said():
    from jazzremix_gui.core.audio.loudness_match import not_measurable

    assert not_measurable(44100, -1.0) is None and not_measurable(8000, -1.0) is None
    low = not_measurable(2000, -1.0)
    assert low.gain_db == 0.0 and low.describe() == \
        "loudness: not measurable at 2,000 Hz (BS.1770 needs 8,000 Hz or more); kept as computed"


def test_a_recording_too_short_to_measure_is_not_called_silent(tmp_path, models):  # noqa: F811
    """Under BS.1770's first 400 ms block there is no loudness: said so, not "silent"."""
    from jazzremix_gui.core.audio.loudness_match import not_measurable

    assert not_measurable(44100, -1.0, frames=int(0.4 * 44100)) is None
    t = np.arange(int(0.05 * RATE)) / RATE
    sf.write(tmp_path / "short.wav", np.stack([0.2 * np.sin(2 * np.pi * 440 * t)] * 2, 1), RATE, subtype="FLOAT")
    proc = jazzremix("remix", tmp_path / "short.wav", "-o", tmp_path / "r.wav", "--model", models[0],
                     "--mixer", models[1])
    assert proc.returncode == 0, proc.stderr
    assert "too short to measure (0.05 s; BS.1770 needs 0.4 s or more); kept as computed" in proc.stderr
    assert "silent" not in proc.stderr


def test_what_took_the_rest_is_the_clip_mode_that_ran():
    """A remix still above the ceiling after its match: the limiter, or the rescale, took the rest."""
    from jazzremix_gui.core.audio.loudness_match import match_gain

    m = match_gain(-14.0, -10.0, 10 ** (3.0 / 20), -1.0)  # 4 dB too loud, true peak +3 dBTP: turned down 4 dB
    assert m.gain_db == pytest.approx(-4.0) and not m.held_by_ceiling
    m.output_lufs = -16.0  # the clip mode's further 2 dB
    assert m.describe("limit").endswith("2.0 LU quieter than the recording: the limiter took the rest")
    assert m.describe("rescale").endswith("2.0 LU quieter than the recording: rescaling to -1 dBTP took the rest")


def test_a_background_meter_equals_the_meter_and_an_aborted_write_leaves_no_thread(tmp_path):
    import threading

    from jazzremix_gui.core.audio.encoded import EncodedOutputs
    from jazzremix_gui.core.audio.formats import OutputSpec
    from jazzremix_gui.core.audio.loudness import BackgroundMeter

    x = np.random.default_rng(2).standard_normal((RATE * 3, 2)).astype(np.float32) * 0.1
    bg, plain = BackgroundMeter(RATE, 2), LoudnessMeter(RATE, 2)
    for i in range(0, x.shape[0], 10_000):
        bg.push(x[i:i + 10_000])
        plain.push(x[i:i + 10_000])
    assert bg.integrated() == plain.integrated()
    out = EncodedOutputs([tmp_path / "a.wav"], RATE, [2], OutputSpec("wav", 24), [{}], loudness=True)
    out.write(x[:50_000])
    out.abort()
    assert not [t for t in threading.enumerate() if t.name == "jazzremix-loudness"]
    assert not list(tmp_path.iterdir())


def test_a_known_true_peak_is_not_measured_again_and_still_limited_when_it_must():
    """The loudness match knows the remix's true peak from its first pass: the writer takes it, and the limiter
    works only where that peak reaches the limiter's aim."""
    import tempfile
    from pathlib import Path

    from jazzremix_gui.core.audio.formats import OutputSpec
    from jazzremix_gui.core.audio.headroom import MasteredWriter
    from jazzremix_gui.core.audio.limiter import aim, lin_to_db
    from test_headroom import reference_tp

    x = np.random.default_rng(4).standard_normal((RATE * 2, 2)).astype(np.float32) * 0.12
    d = Path(tempfile.mkdtemp())
    for scale, limited in ((0.6, False), (3.0, True)):
        y = x * np.float32(scale)
        peak = float(reference_tp(y).max())
        assert (peak < aim(-1.0)) != limited
        path = d / f"{scale}.wav"
        with MasteredWriter(path, RATE, 2, OutputSpec("wav", 32), "limit", known_peak=peak) as w:
            for i in range(0, y.shape[0], 30_000):
                w.write(y[i:i + 30_000])
            report = w.commit()
        written, _ = sf.read(path, dtype="float32")
        if limited:
            assert report.limited > 0 and lin_to_db(reference_tp(written).max()) <= -1.0 + 1e-3
        else:  # untouched, and the report says the peak written
            np.testing.assert_array_equal(written, y)
            assert report.limited == 0 and report.peak_dbtp == pytest.approx(lin_to_db(peak), abs=1e-6)


@pytest.mark.parametrize("channels", [2, 1])
def test_the_recording_is_measured_while_separating_not_decoded_again(tmp_path, models, monkeypatch, channels):  # noqa: F811
    """remix_file's loudness match takes the recording's loudness from the blocks the separation read: the same
    figure as file_loudness (a mono take on both channels), and the input is not decoded a second time."""
    from jazzremix_gui.core import pipeline
    from jazzremix_gui.core.audio import audio_io
    from jazzremix_gui.core.audio.formats import spec_for_path
    from jazzremix_gui.services import remix_writer

    x = _take(tmp_path / "take.wav")
    if channels == 1:
        sf.write(tmp_path / "take.wav", x[:, 0].astype(np.float32), RATE, subtype="FLOAT")
    expected = file_loudness(tmp_path / "take.wav")
    reads = []
    real_read_blocks = audio_io.read_blocks
    monkeypatch.setattr(audio_io, "read_blocks", lambda path, block: reads.append(path) or real_read_blocks(path, block))
    monkeypatch.setattr(remix_writer, "file_loudness", lambda *a, **k: pytest.fail("the recording was decoded again"))
    sep = pipeline.load_model(models[0], "separator")
    out = tmp_path / "r.wav"
    result = remix_writer.remix_file(tmp_path / "take.wav", out, spec_for_path(out, 24), "limit", -20.0, 0.5,
                                     separator=sep, loudness="match")
    assert len(reads) == 1  # the separation's read, and no other
    assert result.report.loudness.input_lufs == expected  # the same blocks through the same meter: the same bits
    assert result.report.loudness.gain_db > 1.0 and out.is_file()


def test_an_untouched_remix_is_not_metered_again(tmp_path, models, monkeypatch):  # noqa: F811
    """A lossless remix whose true peak after the match's gain is below the limiter's aim is written as the match's
    pass measured it: its reported loudness is that figure plus the gain (the written file's within 0.001 LU), with
    no meter on the written samples; a remix the limiter must touch is still metered as written."""
    from jazzremix_gui.core import pipeline
    from jazzremix_gui.core.audio import encoded
    from jazzremix_gui.core.audio.formats import spec_for_path
    from jazzremix_gui.services import remix_writer

    sep = pipeline.load_model(models[0], "separator")
    metered = []
    real_meter = encoded.BackgroundMeter
    monkeypatch.setattr(encoded, "BackgroundMeter", lambda *a: metered.append(a) or real_meter(*a))
    for level, untouched in ((0.2, True), (0.9, False)):
        _take(tmp_path / "take.wav", level=level)
        out = tmp_path / f"r{level}.wav"
        result = remix_writer.remix_file(tmp_path / "take.wav", out, spec_for_path(out, 24), "limit", -20.0, 0.5,
                                         separator=sep, loudness="match")
        match = result.report.loudness
        assert (result.report.limited == 0) == untouched and bool(metered) != untouched
        assert match.output_lufs == pytest.approx(_lufs(out), abs=1e-3 if untouched else 0.01)
        if untouched:
            assert match.output_lufs == match.remix_lufs + match.gain_db
        metered.clear()
