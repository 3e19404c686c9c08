"""The gain convention (issue #10 item 1): gain 1.0 keeps the solo as loud as recorded, at any pan."""

import numpy as np
import pytest

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.audio.loudness import integrated_loudness
from jazzremix_gui.core.models import ModelSession
from jazzremix_gui.core.signal.panlaw import SOLO_LEVEL_DEFAULT, pan_gains, place_solo, solo_level, solo_weights
from tiny_models import tiny_separator
from jazzremix_gui.services.remix_writer import render_remix

RATE = 44100


@pytest.fixture(scope="module")
def sep(tmp_path_factory):
    d = tmp_path_factory.mktemp("models")
    return ModelSession(tiny_separator(d / "sep.onnx", context=2), "separator")


def _horn(n, seed=0):
    """A mono 'solo': a vibrato tone with harmonics and phrase gaps."""
    t = np.arange(n) / RATE
    f = 392 * (1 + 0.01 * np.sin(2 * np.pi * 5 * t))
    phase = 2 * np.pi * np.cumsum(f) / RATE
    x = sum(np.sin(h * phase) / h for h in range(1, 6))
    env = (np.sin(2 * np.pi * 0.4 * t) > -0.6).astype(float)
    return (0.2 * x * env).astype(np.float32)


def _band(n, seed=1):
    """A stereo 'accompaniment': low notes plus decorrelated noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / RATE
    low = 0.15 * np.sin(2 * np.pi * 98 * t)
    return (np.stack([low, low], 1) + 0.02 * rng.standard_normal((n, 2))).astype(np.float32)


def _db(x):
    return 10 * np.log10(np.mean(np.asarray(x, np.float64) ** 2) + 1e-30)


def test_solo_level_formula():
    assert solo_level(1.0, 1.0, 1.0) == pytest.approx(np.sqrt(2))  # mono: E_L = E_R = E_mid
    assert solo_level(4.0, 0.0, 1.0) == pytest.approx(2.0)  # hard left: mid = L / 2
    assert solo_level(1.0, 1.0, 0.0) == SOLO_LEVEL_DEFAULT  # silence / unknown
    assert solo_level(1.0, 1.0, 1e-6) == 2.0  # anti-phase: clamped
    w_l, w_r = solo_weights(0.0, 1.0)
    assert isinstance(w_l, float) and w_l == pytest.approx(1.0) and w_r == pytest.approx(1.0)


def test_mono_recording_at_centre_and_gain_one_is_the_input(sep):
    n = RATE * 4
    mono = (_horn(n) + _band(n)[:, 0])[:, None]
    stems = pipeline.separate(mono, RATE, sep)
    assert stems.solo_level == pytest.approx(np.sqrt(2), rel=1e-6)
    assert stems.recorded_pan_deg == pytest.approx(0.0, abs=1e-6)
    remix = render_remix(stems, 0.0, 1.0)
    err_db = _db(remix - mono) - _db(mono)
    assert err_db < -60, err_db


@pytest.mark.parametrize("recorded_pan", [0.0, -20.0, 35.0, -45.0])
def test_gain_one_is_as_loud_as_recorded_at_every_pan(sep, recorded_pan):
    n = RATE * 6
    g_l, g_r = pan_gains(recorded_pan)
    horn = _horn(n)
    mix = np.stack([g_l * horn, g_r * horn], 1) + _band(n)
    stems = pipeline.separate(mix, RATE, sep)
    recorded_solo = mix - stems.accompaniment  # the solo as it sits in the recording: M_c X_c per channel
    reference = integrated_loudness(recorded_solo, RATE)
    # (the tiny separator lets some of the band into the solo, so the measured pan is not the horn's own)
    levels = [integrated_loudness(place_solo(stems.solo, p, 1.0, stems.solo_level), RATE)
              for p in (-45.0, -30.0, -10.0, 0.0, 15.0, 45.0, stems.recorded_pan_deg)]
    assert max(levels) - min(levels) < 0.5
    assert abs(levels[-1] - reference) < 0.5  # at its recorded pan: as loud as recorded
    assert abs(np.mean(levels) - reference) < 0.5
    plus6 = integrated_loudness(place_solo(stems.solo, 0.0, 2.0, stems.solo_level), RATE)
    assert plus6 - levels[3] == pytest.approx(20 * np.log10(2), abs=0.05)


def test_hard_panned_solo_at_its_pan_is_the_recorded_solo(sep):
    n = RATE * 4
    horn = _horn(n)
    noise = np.random.default_rng(2).standard_normal((n, 2)).astype(np.float32)
    mix = np.stack([horn, np.zeros(n, np.float32)], 1) + 0.002 * noise  # quiet band: the solo is all in L
    stems = pipeline.separate(mix, RATE, sep)
    assert stems.solo_level == pytest.approx(2.0, rel=1e-2)
    assert stems.recorded_pan_deg == pytest.approx(-45.0, abs=1.5)
    placed = place_solo(stems.solo, stems.recorded_pan_deg, 1.0, stems.solo_level)
    recorded = mix - stems.accompaniment
    assert _db(placed[:, 0] - recorded[:, 0]) - _db(recorded[:, 0]) < -30
    assert abs(integrated_loudness(placed, RATE) - integrated_loudness(recorded, RATE)) < 0.5


def test_solo_level_streaming_equals_whole_file(sep, tmp_path):
    from jazzremix_gui.core.audio import audio_io

    n = RATE * 30 + 77
    g_l, g_r = pan_gains(25.0)
    horn = _horn(n)
    mix = np.stack([g_l * horn, g_r * horn], 1) + _band(n)
    whole = pipeline.separate(mix, RATE, sep, block_frames=100000)
    small = pipeline.separate(mix, RATE, sep, block_frames=37)
    assert small.solo_level == pytest.approx(whole.solo_level, rel=1e-9)
    assert small.recorded_pan_deg == pytest.approx(whole.recorded_pan_deg, abs=1e-6)
    path = audio_io.write_audio(tmp_path / "in.wav", mix, RATE, 32)
    from tiny_models import tiny_mixer

    mixer = ModelSession(tiny_mixer(tmp_path / "mix.onnx"), "mixer")
    streamed = pipeline.analyse(path, separator=sep, mixer=mixer, keep_stems=False).stems
    assert streamed.solo.shape == (0,)
    assert streamed.solo_level == pytest.approx(whole.solo_level, rel=1e-6)
    assert streamed.recorded_pan_deg == pytest.approx(whole.recorded_pan_deg, abs=1e-4)


def test_old_sessions_are_converted_to_the_new_gains(tmp_path):
    import json

    from jazzremix_gui.services import session

    wav = tmp_path / "in.wav"
    wav.write_bytes(b"")
    old = {"format": session.FORMAT, "version": 1, "input": str(wav),
           "mix": {"pan_deg": -10.0, "gain": 1.8, "automation": True,
                   "sections": [{"start": 0, "end": 5, "active": True, "pan_deg": 5.0, "gain": 0.9,
                                 "suggested_pan_deg": 5.0, "suggested_gain": 2.0}]}}
    path = tmp_path / "old.jrs"
    path.write_text(json.dumps(old))
    data = session.load_session(path)
    mix = session.mix_for(data, 1.8)
    assert mix["gain"] == pytest.approx(1.0) and mix["pan_deg"] == -10.0
    assert mix["sections"][0]["gain"] == pytest.approx(0.5)
    assert mix["sections"][0]["suggested_gain"] == pytest.approx(2.0 / 1.8)
    # the converted gain renders the same remix as the old one did
    solo = _horn(1000)
    old_render = place_solo(solo, -10.0, 1.8, 1.0)
    np.testing.assert_allclose(place_solo(solo, -10.0, mix["gain"], 1.8), old_render, atol=1e-6)
    current = dict(old, version=2)
    assert session.mix_for(current, 1.8)["gain"] == 1.8
    path.write_text(json.dumps(dict(old, version=99)))
    with pytest.raises(session.SessionError, match="newer Jazz Remix"):
        session.load_session(path)
