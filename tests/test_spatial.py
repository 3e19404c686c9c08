"""The pan-aware Wiener step (core/signal/spatial.py): the solo's direction, mono left alone, a panned solo
separated better, the model's metadata and the evaluation's option."""

import numpy as np
import pytest

from jazzremix_gui.cli.main import main
from jazzremix_gui.core import pipeline
from jazzremix_gui.core.errors import ModelError
from jazzremix_gui.core.evaluation import global_sdr
from jazzremix_gui.core.signal import spatial
from jazzremix_gui.core.signal.panlaw import pan_gains
from tiny_models import tiny_separator

RATE = 44100


def test_the_solo_direction_is_the_loudest_sources_within_a_bin():
    rng = np.random.default_rng(0)
    for pan in (-40.0, -12.0, 0.0, 25.0):
        gl, gr = pan_gains(pan)
        own = rng.random((50, 2049)) < 0.5  # each bin dominated by one source
        a = (rng.random((50, 2049)) * own).astype(np.float32)  # the solo, at `pan`
        b = (rng.random((50, 2049)) * ~own).astype(np.float32)  # something as loud at the other side
        hl, hr = pan_gains(-pan if pan else 30.0)
        mag = np.stack([gl * a + hl * b, gr * a + hr * b], axis=1)
        theta = spatial.solo_direction(a, mag)
        assert abs(np.rad2deg(theta) - 45.0 - pan) <= 2.5
    silent = np.zeros((4, 2, 2049), np.float32)
    assert spatial.solo_direction(np.ones((4, 2049), np.float32), silent) == pytest.approx(np.pi / 4)


def test_settings_parse_and_refuse():
    assert spatial.PanAware.parse("") == spatial.PanAware() == spatial.PanAware(20.0, 0.2)
    assert spatial.PanAware.parse("10, 0.5") == spatial.PanAware(10.0, 0.5)
    assert spatial.PanAware.parse(spatial.PanAware(7.5, 0.1).to_text()) == spatial.PanAware(7.5, 0.1)
    for bad in ("x", "1,2,3", "10,1.5", "0,0.2"):
        with pytest.raises(ValueError):
            spatial.PanAware.parse(bad)


def _tones(freqs, n, rng):
    t = np.arange(n) / RATE
    return sum(np.sin(2 * np.pi * f * t + rng.uniform(0, 6.3)) for f in freqs).astype(np.float32) / len(freqs)


def _panned_mix(n=RATE * 4, solo_pan=-30.0, acc_pan=35.0):
    rng = np.random.default_rng(3)
    solo = _tones([440.0, 880.0, 1320.0, 1760.0], n, rng)
    acc = 0.5 * _tones([196.0, 293.7, 392.0, 587.3, 3000.0], n, rng)
    s2 = np.stack([solo * pan_gains(solo_pan)[0], solo * pan_gains(solo_pan)[1]], axis=1)
    a2 = np.stack([acc * pan_gains(acc_pan)[0], acc * pan_gains(acc_pan)[1]], axis=1)
    return s2 + a2, s2.mean(axis=1), a2


def test_a_panned_solo_is_separated_better_and_mono_is_left_as_it_was(tmp_path):
    model = pipeline.load_model(tiny_separator(tmp_path / "s.onnx"), "separator")  # knows nothing: 0.6 |mid|
    mix, solo_ref, acc_ref = _panned_mix()
    plain = pipeline.separate(mix, RATE, model)
    aware = pipeline.separate(mix, RATE, model, pan_aware=spatial.PanAware())
    # measured 5.3 -> 8.5 dB (solo) and -3.3 -> 1.6 dB (accompaniment)
    assert global_sdr(solo_ref, aware.solo) > global_sdr(solo_ref, plain.solo) + 2.5
    assert global_sdr(acc_ref, aware.accompaniment) > global_sdr(acc_ref, plain.accompaniment) + 3.0
    mono = mix.mean(axis=1)
    a = pipeline.separate(np.stack([mono, mono], axis=1), RATE, model)
    b = pipeline.separate(np.stack([mono, mono], axis=1), RATE, model, pan_aware=spatial.PanAware())
    np.testing.assert_array_equal(a.solo, b.solo)
    np.testing.assert_array_equal(a.accompaniment, b.accompaniment)


def test_the_models_metadata_turns_it_on_and_false_turns_it_off(tmp_path):
    mix, _, _ = _panned_mix(n=RATE * 2)
    tagged = pipeline.load_model(tiny_separator(tmp_path / "p.onnx", pan_aware="20,0.2"), "separator")
    plain_model = pipeline.load_model(tiny_separator(tmp_path / "s.onnx"), "separator")
    by_meta = pipeline.separate(mix, RATE, tagged)
    asked = pipeline.separate(mix, RATE, plain_model, pan_aware=spatial.PanAware(20.0, 0.2))
    np.testing.assert_array_equal(by_meta.solo, asked.solo)
    off = pipeline.separate(mix, RATE, tagged, pan_aware=False)
    np.testing.assert_array_equal(off.solo, pipeline.separate(mix, RATE, plain_model).solo)
    with pytest.raises(ModelError, match="pan-aware"):
        pipeline.load_model(tiny_separator(tmp_path / "bad.onnx", pan_aware="wide"), "separator")


def test_evaluate_says_what_it_used_and_refuses_bad_settings(tmp_path, capsys):
    import soundfile as sf

    mix, solo_ref, acc_ref = _panned_mix(n=RATE * 2)
    track = tmp_path / "set" / "track_00000"
    track.mkdir(parents=True)
    sf.write(track / "mixture.wav", mix, RATE, subtype="FLOAT")
    sf.write(track / "solo.wav", mix - acc_ref, RATE, subtype="FLOAT")
    sf.write(track / "accompaniment.wav", acc_ref, RATE, subtype="FLOAT")
    model = str(tiny_separator(tmp_path / "s.onnx"))
    assert main(["evaluate", str(tmp_path / "set"), "--model", model, "--pan-aware", "15,0.3"]) == 0
    assert "pan-aware Wiener step 15,0.3" in capsys.readouterr().out
    assert main(["evaluate", str(tmp_path / "set"), "--model", model, "--pan-aware", "wide"]) == 2
    assert "--pan-aware" in capsys.readouterr().err


def test_earlier_blocks_keep_the_reading_steady_where_the_solo_is_quiet():
    rng = np.random.default_rng(5)
    gl, gr = pan_gains(-30.0)
    loud = rng.random((40, 2049)).astype(np.float32)
    mag = np.stack([gl * loud, gr * loud], axis=1)
    _, _, theta_1, hist = spatial.pan_aware_masks(loud, mag, 1.0, spatial.PanAware())
    assert abs(np.rad2deg(theta_1) - 15.0) <= 1.0  # -30 degrees of pan
    hl, hr = pan_gains(20.0)  # next block: the solo rests, something quiet elsewhere reads as solo
    quiet = 0.05 * rng.random((40, 2049)).astype(np.float32)
    other = np.stack([hl * quiet, hr * quiet], axis=1)
    alone = spatial.pan_aware_masks(quiet, other, 1.0, spatial.PanAware())[2]
    carried = spatial.pan_aware_masks(quiet, other, 1.0, spatial.PanAware(), hist)[2]
    assert abs(np.rad2deg(alone) - 65.0) <= 1.0 and carried == theta_1


def test_separate_pan_aware_writes_better_stems_and_says_so(tmp_path, capsys):
    """``jazzremix separate --pan-aware``: the written solo is nearer the panned solo than without, its tag
    names the step, the JSON says it; a malformed value stops before any file is written."""
    import json

    import soundfile as sf

    from jazzremix_gui.core.audio import tags

    mix, solo_ref, _ = _panned_mix(n=RATE * 3)
    wav = tmp_path / "take.wav"
    sf.write(wav, mix, RATE, subtype="FLOAT")
    model = str(tiny_separator(tmp_path / "s.onnx"))
    got = {}
    for name, extra in (("plain", []), ("aware", ["--pan-aware"])):
        out = tmp_path / name
        assert main(["separate", str(wav), "-o", str(out), "--model", model, "--bits", "32", "--json", *extra]) == 0
        summary = json.loads(capsys.readouterr().out)
        got[name] = (sf.read(out / "take.solo.wav", dtype="float32")[0], summary,
                     tags.read_tags(out / "take.solo.wav")["comment"])
    assert global_sdr(solo_ref, got["aware"][0]) > global_sdr(solo_ref, got["plain"][0]) + 2.5
    assert got["aware"][1]["pan_aware"] == "15,0.1,1" and got["plain"][1]["pan_aware"] is None  # spatial.PREFERRED
    assert "pan-aware 15,0.1,1" in got["aware"][2] and "pan-aware" not in got["plain"][2]
    assert main(["separate", str(wav), "-o", str(tmp_path / "bad"), "--model", model, "--pan-aware", "1,2,3"]) == 2
    assert "--pan-aware" in capsys.readouterr().err and not (tmp_path / "bad").exists()


def test_the_app_separates_pan_aware_when_preferences_say_so(qtbot, tiny_models, tmp_path):
    """Preferences > Separation: the setting is stored; the track is processed with the step (its version says
    so, its results are cached apart from the plain step's); the shipped mixer still pairs with its network."""
    import soundfile as sf

    from jazzremix_gui.core.models import WithPanAware
    from jazzremix_gui.services import processing
    from jazzremix_gui.ui.dialogs import PreferencesDialog
    from jazzremix_gui.ui.main_window import mixer_source_text
    from jazzremix_gui.ui.settings import Settings, wiener_step_choice

    settings = Settings(tmp_path / "s.ini")
    assert settings["wiener_step"] == "model"  # the separator's own step unless the engineer chooses
    dlg = PreferencesDialog(settings)
    qtbot.addWidget(dlg)
    assert dlg.wiener_step.currentData() == "model"
    own = pipeline.load_model(None, "separator").meta.pan_aware
    assert dlg.wiener_step.currentText() == f"As the separator says ({'pan-aware ' + own if own else 'plain Wiener step'})"
    dlg.wiener_step.setCurrentIndex(dlg.wiener_step.findData("pan-aware"))
    dlg.apply()
    assert Settings(tmp_path / "s.ini")["wiener_step"] == "pan-aware"
    assert [wiener_step_choice(v) for v in ("model", "pan-aware", "plain")] == [None, True, False]

    class Job:
        progress = partial = staticmethod(lambda *a: None)
        is_cancelled = staticmethod(lambda: False)

    song = tmp_path / "song.wav"
    mix, _, _ = _panned_mix(n=RATE * 2)
    sf.write(song, mix, RATE, subtype="FLOAT")
    sep, mixer = (str(tiny_models / f"{k}.onnx") for k in ("separator", "mixer"))
    aware = processing.process_track(song, Job(), sep, mixer, pan_aware=True)
    plain = processing.process_track(song, Job(), sep, mixer, pan_aware=False)
    again = processing.process_track(song, Job(), sep, mixer, pan_aware=spatial.PREFERRED)
    assert aware.separator_version == "tiny-sep-c0 pan-aware 15,0.1,1" and plain.separator_version == "tiny-sep-c0"
    assert not aware.from_cache and not plain.from_cache and again.from_cache
    assert not np.array_equal(np.asarray(aware.stems.solo), np.asarray(plain.stems.solo))
    shipped_sep, shipped_mix = pipeline.load_model(None, "separator"), pipeline.load_model(None, "mixer")
    wrapped = WithPanAware(shipped_sep, spatial.PanAware())
    assert pipeline.pairing_problem(wrapped, shipped_mix) == ""
    text = mixer_source_text(shipped_mix.meta.version, shipped_mix.meta.paired_separator, wrapped.meta.version, True)
    assert "gains may be off" not in text


def test_preferences_reads_the_separators_step_from_a_card_that_vouches_for_it(tmp_path, monkeypatch):
    """The label needs no ONNX session when the card beside the file carries its SHA-256; a card that does not
    match (stale, another file's) is not believed and the file itself is read."""
    import hashlib
    import json

    from jazzremix_gui.core import models
    from jazzremix_gui.ui.dialogs import _separator_step

    sep = tiny_separator(tmp_path / "s.onnx", pan_aware="15,0.1")
    card = {"sha256": hashlib.sha256(sep.read_bytes()).hexdigest(),
            "metadata": {"jazzremix.kind": "separator", "jazzremix.pan_aware": "25,0.3", "jazzremix.version": "x"}}
    sep.with_suffix(".json").write_text(json.dumps(card))
    sessions = []
    real = pipeline.load_model
    monkeypatch.setattr(pipeline, "load_model", lambda *a, **k: sessions.append(a) or real(*a, **k))
    assert models.card_meta(sep, "separator").pan_aware == "25,0.3"  # the card, not the file (they differ here)
    assert _separator_step(str(sep)) == "pan-aware 25,0.3" and sessions == []
    card["sha256"] = "0" * 64
    sep.with_suffix(".json").write_text(json.dumps(card))
    assert models.card_meta(sep, "separator") is None
    assert _separator_step(str(sep)) == "pan-aware 15,0.1" and len(sessions) == 1
    sep.with_suffix(".json").write_text("{not json")
    assert models.card_meta(sep, "separator") is None
    assert _separator_step(str(tmp_path / "missing.onnx")) == "no separator found"
    shipped = pipeline.default_model_path("separator")
    assert models.card_meta(shipped, "separator") == real(None, "separator").meta  # the shipped card vouches


def test_remix_and_suggest_take_pan_aware_too(tmp_path, capsys):
    import json

    import soundfile as sf

    from jazzremix_gui.core.audio import tags

    mix, _, _ = _panned_mix(n=RATE * 3)
    wav = tmp_path / "take.wav"
    sf.write(wav, mix, RATE, subtype="FLOAT")
    model = str(tiny_separator(tmp_path / "s.onnx"))
    assert main(["suggest", str(wav), "--model", model, "--pan-aware", "--json"]) == 0
    assert "pan_deg" in json.loads(capsys.readouterr().out)
    out = tmp_path / "remix.wav"
    assert main(["remix", str(wav), "--out", str(out), "--model", model, "--pan-aware", "--pan", "10", "--gain", "1"]) == 0
    assert "pan-aware 15,0.1,1" in tags.read_tags(out)["comment"]
    for cmd in (["suggest", str(wav)], ["remix", str(wav), "--out", str(tmp_path / "r2.wav")]):
        assert main([*cmd, "--model", model, "--pan-aware", "x"]) == 2
        assert "--pan-aware" in capsys.readouterr().err
    assert not (tmp_path / "r2.wav").exists()


def test_the_step_asked_for_wraps_only_where_it_changes_something(tmp_path):
    """``with_wiener_step``: None keeps the separator's own step; True the pan-aware step (its own settings, else
    the defaults); False the plain step; the separation follows (the written samples compared)."""
    from jazzremix_gui.core.models import with_wiener_step

    tagged = pipeline.load_model(tiny_separator(tmp_path / "p.onnx", pan_aware="15,0.3"), "separator")
    plain = pipeline.load_model(tiny_separator(tmp_path / "s.onnx"), "separator")
    for model in (tagged, plain):
        assert with_wiener_step(model, None) is model
    assert with_wiener_step(tagged, True) is tagged and with_wiener_step(plain, False) is plain
    assert with_wiener_step(tagged, spatial.PanAware(15, 0.3)) is tagged
    off = with_wiener_step(tagged, False)
    assert off.meta.pan_aware == "" and off.meta.version == "tiny-sep-c0 plain Wiener step"
    assert off.meta.based_on == "tiny-sep-c0"
    on = with_wiener_step(plain, True)
    assert on.meta.pan_aware == "15,0.1,1" and with_wiener_step(tagged, spatial.PanAware()).meta.pan_aware == "20,0.2"
    mix, _, _ = _panned_mix(n=RATE * 2)
    np.testing.assert_array_equal(pipeline.separate(mix, RATE, off).solo, pipeline.separate(mix, RATE, plain).solo)
    np.testing.assert_array_equal(pipeline.separate(mix, RATE, on).solo,
                                  pipeline.separate(mix, RATE, plain, pan_aware=spatial.PREFERRED).solo)
    assert not np.array_equal(pipeline.separate(mix, RATE, off).solo, pipeline.separate(mix, RATE, tagged).solo)


def test_plain_wiener_turns_off_the_step_a_separator_carries(tmp_path, capsys):
    """``separate --plain-wiener`` with a separator that carries the pan-aware step writes the plain step's
    stems (the samples of a separator without the step), its tag says so; with ``--pan-aware`` it is refused
    before anything is written."""
    import soundfile as sf

    from jazzremix_gui.core.audio import tags

    mix, _, _ = _panned_mix(n=RATE * 3)
    wav = tmp_path / "take.wav"
    sf.write(wav, mix, RATE, subtype="FLOAT")
    tagged, plain = str(tiny_separator(tmp_path / "p.onnx", pan_aware="20,0.2")), str(tiny_separator(tmp_path / "s.onnx"))
    solos = {}
    for name, model, extra in (("own", tagged, []), ("off", tagged, ["--plain-wiener"]), ("plain", plain, [])):
        out = tmp_path / name
        assert main(["separate", str(wav), "-o", str(out), "--model", model, "--bits", "32", *extra]) == 0
        solos[name] = sf.read(out / "take.solo.wav", dtype="float32")[0]
        if name == "off":
            assert "plain Wiener step" in tags.read_tags(out / "take.solo.wav")["comment"]
    np.testing.assert_array_equal(solos["off"], solos["plain"])
    assert not np.array_equal(solos["own"], solos["off"])
    capsys.readouterr()
    assert main(["separate", str(wav), "-o", str(tmp_path / "both"), "--model", tagged, "--plain-wiener",
                 "--pan-aware"]) == 2
    assert "exclude each other" in capsys.readouterr().err and not (tmp_path / "both").exists()


def test_directions_are_arctan2_within_two_microradians():
    rng = np.random.default_rng(11)
    mag = np.abs(rng.standard_normal((30, 2, 2049))).astype(np.float32)
    mag[0, :, :5] = 0  # silent in both: 0
    mag[1, 0, :5] = 0  # right only: pi / 2
    mag[2, 1, :5] = 0  # left only: 0
    mag[3, 1] = mag[3, 0]  # centred: pi / 4
    mag[4] *= np.float32(1e-30)  # tiny but heard
    got = spatial.directions(mag)
    assert got.dtype == np.float32 and got.shape == (30, 2049)
    np.testing.assert_allclose(got, np.arctan2(mag[:, 1], mag[:, 0]), rtol=0, atol=2e-6)


def test_an_earlier_pan_aware_tick_is_kept_as_the_wiener_step(tmp_path):
    from PySide6.QtCore import QSettings

    from jazzremix_gui.ui.settings import Settings

    for ticked, want in ((True, "pan-aware"), (False, "model")):
        path = tmp_path / f"{ticked}.ini"
        old = QSettings(str(path), QSettings.Format.IniFormat)
        old.setValue("models/pan_aware", ticked)
        old.sync()
        settings = Settings(path)
        assert settings["wiener_step"] == want and not settings.qs.contains("models/pan_aware")


def test_the_solos_side_given_is_separated_toward_whatever_the_network_reads(tmp_path, capsys):
    """``--solo-side DEG``: where the louder accompaniment draws the reading to its own side, the engineer's side
    gives the better solo (the written samples), the step names it in the JSON and the tag; out of range, or with
    --plain-wiener, it stops before any file is written."""
    import json

    import soundfile as sf

    from jazzremix_gui.core.audio import tags

    rng = np.random.default_rng(9)
    n = RATE * 3
    solo, acc = _tones([440.0, 880.0, 1320.0], n, rng), 2.0 * _tones([196.0, 293.7, 587.3, 3000.0], n, rng)
    s2 = np.stack([solo * pan_gains(-30.0)[0], solo * pan_gains(-30.0)[1]], axis=1)
    a2 = np.stack([acc * pan_gains(35.0)[0], acc * pan_gains(35.0)[1]], axis=1)
    wav = tmp_path / "take.wav"
    sf.write(wav, s2 + a2, RATE, subtype="FLOAT")
    model = str(tiny_separator(tmp_path / "s.onnx"))  # its solo is 0.6 |input|: it reads the louder part's side
    got = {}
    for name, extra in (("read", ["--pan-aware"]), ("given", ["--solo-side", "-30"])):
        out = tmp_path / name
        assert main(["separate", str(wav), "-o", str(out), "--model", model, "--bits", "32", "--json", *extra]) == 0
        got[name] = (sf.read(out / "take.solo.wav", dtype="float32")[0], json.loads(capsys.readouterr().out),
                     tags.read_tags(out / "take.solo.wav")["comment"])
    ref = s2.mean(axis=1)
    assert global_sdr(ref, got["given"][0]) > global_sdr(ref, got["read"][0]) + 3.0
    assert got["given"][1]["pan_aware"] == "15,0.1,1 solo -30" and "pan-aware 15,0.1,1 solo -30" in got["given"][2]
    # where the solo was found, as the JSON says it: the louder part's side as read, the side given when given
    assert got["read"][1]["files"][0]["solo_pan_deg"] > 20 and abs(got["given"][1]["files"][0]["solo_pan_deg"] + 30) < 5
    for extra in (["--solo-side", "60"], ["--solo-side", "nan"], ["--solo-side", "-10", "--plain-wiener"]):
        assert main(["separate", str(wav), "-o", str(tmp_path / "bad"), "--model", model, *extra]) == 2
        assert "--solo-side" in capsys.readouterr().err and not (tmp_path / "bad").exists()


def test_the_settings_carry_the_solos_side():
    given = spatial.PanAware(15.0, 0.1, 1.0, side_deg=-42.5)
    assert given.to_text() == "15,0.1,1 solo -42.5" and spatial.PanAware.parse(given.to_text()) == given
    assert spatial.PanAware.parse("20,0.2 solo 10") == spatial.PanAware(20.0, 0.2, side_deg=10.0)
    for bad in ("15,0.1,1 solo 50", "15,0.1,1 solo left", "15,0.1,1,1 solo 10"):
        with pytest.raises(ValueError):
            spatial.PanAware.parse(bad)


def test_a_given_side_steers_every_block_and_hears_the_first_once(tmp_path):
    from jazzremix_gui.core.signal.features import separator_input
    from jazzremix_gui.core.signal.separation import Work
    from jazzremix_gui.core.signal.stft import stft
    from test_steering import Recording

    model = pipeline.load_model(tiny_separator(tmp_path / "s.onnx"), "separator")
    mix, _, _ = _panned_mix(n=RATE * 3)
    rec = Recording(model)
    settings = spatial.PanAware(15.0, 0.1, 1.0, side_deg=20.0)
    steps = pipeline._SeparationSteps(rec, RATE, mix.shape[0], 32, None, settings, level=False)  # inputs as they are
    works = [w for w in steps.network(steps.analyse(iter([mix]))) if isinstance(w, Work)]
    assert len(rec.inputs) == len(works) >= 4  # no block heard as the mid first
    spec = stft(mix, 1024)
    gains = spatial.steering_gains(np.deg2rad(65.0), 1.0)  # +20 degrees of pan
    for work, given in zip(works, rec.inputs):
        assert work.direction.theta_s == pytest.approx(np.deg2rad(65.0))
        np.testing.assert_allclose(given, separator_input(spec[work.a : work.b], gains), rtol=1e-5, atol=1e-9)
